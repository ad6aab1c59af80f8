// The job host: a small process of its own that starts the worker's jobs, so that forking a job
// copies this process (Node and a few modules) rather than the worker with the SDK and oclif in it.
// The fork is the largest cost of a short job, and it stops here, off the worker's event loop.
//
// It speaks over the IPC channel `fork` gives it (see job-runner.ts): `run` starts a job, `kill`
// stops one, and `done` answers with the outcome once the job's output is written. A `run` beyond
// its `slots` waits here, in order, and starts the moment a job ends, with no round trip through
// the worker; `cancel-queued` (or a `kill`) hands such a job back as `not-started`. Job output goes
// to this process's stdout and stderr, which are the worker's. It ignores terminal signals (the
// worker decides what stops), and when the worker goes, even by kill -9, the channel closes and it
// exits: its exit hook and the jobs' watchers (whose lifelines it holds) end every running job.
import {type JobOutcome, type RunJobOptions, runJob} from './run-job.js'

type RunRequest = {type: 'run'; id: number; input: Uint8Array; slots: number} & Pick<
  RunJobOptions,
  'command' | 'env' | 'timeoutMs' | 'killGraceMs'
>

export type HostRequest = RunRequest | {type: 'kill'; id: number} | {type: 'cancel-queued'}

export type HostReply = {type: 'done'; id: number; outcome: JobOutcome} | {type: 'not-started'; id: number} | {type: 'stdout-closed'}

const stops = new Map<number, AbortController>()
/** Jobs waiting for a slot, first in first out. */
const queued: RunRequest[] = []
let stdoutClosed = false

function send(reply: HostReply): void {
  process.send?.(reply)
}

/** Starts waiting jobs, in order, while slots are free (each request says how many the worker has). */
function startWaiting(): void {
  while (queued.length > 0 && stops.size < queued[0].slots && !stdoutClosed) start(queued.shift()!)
}

function start(request: RunRequest): void {
  const stop = new AbortController()
  stops.set(request.id, stop)
  const {input, id, type: _, slots: __, ...options} = request
  void runJob({...options, input: Buffer.from(input.buffer, input.byteOffset, input.byteLength), signal: stop.signal}).then(outcome => {
    stops.delete(id)
    // The next job first: its start is what a worker with short jobs waits on.
    startWaiting()
    // Output that could not be written is not a job done: the worker stops and the message comes back.
    send(stdoutClosed ? {type: 'stdout-closed'} : {type: 'done', id, outcome})
  })
}

/** Hands waiting jobs back unstarted, in their order. */
function cancel(which: (request: RunRequest) => boolean): void {
  for (const request of queued.filter(which)) {
    queued.splice(queued.indexOf(request), 1)
    send({type: 'not-started', id: request.id})
  }
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
  if (request.type === 'run') {
    queued.push(request)
    startWaiting()
  } else if (request.type === 'cancel-queued') cancel(() => true)
  else if (stops.has(request.id)) stops.get(request.id)!.abort()
  else cancel(waiting => waiting.id === request.id)
})
process.on('disconnect', () => process.exit(0))
