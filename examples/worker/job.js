// The same job as worker.js, written for `qjob work`: the message body arrives on stdin and the
// message's fields in QJOB_* variables. Exit 0 completes the message; exit 65 ("this input will
// never work") dead-letters it at once (Procfile: --dead-letter-on 65); any other exit retries it.
let input = ''
process.stdin.setEncoding('utf8')
process.stdin.on('data', chunk => (input += chunk))
process.stdin.on('end', async () => {
  let job
  try {
    job = JSON.parse(input)
  } catch {
    console.error(`message ${process.env.QJOB_SEQUENCE_NUMBER}: the body is not JSON`)
    process.exit(65)
  }
  if (typeof job?.id !== 'number') {
    console.error('the body is not a job object with a numeric id')
    process.exit(65)
  }
  if (job.poison) {
    console.error(`job ${job.id} is marked as poison`)
    process.exit(65)
  }
  await new Promise(resolve => setTimeout(resolve, job.ms ?? 5))
  if (job.report) console.log(`job ${job.id}: ${job.id * 2}`)
})
