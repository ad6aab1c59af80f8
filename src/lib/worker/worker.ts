// The worker loop of `qjob work`: lock a message, run its command, then complete, abandon or
// dead-letter it. Locks are renewed by the SDK while a job runs. Stopping takes no new messages,
// lets running jobs finish within the drain timeout (counted from the signal, whatever the slots
// are doing), then kills and abandons what is left. A lost connection is retried with a bounded
// backoff, each attempt logged, instead of ending the worker.
import {setMaxListeners} from 'node:events'

import type {ServiceBusClient, ServiceBusReceivedMessage, ServiceBusReceiver} from '@azure/service-bus'

import {splitEntityPath} from '../servicebus/entity.js'
import {bodyBytes, jobEnvironment} from './job-env.js'
import type {JobLog} from './job-log.js'
import {JobRunner} from './job-runner.js'
import type {JobOutcome} from './run-job.js'
import {SettlementOrder} from '../servicebus/settlement-order.js'
import {PIPE_CLOSED_EXIT_CODE} from '../stdout.js'

export interface WorkerOptions {
  queue: string
  exec?: string
  routes: ReadonlyMap<string, string>
  deadLetterOn: ReadonlySet<number>
  concurrency: number
  maxLockRenewalMs: number
  timeoutMs?: number
  drainTimeoutMs: number
  maxMessages?: number
  exitWhenEmpty: boolean
  sessions: boolean
  /** Aborted on SIGTERM/SIGINT: stop taking messages and drain. */
  stop: AbortSignal
  log: (entry: JobLog) => void
  /** How long one receive call waits for messages. */
  waitMs?: number
  /** Messages that may wait locked for a slot while jobs are short (default: 1 per 4 slots, at least 4). */
  prefetch?: number
  /** Reconnect delays (ms): the first, the cap, and how many failures in a row end the worker. */
  reconnect?: {initialMs: number; maxMs: number; attempts: number}
}

export interface WorkerSummary {
  processed: number
  completed: number
  abandoned: number
  deadLettered: number
  failedSettlements: number
}

type Outcome = 'completed' | 'abandoned' | 'dead-lettered'

const RECEIVE_WAIT_MS = 5000
const EMPTY_CHECK_WAIT_MS = 2000
/** Jobs shorter than this on average get messages locked ahead; longer ones leave them to other workers. */
const SHORT_JOB_MS = 1000

/** At least a few, so that the messages for short jobs come in batches, not one receive each. */
export function defaultPrefetch(concurrency: number): number {
  return Math.max(4, Math.ceil(concurrency / 4))
}
/** About three minutes of failures in a row (1+2+4+8+16+30x5 s), then the worker gives up. */
const RECONNECT = {initialMs: 1000, maxMs: 30_000, attempts: 10}

/** Errors that no retry will fix: a wrong key, a missing or disabled queue. */
const FATAL_CODES = new Set(['UnauthorizedAccess', 'MessagingEntityNotFound', 'MessagingEntityDisabled'])

export class Worker {
  readonly summary: WorkerSummary = {processed: 0, completed: 0, abandoned: 0, deadLettered: 0, failedSettlements: 0}
  private readonly killJobs = new AbortController()
  // Jobs start in a small host process; stdout closed there ends the worker as its own EPIPE would.
  private readonly jobs = new JobRunner(() => process.exit(PIPE_CLOSED_EXIT_CODE))
  private taken = 0
  private readonly settlements = new SettlementOrder()
  private averageJobMs?: number
  private failuresInARow = 0
  /** When SIGTERM/SIGINT arrived: the drain timeout counts from here. */
  private stoppedAt?: number
  private readonly stopped: Promise<void>

  constructor(
    private readonly client: ServiceBusClient,
    private readonly options: WorkerOptions,
  ) {
    // Each running job listens on it; Node's leak warning at eleven would be noise on stderr.
    setMaxListeners(0, this.killJobs.signal)
    this.stopped = new Promise(resolve => {
      if (options.stop.aborted) {
        this.stoppedAt = Date.now()
        resolve()
      } else {
        options.stop.addEventListener(
          'abort',
          () => {
            this.stoppedAt = Date.now()
            resolve()
          },
          {once: true},
        )
      }
    })
  }

  /** Waits before the next attempt after a failed receive; throws when it should not go on. */
  private async backOff(error: unknown): Promise<void> {
    const code = (error as {code?: string}).code
    const policy = this.options.reconnect ?? RECONNECT
    this.failuresInARow++
    if ((code !== undefined && FATAL_CODES.has(code)) || this.failuresInARow > policy.attempts) throw error
    const delayMs = Math.min(policy.maxMs, policy.initialMs * 2 ** (this.failuresInARow - 1))
    this.options.log({at: 'worker', event: 'reconnect', attempt: this.failuresInARow, in_ms: delayMs, error: firstLine(error)})
    let timer: NodeJS.Timeout | undefined
    await Promise.race([new Promise(resolve => (timer = setTimeout(resolve, delayMs))), this.stopped])
    clearTimeout(timer)
  }

  async run(): Promise<WorkerSummary> {
    this.jobs.start() // while the connection opens
    try {
      if (this.options.sessions) await this.runSessions()
      else {
        const {name, subscription} = splitEntityPath(this.options.queue)
        const receiver =
          subscription === undefined
            ? this.client.createReceiver(name, this.receiverOptions())
            : this.client.createReceiver(name, subscription, this.receiverOptions())
        try {
          await this.consume(receiver, this.options.concurrency)
        } finally {
          await receiver.close()
        }
      }
    } finally {
      this.jobs.close()
    }
    return this.summary
  }

  private receiverOptions() {
    return {receiveMode: 'peekLock' as const, skipParsingBodyAsJson: true, maxAutoLockRenewalDurationInMs: this.options.maxLockRenewalMs}
  }

  private get done(): boolean {
    const {maxMessages, stop} = this.options
    return stop.aborted || (maxMessages !== undefined && this.taken >= maxMessages)
  }

  /** Sessions one at a time, each until it has no more messages. */
  // (A failure to accept a session that is not "none available" is retried like a receive.)
  private async runSessions(): Promise<void> {
    while (!this.done) {
      let receiver: ServiceBusReceiver
      try {
        const {name, subscription} = splitEntityPath(this.options.queue)
        const options = {...this.receiverOptions(), abortSignal: this.options.stop}
        receiver = await (subscription === undefined
          ? this.client.acceptNextSession(name, options)
          : this.client.acceptNextSession(name, subscription, options))
      } catch (error) {
        if (this.options.stop.aborted) return
        const code = (error as {code?: string}).code
        if (code === 'ServiceTimeout' || code === 'SessionCannotBeLocked') {
          this.failuresInARow = 0
          if (this.options.exitWhenEmpty) return
          continue
        }
        await this.backOff(error)
        continue
      }
      try {
        await this.consume(receiver, 1, true)
      } finally {
        await receiver.close()
      }
    }
  }

  /**
   * Receives and runs jobs with at most `concurrency` in flight, then drains. The next receive is
   * in flight while jobs run, and a job's settlement does not hold up the next job: a slot frees
   * when its process ends. While jobs are short, up to `prefetch` messages wait locked (their
   * locks renewed like a running job's), queued in the job host, so a freed slot starts the next
   * job there at once, without a round trip to this process or to Service Bus.
   */
  private async consume(receiver: ServiceBusReceiver, concurrency: number, untilEmpty = false): Promise<void> {
    /** Jobs sent to the job host: running there, or waiting there for one of its `concurrency` slots. */
    const running = new Set<Promise<void>>()
    const settling = new Set<Promise<void>>()
    const held: ServiceBusReceivedMessage[] = []
    const emptyEnds = this.options.exitWhenEmpty || untilEmpty
    const waitMs = this.options.waitMs ?? (emptyEnds ? EMPTY_CHECK_WAIT_MS : RECEIVE_WAIT_MS)
    // A session's order must hold when a job is abandoned, so nothing waits ahead of it there.
    const prefetch = untilEmpty ? 0 : (this.options.prefetch ?? defaultPrefetch(concurrency))
    const track = (set: Set<Promise<void>>, work: Promise<void>) => {
      const tracked: Promise<void> = work.finally(() => set.delete(tracked))
      set.add(tracked)
    }
    let receiving = false
    let sawEmpty = false
    let fatal: {error: unknown} | undefined
    let wake = () => {}

    const receive = async (want: number) => {
      receiving = true
      try {
        const batch = await receiver.receiveMessages(want, {maxWaitTimeInMs: waitMs, abortSignal: this.options.stop})
        this.failuresInARow = 0
        sawEmpty = batch.length === 0
        for (const message of batch) {
          if (this.done) {
            // Received after a stop (or past --max-messages): give it straight back.
            track(settling, this.abandonQuietly(receiver, message))
            continue
          }
          this.taken++
          held.push(message)
        }
      } catch (error) {
        if (!this.options.stop.aborted) await this.backOff(error).catch(error_ => (fatal = {error: error_}))
      } finally {
        receiving = false
        wake()
      }
    }

    for (;;) {
      const changed = new Promise<void>(resolve => (wake = resolve))
      const lookAhead = this.jobsAreShort() ? prefetch : 0
      while (held.length > 0 && running.size < concurrency + lookAhead && !this.options.stop.aborted) {
        const message = held.shift()!
        let ended = () => {}
        track(running, new Promise<void>(resolve => (ended = resolve)))
        track(
          settling,
          this.process(receiver, message, concurrency, () => {
            ended()
            sawEmpty = false
            wake()
          }),
        )
      }
      if (fatal !== undefined) throw fatal.error
      if (this.options.stop.aborted) break
      const left = this.options.maxMessages === undefined ? Infinity : this.options.maxMessages - this.taken
      if (!receiving && held.length === 0 && (left <= 0 || (emptyEnds && sawEmpty && running.size === 0))) break
      const want = Math.min(left, concurrency + lookAhead - running.size - held.length)
      // While messages wait, top them up in batches: a receive costs about as much for one as for several.
      const batch = held.length > 0 ? Math.min(left, Math.ceil(lookAhead / 2)) : 1
      // After an empty receive with --exit-when-empty, wait for a running job: its message may come back.
      if (!receiving && want > 0 && want >= batch && !(emptyEnds && sawEmpty)) void receive(want)
      await Promise.race([changed, this.stopped])
    }
    // Stopped: what waited for a slot (here or in the job host) goes back at once; running jobs get the drain timeout.
    for (const message of held.splice(0)) track(settling, this.abandonQuietly(receiver, message))
    if (this.options.stop.aborted) this.jobs.cancelQueued()
    await this.drain(running)
    await Promise.all(settling)
  }

  /** Gives a message back without running it (after a stop); a failure only means its lock expires. */
  private async abandonQuietly(receiver: ServiceBusReceiver, message: ServiceBusReceivedMessage): Promise<void> {
    await this.settlements.run('other', () => receiver.abandonMessage(message)).catch(() => undefined)
  }

  /** Short jobs (by a moving average of their run time) are where a receive round trip shows. */
  private jobsAreShort(): boolean {
    return this.averageJobMs !== undefined && this.averageJobMs < SHORT_JOB_MS
  }

  private noteJobTime(durationMs: number): void {
    this.averageJobMs = this.averageJobMs === undefined ? durationMs : this.averageJobMs * 0.8 + durationMs * 0.2
  }

  private async drain(running: Set<Promise<void>>): Promise<void> {
    if (running.size === 0) return
    let timer: NodeJS.Timeout | undefined
    const left = this.stoppedAt === undefined ? this.options.drainTimeoutMs : this.options.drainTimeoutMs - (Date.now() - this.stoppedAt)
    const timedOut = new Promise<boolean>(resolve => {
      timer = setTimeout(() => resolve(true), Math.max(0, left))
    })
    const finished = Promise.all(running).then(() => false)
    if (await Promise.race([finished, timedOut])) {
      this.options.log({at: 'worker', event: 'drain-timeout', killing: running.size})
      this.killJobs.abort()
      await finished
    }
    clearTimeout(timer)
  }

  private commandFor(message: ServiceBusReceivedMessage): string | undefined {
    return (message.subject === undefined ? undefined : this.options.routes.get(message.subject)) ?? this.options.exec
  }

  /**
   * Runs the message's job (in one of the host's `slots`) and settles it; `ended` is called once the
   * job's process is over, or once it is handed back unstarted after a stop.
   */
  private async process(receiver: ServiceBusReceiver, message: ServiceBusReceivedMessage, slots: number, ended: () => void): Promise<void> {
    const base: JobLog = {
      at: 'job',
      id: message.messageId === undefined ? undefined : String(message.messageId),
      seq: message.sequenceNumber?.toString(),
      subject: message.subject,
      attempt: (message.deliveryCount ?? 0) + 1,
    }
    const command = this.commandFor(message)
    if (command === undefined) {
      const description = `no --route for subject "${message.subject ?? ''}" and no --exec`
      ended()
      await this.settle(receiver, message, 'dead-lettered', {reason: 'NoRoute', description})
      this.options.log({...base, outcome: 'dead-lettered', reason: 'NoRoute', duration_ms: 0})
      return
    }
    let result: JobOutcome | undefined
    try {
      result = await this.jobs.run({
        command,
        input: bodyBytes(message),
        env: jobEnvironment(message),
        timeoutMs: this.options.timeoutMs,
        signal: this.killJobs.signal,
        slots,
      })
    } finally {
      ended()
    }
    if (result === undefined) return this.abandonQuietly(receiver, message)
    this.noteJobTime(result.durationMs)
    const {exitCode} = result
    let outcome: Outcome = 'abandoned'
    let reason: string | undefined
    if (exitCode === 0 && !result.timedOut) outcome = 'completed'
    else if (exitCode !== undefined && !result.timedOut && this.options.deadLetterOn.has(exitCode)) {
      outcome = 'dead-lettered'
      reason = `ExitCode${exitCode}`
    }
    const settled = await this.settle(receiver, message, outcome, {
      reason: reason ?? '',
      description: result.stderrTail || `the command exited with code ${exitCode}`,
    })
    this.options.log({
      ...base,
      outcome: settled ? outcome : 'lock-lost',
      exit: exitCode,
      signal: result.signal,
      timeout: result.timedOut || undefined,
      reason,
      duration_ms: result.durationMs,
    })
  }

  /** Settles a message; a lost lock is logged, not fatal (the message comes back). */
  private async settle(
    receiver: ServiceBusReceiver,
    message: ServiceBusReceivedMessage,
    outcome: Outcome,
    deadLetter?: {reason: string; description: string},
  ): Promise<boolean> {
    this.summary.processed++
    try {
      await this.settlements.run(outcome === 'completed' ? 'complete' : 'other', () => {
        if (outcome === 'completed') return receiver.completeMessage(message)
        if (outcome === 'abandoned') return receiver.abandonMessage(message)
        return receiver.deadLetterMessage(message, {
          deadLetterReason: deadLetter?.reason ?? 'Failed',
          deadLetterErrorDescription: deadLetter?.description ?? '',
        })
      })
    } catch (error) {
      this.summary.failedSettlements++
      this.options.log({at: 'worker', event: 'settle-failed', seq: message.sequenceNumber?.toString(), error: (error as Error).message})
      return false
    }
    if (outcome === 'completed') this.summary.completed++
    else if (outcome === 'abandoned') this.summary.abandoned++
    else this.summary.deadLettered++
    return true
  }
}

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]
}
