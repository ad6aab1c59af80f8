#!/usr/bin/env node
// Production entry point: runs the compiled commands in dist/ through the shipped oclif manifest.
// `--version` and help pages off a terminal are answered without loading oclif (fast-path.ts).
const {answerWithoutOclif} = await import('../dist/lib/startup/fast-path.js')
if (!answerWithoutOclif(process.argv.slice(2), new URL('../', import.meta.url))) {
  const {run} = await import('../dist/lib/entry.js')
  await run(import.meta.url)
}
