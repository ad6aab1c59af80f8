#!/usr/bin/env node
// Production entry point: runs the compiled commands in dist/ through the shipped oclif manifest.
// CommonJS (bin/package.json): node starts an ES module entry ~10 ms slower, on every run.
// `--version` and help pages off a terminal are answered without loading oclif (fast-path.ts, which
// the build bundles as CommonJS); anything else loads dist/'s ES modules, with require() where node
// can (20.19 and later: no asynchronous module loader to start), else with import() (load-module.ts).
const {join} = require('node:path')
const {pathToFileURL} = require('node:url')

const root = pathToFileURL(join(__dirname, '..', '/'))
const startup = require('../dist/lib/startup/fast-path.cjs')
if (!startup.answerWithoutOclif(process.argv.slice(2), root)) {
  startup.loadModule(new URL('dist/lib/entry.js', root)).then(({run}) => run(root))
}
