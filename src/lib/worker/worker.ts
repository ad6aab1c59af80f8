// The worker loop of `qjob work`: lock a message, run its command, then complete, abandon or
// dead-letter it. Locks are renewed by the SDK while a job runs. Stopping takes no new messages,
// lets running jobs finish within the drain timeout, then kills and abandons what is left.
import type {ServiceBusClient, ServiceBusReceivedMessage, ServiceBusReceiver} from '@azure/service-bus'

import {bodyBytes, jobEnvironment} from './job-env.js'
import type {JobLog} from './job-log.js'
import {runJob} from './run-job.js'

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

export class Worker {
  readonly summary: WorkerSummary = {processed: 0, completed: 0, abandoned: 0, deadLettered: 0, failedSettlements: 0}
  private readonly killJobs = new AbortController()
  private taken = 0

  constructor(private readonly client: ServiceBusClient, private readonly options: WorkerOptions) {}

  async run(): Promise<WorkerSummary> {
    if (this.options.sessions) await this.runSessions()
    else {
      const receiver = this.client.createReceiver(this.options.queue, this.receiverOptions())
      try {
        await this.consume(receiver, this.options.concurrency)
      } finally {
        await receiver.close()
      }
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
  private async runSessions(): Promise<void> {
    while (!this.done) {
      let receiver: ServiceBusReceiver
      try {
        receiver = await this.client.acceptNextSession(this.options.queue, {...this.receiverOptions(), abortSignal: this.options.stop})
      } catch (error) {
        if (this.options.stop.aborted) return
        const code = (error as {code?: string}).code
        if (code === 'ServiceTimeout' || code === 'SessionCannotBeLocked') {
          if (this.options.exitWhenEmpty) return
          continue
        }
        throw error
      }
      try {
        await this.consume(receiver, 1, true)
      } finally {
        await receiver.close()
      }
    }
  }

  /** Receives and runs jobs with at most `concurrency` in flight, then drains. */
  private async consume(receiver: ServiceBusReceiver, concurrency: number, untilEmpty = false): Promise<void> {
    const running = new Set<Promise<void>>()
    const waitMs = this.options.waitMs ?? (this.options.exitWhenEmpty || untilEmpty ? EMPTY_CHECK_WAIT_MS : RECEIVE_WAIT_MS)
    while (!this.done) {
      const free = concurrency - running.size
      if (free <= 0) {
        await Promise.race(running)
        continue
      }
      const want = this.options.maxMessages === undefined ? free : Math.min(free, this.options.maxMessages - this.taken)
      const batch = await receiver.receiveMessages(want, {maxWaitTimeInMs: waitMs, abortSignal: this.options.stop}).catch((error: unknown) => {
        if (this.options.stop.aborted) return []
        throw error
      })
      if (batch.length === 0) {
        if (!(this.options.exitWhenEmpty || untilEmpty)) continue
        if (running.size === 0) break
        await Promise.race(running)
        continue
      }
      for (const message of batch) {
        if (this.done) {
          // Received after a stop (or past --max-messages): give it straight back.
          await receiver.abandonMessage(message).catch(() => undefined)
          continue
        }
        this.taken++
        const job: Promise<void> = this.process(receiver, message).finally(() => running.delete(job))
        running.add(job)
      }
    }
    await this.drain(running)
  }

  private async drain(running: Set<Promise<void>>): Promise<void> {
    if (running.size === 0) return
    let timer: NodeJS.Timeout | undefined
    const timedOut = new Promise<boolean>(resolve => {
      timer = setTimeout(() => resolve(true), this.options.drainTimeoutMs)
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

  private async process(receiver: ServiceBusReceiver, message: ServiceBusReceivedMessage): Promise<void> {
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
      await this.settle(receiver, message, 'dead-lettered', {reason: 'NoRoute', description})
      this.options.log({...base, outcome: 'dead-lettered', reason: 'NoRoute', duration_ms: 0})
      return
    }
    const result = await runJob({
      command,
      input: bodyBytes(message),
      env: jobEnvironment(message),
      timeoutMs: this.options.timeoutMs,
      signal: this.killJobs.signal,
    })
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
      if (outcome === 'completed') await receiver.completeMessage(message)
      else if (outcome === 'abandoned') await receiver.abandonMessage(message)
      else await receiver.deadLetterMessage(message, {deadLetterReason: deadLetter?.reason ?? 'Failed', deadLetterErrorDescription: deadLetter?.description ?? ''})
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
