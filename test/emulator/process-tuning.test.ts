// The Node flags and environment `qjob emulator start` gives its background emulator process.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'

import {emulatorLaunch} from '../../src/lib/emulator/process-tuning.js'

describe('emulatorLaunch', () => {
  test('a 4 MB young generation, a fixed mmap threshold and an 8 MB trim threshold, on top of the environment given', () => {
    const launch = emulatorLaunch({PATH: '/bin', QJOB_EMULATOR_LOG: '/tmp/log'})
    assert.deepEqual(launch.execArgv, ['--max-semi-space-size=4'])
    assert.deepEqual(launch.env, {
      MALLOC_MMAP_THRESHOLD_: '262144',
      MALLOC_TRIM_THRESHOLD_: '8388608',
      PATH: '/bin',
      QJOB_EMULATOR_LOG: '/tmp/log',
    })
  })

  test("the user's own settings win", () => {
    const launch = emulatorLaunch({
      NODE_OPTIONS: '--max-semi-space-size=32',
      MALLOC_MMAP_THRESHOLD_: '1048576',
      MALLOC_TRIM_THRESHOLD_: '0',
    })
    assert.deepEqual(launch.execArgv, [])
    assert.equal(launch.env.MALLOC_MMAP_THRESHOLD_, '1048576')
    assert.equal(launch.env.MALLOC_TRIM_THRESHOLD_, '0')
    assert.equal(launch.env.NODE_OPTIONS, '--max-semi-space-size=32')
  })
})
