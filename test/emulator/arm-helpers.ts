// The emulator's ARM surface through @azure/arm-servicebus (a file of its own: the ARM SDK is big).
import {ServiceBusManagementClient} from '@azure/arm-servicebus'

import type {ServiceBusEmulator} from '../../src/emulator/servicebus/index.js'

/** An @azure/arm-servicebus client for the emulator's ARM surface (its token, its certificate, no retries). */
export function armClient(emulator: ServiceBusEmulator): ServiceBusManagementClient {
  const credential = {getToken: async () => ({token: emulator.armToken, expiresOnTimestamp: Date.now() + 3_600_000})}
  return new ServiceBusManagementClient(credential, 'sub-1', {
    endpoint: emulator.armEndpoint,
    tlsOptions: {ca: emulator.certificate.cert},
    retryOptions: {maxRetries: 0},
  } as never)
}
