// Whether a run asked for machine output, so that its error is one JSON object on stderr.

/** True when argv has --json, or --ndjson as an output format, before any "--". */
export function wantsJsonErrors(argv: readonly string[], {ndjsonIsInput = false} = {}): boolean {
  const end = argv.indexOf('--')
  const flags = end === -1 ? argv : argv.slice(0, end)
  return flags.includes('--json') || (!ndjsonIsInput && flags.includes('--ndjson'))
}
