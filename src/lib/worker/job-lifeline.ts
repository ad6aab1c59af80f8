// Jobs die with the process that started them (the job host), however it dies. One watcher per
// host does it: a small shell in a process group and session of its own, reading a pipe that only
// the host and its starting jobs hold. Each job writes its pid (its group) to that pipe, as its fd
// 3, before its command runs, and the host writes `-pid` once the job is over. When the host exits,
// even by kill -9, and no job still holds the pipe, the watcher reads end of file and kills every
// group still listed (TERM, then KILL after the longest grace period asked for).
//
// A job registers itself, so a job is listed before the pipe can close however early the host
// dies. One watcher instead of one per job saves two forks a job, which on a small machine cost
// as much as the job's own shell. A watcher that is killed is started again, told what is running.
import {type ChildProcess, spawn} from 'node:child_process'
import type {Socket} from 'node:net'

/** The watcher's script (dash and POSIX sh): the live groups are a space-separated list. */
const WATCHER = `trap '' TERM INT HUP
live=' '
grace=0
while read -r pid g; do
  case $pid in
  -*) pid=\${pid#-}; case $live in *" $pid "*) live="\${live%% $pid *} \${live#* $pid }" ;; esac ;;
  *) live="$live$pid "; [ "$g" -gt "$grace" ] 2>/dev/null && grace=$g ;;
  esac
done
[ "$live" = ' ' ] && exit 0
for pid in $live; do kill -TERM -$pid 2>/dev/null; done
sleep $grace
for pid in $live; do kill -KILL -$pid 2>/dev/null; done`

export function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal)
  } catch {
    // already gone
  }
}

export class JobLifeline {
  private watcher?: ChildProcess
  /** Running job groups and their grace periods (s), to tell a restarted watcher. */
  private readonly live = new Map<number, number>()
  private exitHookInstalled = false

  /** The pipe to give a job as its fd 3; the job writes `$$ GRACE` to it first thing. */
  pipe(): Socket {
    return (this.watcher ?? this.startWatcher()).stdin as Socket
  }

  /** The shell line a job runs before its command: register, then close the pipe. */
  static register(graceSeconds: number): string {
    return `echo $$ ${graceSeconds} >&3; exec 3>&-;`
  }

  started(pid: number, graceSeconds: number): void {
    this.live.set(pid, graceSeconds)
    if (this.exitHookInstalled) return
    // A clean exit ends the running jobs itself; the watcher covers kill -9.
    this.exitHookInstalled = true
    process.on('exit', () => {
      for (const pid of this.live.keys()) killGroup(pid, 'SIGTERM')
    })
  }

  ended(pid: number): void {
    this.live.delete(pid)
    this.watcher?.stdin?.write(`-${pid}\n`)
  }

  private startWatcher(): ChildProcess {
    const watcher = spawn('/bin/sh', ['-c', WATCHER], {detached: true, stdio: ['pipe', 'ignore', 'ignore']})
    const stdin = watcher.stdin as Socket
    stdin.on('error', () => undefined) // a watcher gone is replaced on exit
    // Idle, the watcher must not keep this process alive.
    watcher.unref()
    stdin.unref()
    watcher.once('exit', () => {
      if (this.watcher !== watcher) return
      this.watcher = undefined
      if (this.live.size > 0) this.startWatcher()
    })
    this.watcher = watcher
    for (const [pid, grace] of this.live) stdin.write(`${pid} ${grace}\n`)
    return watcher
  }
}
