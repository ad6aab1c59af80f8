// Everything qjob writes: tables for people, JSON and NDJSON for scripts (stdout); progress and
// warnings for people (stderr). Colour only on a TTY, honouring NO_COLOR and FORCE_COLOR.
import {redact} from '../common/redact.js'

type ColorLevel = 0 | 1 | 2 | 3

export function colorLevel(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv = process.env): ColorLevel {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return 0
  const force = env.FORCE_COLOR
  if (force !== undefined) {
    if (force === '0' || force === 'false') return 0
    if (force === '2') return 2
    if (force === '3') return 3
    return 1
  }
  if (!stream.isTTY) return 0
  return env.COLORTERM === 'truecolor' ? 3 : 2
}

type Paint = (text: string) => string
/** The styles qjob uses (a chalk instance is one). */
export interface Palette {
  bold: Paint
  dim: Paint
  yellow: Paint
  cyan: Paint
}

const same: Paint = text => text
const PLAIN: Palette = {bold: same, dim: same, yellow: same, cyan: same}
// chalk is loaded only when a stream gets colour: off a terminal (scripts, CI) nothing needs it,
// and loading it was ~17 ms of every command's start-up. Not with a top-level await: a module
// graph with one cannot be loaded with require(), which bin/run.js and the dispatcher use.
let chalk: typeof import('chalk') | undefined

/** Loads chalk if stdout or stderr gets colour; entry.ts awaits it before any command runs. */
export async function loadColours(): Promise<void> {
  if (colorLevel(process.stdout) > 0 || colorLevel(process.stderr) > 0) chalk ??= await import('chalk')
}

function paletteFor(stream: {isTTY?: boolean}): Palette {
  const level = colorLevel(stream)
  return level === 0 || chalk === undefined ? PLAIN : new chalk.Chalk({level})
}

let stdoutPalette: Palette | undefined
let stderrPalette: Palette | undefined

/** Styles for text written to stdout. */
export function color(): Palette {
  stdoutPalette ??= paletteFor(process.stdout)
  return stdoutPalette
}

/** Styles for text written to stderr (warnings, progress). */
export function colorErr(): Palette {
  stderrPalette ??= paletteFor(process.stderr)
  return stderrPalette
}

export function printJson(data: unknown, stream: NodeJS.WritableStream = process.stdout): void {
  stream.write(`${JSON.stringify(data, jsonReplacer, 2)}\n`)
}

/** One JSON object a line, written as it comes (streamed, constant memory). */
export function printNdjson(item: unknown, stream: NodeJS.WritableStream = process.stdout): boolean {
  return stream.write(`${JSON.stringify(item, jsonReplacer)}\n`)
}

/** BigInt values (64-bit sequence numbers) become decimal strings: one lossless form everywhere. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString()
  return value
}

export function warn(message: string): void {
  process.stderr.write(`${colorErr().yellow('Warning:')} ${redact(message)}\n`)
}

export function info(message: string): void {
  process.stderr.write(`${redact(message)}\n`)
}

export interface Column<T> {
  header: string
  get: (row: T) => unknown
  align?: 'left' | 'right'
  /** Truncate to this many characters (with an ellipsis). */
  max?: number
}

function cellText(value: unknown, max?: number): string {
  let text = value === undefined || value === null ? '' : value instanceof Date ? value.toISOString() : String(value)
  text = text.replace(/[\r\n\t]+/g, ' ')
  if (max !== undefined && text.length > max) text = `${text.slice(0, Math.max(0, max - 1))}…`
  return text
}

/** A plain aligned table: bold header on a TTY, two spaces between columns. */
export function formatTable<T>(rows: readonly T[], columns: ReadonlyArray<Column<T>>): string {
  const cells = rows.map(row => columns.map(column => cellText(column.get(row), column.max)))
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map(line => line[i].length)))
  const pad = (text: string, i: number) => (columns[i].align === 'right' ? text.padStart(widths[i]) : text.padEnd(widths[i]))
  const header = columns
    .map((column, i) => pad(column.header, i))
    .join('  ')
    .trimEnd()
  const body = cells.map(line =>
    line
      .map((text, i) => pad(text, i))
      .join('  ')
      .trimEnd(),
  )
  return [color().bold(header), ...body].join('\n')
}

/** Key/value lines for one object (`qjob queue show`). */
export function formatProperties(entries: ReadonlyArray<[string, unknown]>): string {
  const width = Math.max(0, ...entries.map(([key]) => key.length))
  return entries.map(([key, value]) => `${color().dim(key.padEnd(width))}  ${cellText(value)}`).join('\n')
}

/**
 * A counter on stderr, redrawn in place at most ten times a second; silent when stderr is not a
 * TTY, so scripts and CI logs stay clean.
 */
export class Progress {
  private lastDraw = 0
  private readonly enabled: boolean

  constructor(
    private readonly label: string,
    private readonly total?: number,
    stream: {isTTY?: boolean} = process.stderr,
  ) {
    this.enabled = Boolean(stream.isTTY)
  }

  update(done: number): void {
    if (!this.enabled) return
    const now = Date.now()
    if (now - this.lastDraw < 100 && done !== this.total) return
    this.lastDraw = now
    const of = this.total === undefined ? '' : `/${this.total}`
    process.stderr.write(`\r${colorErr().cyan(this.label)} ${done}${of}`)
  }

  done(): void {
    if (this.enabled && this.lastDraw > 0) process.stderr.write('\r\u001B[2K')
  }
}
