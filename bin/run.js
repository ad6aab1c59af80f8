#!/usr/bin/env node
// Production entry point: runs the compiled commands in dist/ through the shipped oclif manifest.
import {readFileSync} from 'node:fs'

const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  // Answered without loading oclif: scripts call this often. Same text as oclif's own.
  const {version} = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`qjob/${version} ${process.platform}-${process.arch} node-${process.version}\n`)
} else {
  const {run} = await import('../dist/lib/entry.js')
  await run(import.meta.url)
}
