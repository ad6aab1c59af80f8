// The job host: a small process of its own that starts the worker's jobs, so that forking a job
// copies this process (Node and a few modules) rather than the worker with the SDK and oclif in it.
// The fork is the largest cost of a short job, and it stops here, off the worker's event loop.
//
// It speaks over the IPC channel `fork` gives it (see job-runner.ts): `run` starts a job, `kill`
// stops one, and `done` answers with the outcome once the job's output is written. Job output goes
// to this process's stdout and stderr, which are the worker's. It ignores terminal signals (the
// worker decides what stops), and when the worker goes, even by kill -9, the channel closes and it
// exits: its exit hook and the jobs' watchers (whose lifelines it holds) end every running job.
import {type JobOutcome, type RunJobOptions, runJob} from './run-job.js'

export type HostRequest =
  | ({type: 'run'; id: number; input: Uint8Array} & Pick<RunJobOptions, 'command' | 'env' | 'timeoutMs' | 'killGraceMs'>)
  | {type: 'kill'; id: number}

export type HostReply = {type: 'done'; id: number; outcome: JobOutcome} | {type: 'stdout-closed'}

const stops = new Map<number, AbortController>()
let stdoutClosed = false

function send(reply: HostReply): void {
  process.send?.(reply)
}

function start(request: Extract<HostRequest, {type: 'run'}>): void {
  const stop = new AbortController()
  stops.set(request.id, stop)
  const {input, id, type: _, ...options} = request
  void runJob({...options, input: Buffer.from(input.buffer, input.byteOffset, input.byteLength), signal: stop.signal}).then(outcome => {
    stops.delete(id)
    // Output that could not be written is not a job done: the worker stops and the message comes back.
    send(stdoutClosed ? {type: 'stdout-closed'} : {type: 'done', id, outcome})
  })
}

// Every running job's stdout is piped into ours; Node's leak warning at eleven would be noise.
process.stdout.setMaxListeners(0)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined)
// The worker's reader went away: it stops as it would on its own EPIPE.
process.stdout.on('error', () => {
  stdoutClosed = true
  send({type: 'stdout-closed'})
})
process.on('message', (request: HostRequest) => {
  if (request.type === 'run') start(request)
  else stops.get(request.id)?.abort()
})
process.on('disconnect', () => process.exit(0))
