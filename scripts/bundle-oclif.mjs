// Replaces dist/lib/oclif.js (tsc's re-export of the @oclif/core parts qjob uses) with a loader of
// one bundled CommonJS file compiled with a V8 code cache (scripts/code-cache-bundle.mjs): loading
// ~100 small CommonJS files through Node's ESM loader dominated start-up, one script is faster
// than import() of an ES module bundle (no export scanning), and the cache halves the bundle's load
// time. The cache is written after a run of a command's start-up (the bundle, a command's flags
// parsed and run). Runs after tsc and scripts/index-commands.mjs. The rewrites below each remove a cost
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
  // child_process is required at load (~5 ms) but used by one call, a Windows shell lookup, and
  // perf_hooks only when OCLIF_PERFORMANCE asks for oclif's timings: they load on first use
  // instead (__qjobLazy, defined by the loader). Not readline: oclif starts a 10 ms timer before
  // its first use (reading an argument from stdin), and loading it then would eat into that window.
  for (const line of ['var node_child_process_1 = require("node:child_process");', 'var node_perf_hooks_1 = require("node:perf_hooks");'])
    source = replaceOnce(source, line, line.replace('require(', '__qjobLazy('), 'this require')
  // Modules only an error, a help page, colour or a plugin without a manifest uses load on first
  // use too: clean-stack, wrap-ansi (with string-width's regexes), the help module, supports-color
  // (tty, os), ansis, tinyglobby.
  for (const [module, count] of LAZY_MODULES) source = lazyModule(source, module, count)
  // Every oclif logger is a `debug` instance, which loads `debug` (tty, util, supports-color) for
  // loggers that print nothing unless DEBUG is set, which `debug` itself reads once, at load.
  source = replaceOnce(
    source,
    'const debug = (0, debug_1.default)(namespace);',
    'const debug = process.env.DEBUG ? (0, debug_1.default)(namespace) : () => {};',
    "oclif's logger",
  )
  return lazyModule(source, 'var debug_1 = __importDefault(require_src());', 1)
}

/** Each `var x = require_y();` (as esbuild writes it) and how many times it occurs. */
const LAZY_MODULES = [
  ['var clean_stack_1 = __importDefault(require_clean_stack());', 2],
  ['var wrap_ansi_1 = __importDefault(require_wrap_ansi());', 3],
  ['var index_1 = require_help();', 1],
  ['var supports_color_1 = require_supports_color2();', 1],
  ['var ansis_1 = __importDefault(require_ansis());', 6],
  ['var tinyglobby_1 = require_dist2();', 1],
]

/** Makes `line` (a module's require, `count` times) load the module on its first use. */
function lazyModule(source, line, count) {
  if (source.split(line).length !== count + 1) throw new Error(`bundle-oclif: expected ${count} of: ${line}`)
  const [declaration, load] = line.replace(/;$/, '').split(' = ')
  return source.replaceAll(line, `${declaration} = __qjobLazy(() => ${load});`)
}

await buildCachedBundle({
  entry: 'src/lib/oclif.ts',
  loader: 'dist/lib/oclif.js',
  exports: ['Args', 'Command', 'execute', 'Flags', 'flush', 'run'],
  what: "@oclif/core's parts",
  // Only reached in development, to read a tsconfig; never needed by the built CLI.
  external: ['typescript'],
  rewrite,
  // A command as bin/run.js runs one (startup/dispatch.ts, without oclif's Config): the cache holds
  // what every command's start-up runs, and is smaller than one of Config's loading too.
  warmUp: `process.argv = [process.argv[0], 'qjob', 'config', 'list']
    const {run} = await import('./dist/lib/entry.js')
    await run(new URL('./', (await import('node:url')).pathToFileURL(process.cwd() + '/')))`,
})
