// bin/run.js is CommonJS (node starts an ES module entry ~10 ms slower), so the answers it gives
// without oclif (src/lib/startup/fast-path.ts: --version, cached help pages) are bundled into one
// CommonJS file for it to require: dist/lib/startup/fast-path.cjs.
import {build} from 'esbuild'

await build({
  entryPoints: ['src/lib/startup/fast-path.ts'],
  outfile: 'dist/lib/startup/fast-path.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
})
