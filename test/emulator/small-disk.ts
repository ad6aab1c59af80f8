// A real, small filesystem for disk-full tests: a tmpfs mounted on a temp dir (needs root, as in
// the project's CI container). Where mounting is not allowed the tests that need it are skipped,
// saying why. fill() takes every free byte with a filler file; free() gives the space back.
import {execFileSync} from 'node:child_process'
import {closeSync, mkdtempSync, openSync, rmSync, writeSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

export interface SmallDisk {
  path: string
  /** Writes a filler file until the disk is full, then gives back `leaveBytes` (rounded to pages). */
  fill(leaveBytes?: number): void
  free(): void
  unmount(): void
}

let unavailable: string | undefined

export function mountSmallDisk(megabytes = 4): SmallDisk | undefined {
  if (unavailable) return undefined
  const path = mkdtempSync(join(tmpdir(), 'qjob-small-disk-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${megabytes}m,mode=0700`, 'tmpfs', path], {stdio: 'ignore'})
  } catch (error) {
    rmSync(path, {recursive: true, force: true})
    unavailable = `cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]})`
    return undefined
  }
  const filler = join(path, 'filler')
  return {
    path,
    fill(leaveBytes = 0) {
      const fd = openSync(filler, 'a')
      const chunk = Buffer.alloc(64 * 1024, 1)
      let written = 0
      try {
        for (;;) written += writeSync(fd, chunk)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
      }
      // Smaller writes take the last partial chunk too.
      try {
        for (;;) written += writeSync(fd, chunk, 0, 512)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error
      }
      closeSync(fd)
      if (leaveBytes > 0) execFileSync('truncate', ['-s', String(Math.max(0, written - leaveBytes)), filler])
    },
    free() {
      rmSync(filler, {force: true})
    },
    unmount() {
      execFileSync('umount', ['-l', path], {stdio: 'ignore'})
      rmSync(path, {recursive: true, force: true})
    },
  }
}

export function smallDiskUnavailable(): string | undefined {
  return unavailable
}
