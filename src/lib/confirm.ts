// Confirmation for destructive commands: asks on a terminal, needs --yes anywhere else.
import {createInterface} from 'node:readline/promises'

import {UsageError} from '../common/errors.js'
import {Flags} from './oclif.js'

/** The --yes flag of every destructive command. */
export const yesFlag = {yes: Flags.boolean({char: 'y', description: 'Do not ask for confirmation'})}

export async function confirmOrYes(question: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new UsageError(`${question} Refusing without --yes when not on a terminal.`, {hint: 'Add --yes to confirm.'})
  }
  const prompt = createInterface({input: process.stdin, output: process.stderr})
  try {
    const answer = await prompt.question(`${question} [y/N] `)
    return /^y(es)?$/i.test(answer.trim())
  } finally {
    prompt.close()
  }
}
