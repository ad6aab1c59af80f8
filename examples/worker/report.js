// A one-off job (`qjob run-once report`): prints a line and exits with REPORT_EXIT_CODE (default 0),
// so the caller can see qjob pass the exit code through.
const code = Number(process.env.REPORT_EXIT_CODE ?? 0)
console.log(`report: generated at ${new Date().toISOString()} on ${process.env.DYNO ?? 'a local process'}; exiting with ${code}`)
process.exit(code)
