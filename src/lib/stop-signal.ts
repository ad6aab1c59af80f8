// SIGINT/SIGTERM as an AbortSignal for commands that stop cleanly (send, receive): the first
// signal aborts, the command finishes what it must, reports, and exits 130 (INT) or 143 (TERM).

export interface StopSignal {
  signal: AbortSignal
  /** Which signal stopped us, if one did. */
  readonly stoppedBy: NodeJS.Signals | undefined
  /** 130 for SIGINT, 143 for SIGTERM, undefined when not stopped. */
  readonly exitCode: number | undefined
  dispose(): void
}

export function stopOnSignals(): StopSignal {
  const abort = new AbortController()
  let stoppedBy: NodeJS.Signals | undefined
  const stop = (signal: NodeJS.Signals) => {
    stoppedBy ??= signal
    abort.abort()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return {
    signal: abort.signal,
    get stoppedBy() {
      return stoppedBy
    },
    get exitCode() {
      if (stoppedBy === undefined) return undefined
      return stoppedBy === 'SIGTERM' ? 143 : 130
    },
    dispose() {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    },
  }
}
