// Replaces dist/lib/oclif.js (tsc's re-export of the @oclif/core parts qjob uses) with a loader of
// one bundled CommonJS file compiled with a V8 code cache (scripts/code-cache-bundle.mjs): loading
// ~100 small CommonJS files through Node's ESM loader dominated start-up, one script is faster
// than import() of an ES module bundle (no export scanning), and the cache halves the bundle's load
// time. The cache is written after a run of oclif's start-up (the bundle, Config, a command's flags
// parsed and run). Runs after tsc, before `oclif manifest`. The rewrites below each remove a cost
// from every start-up; each must apply exactly once, so an oclif upgrade that moves one fails here.
import {buildCachedBundle} from './code-cache-bundle.mjs'

/** Replaces `from` with `to`, which must occur exactly once. */
function replaceOnce(source, from, to, what) {
  if (source.split(from).length !== 2) throw new Error(`bundle-oclif: expected ${what} once: ${from}`)
  return source.replace(from, to)
}

function rewrite(source) {
  // oclif sorts each plugin's commands with localeCompare, whose first call loads ICU's collator:
  // ~20 ms. Command ids are lowercase ASCII words, ':' and '-', which code point order sorts the
  // same way (test/cli/code-cache.test.ts checks every id).
  source = replaceOnce(
    source,
    '.sort((a, b) => a.id.localeCompare(b.id))',
    '.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))',
    "oclif's command sort",
  )
  // It also matches every dependency against the plugin names with minimatch (~4 ms of compiling
  // patterns); a name without glob characters can only match itself.
  source = replaceOnce(
    source,
    'patterns.some((w) => (0, minimatch_1.minimatch)(p, w))',
    'patterns.some((w) => (/[*?[\\]{}()!+@]/.test(w.replace(/^@[^/]+\\//, "")) ? (0, minimatch_1.minimatch)(p, w) : p === w))',
    "oclif's plugin match",
  )
  // Its platform check loads wsl-utils, which loads child_process, for its isWsl: the same value
  // as is-wsl's, which loads nothing.
  source = replaceOnce(
    source,
    'return (await Promise.resolve().then(() => (init_wsl_utils(), wsl_utils_exports))).isWsl ? "wsl"',
    'return (init_is_wsl(), is_wsl_default) ? "wsl"',
    "oclif's platform check",
  )
  // child_process is required at load (~5 ms) but used by one call, a Windows shell lookup: it
  // loads on first use instead (__qjobLazy, defined by the loader). Not readline: oclif starts a
  // 10 ms timer before its first use (reading an argument from stdin), and loading it then would
  // eat into that window.
  const line = 'var node_child_process_1 = require("node:child_process");'
  source = replaceOnce(source, line, line.replace('require(', '__qjobLazy('), 'this require')
  return source
}

await buildCachedBundle({
  entry: 'src/lib/oclif.ts',
  loader: 'dist/lib/oclif.js',
  exports: ['Args', 'Command', 'execute', 'Flags', 'flush', 'run'],
  what: "@oclif/core's parts",
  // Only reached in development, to read a tsconfig; never needed by the built CLI.
  external: ['typescript'],
  rewrite,
  warmUp: "const {run} = await import('./dist/lib/oclif.js'); await run(['config', 'list'], process.cwd())",
})
