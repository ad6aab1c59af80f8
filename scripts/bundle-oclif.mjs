// Replaces dist/lib/oclif.js (tsc's re-export of @oclif/core) with one bundled ES module: loading
// ~100 small CommonJS files through Node's ESM loader dominated qjob's start-up. Runs after tsc,
// before `oclif manifest`.
import {build} from 'esbuild'

await build({
  entryPoints: ['src/lib/oclif.ts'],
  outfile: 'dist/lib/oclif.js',
  allowOverwrite: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  // Only reached in development, to read a tsconfig; never needed by the built CLI.
  external: ['typescript'],
  // The bundled CommonJS code calls require() for Node built-ins.
  banner: {js: "import {createRequire as __qjobRequire} from 'node:module'; const require = __qjobRequire(import.meta.url);"},
})
