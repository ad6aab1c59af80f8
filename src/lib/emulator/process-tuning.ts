// How `qjob emulator start` starts the emulator's own process: settings that keep its memory close
// to what its queues hold (the first two matter most right after an ingest burst), and one that
// keeps ingest from faulting pages in over and over. Measured on 200,000 x 1 KB
// queued (BENCHMARKS.md, issue 24, the section on these settings): 0.50-0.63 -> 0.30-0.32 KB of RSS
// a message durable, 1.45-1.48 -> 1.25-1.29 KB in memory. The price: the smaller young generation
// collects more often, ~9 % more emulator CPU during ingest (~6 % fewer msg/s when the emulator is
// the bottleneck) and ~90 ms more start-up (medians of six starts: ~460 -> ~550 ms).
// - A young generation of at most 4 MB a semi-space (V8's default grows to 16): a burst grows it
//   to the maximum, and V8 hands it back only after seconds of idle (~30 MB).
// - glibc maps every allocation of 256 KB or more on its own (MALLOC_MMAP_THRESHOLD_): the payload
//   slabs (payload-arena.ts) then go back to the OS when freed. By default the threshold rises as
//   slabs are freed, later slabs land in the brk heap among short-lived buffers, and the gaps those
//   leave stay resident. Other C libraries ignore the variable.
// - glibc keeps up to 8 MB free at the top of its heap (MALLOC_TRIM_THRESHOLD_; 128 KB once the
//   mmap threshold is set) instead of handing it back after every burst of frees: during ingest
//   each batch's buffers were returned and faulted in again, a sixth of the emulator's CPU in page
//   faults. At most 8 MB more RSS (0.04 KB a message at 200,000).
// A value the user set (in the environment or NODE_OPTIONS) is kept.
const SEMI_SPACE_FLAG = '--max-semi-space-size'
const SEMI_SPACE_MB = 4
const MMAP_THRESHOLD_VARIABLE = 'MALLOC_MMAP_THRESHOLD_'
const MMAP_THRESHOLD_BYTES = 256 * 1024
const TRIM_THRESHOLD_VARIABLE = 'MALLOC_TRIM_THRESHOLD_'
const TRIM_THRESHOLD_BYTES = 8 * 1024 * 1024

export interface ProcessLaunch {
  /** Node flags, before the script. */
  execArgv: string[]
  env: NodeJS.ProcessEnv
}

export function emulatorLaunch(env: NodeJS.ProcessEnv = process.env): ProcessLaunch {
  const userSetSemiSpace = (env.NODE_OPTIONS ?? '').includes(SEMI_SPACE_FLAG)
  return {
    execArgv: userSetSemiSpace ? [] : [`${SEMI_SPACE_FLAG}=${SEMI_SPACE_MB}`],
    env: {[MMAP_THRESHOLD_VARIABLE]: String(MMAP_THRESHOLD_BYTES), [TRIM_THRESHOLD_VARIABLE]: String(TRIM_THRESHOLD_BYTES), ...env},
  }
}
