// The two management backends as a test drives them through bin/run.js against the emulator:
// ATOM with the emulator's connection string, and ARM with its bearer token and certificate.
import type {ServiceBusEmulator} from '../../src/emulator/servicebus/index.js'

export interface ManagementBackendEnv {
  name: 'atom' | 'arm'
  env: (emulator: ServiceBusEmulator) => NodeJS.ProcessEnv
}

export const MANAGEMENT_BACKENDS: ManagementBackendEnv[] = [
  {name: 'atom', env: emulator => ({SERVICEBUS_CONNECTION_STRING: emulator.connectionString})},
  {
    name: 'arm',
    env: emulator => ({
      AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000000',
      AZURE_RESOURCE_GROUP: 'local-rg',
      SERVICEBUS_NAMESPACE_NAME: 'local',
      AZURE_RESOURCE_MANAGER_URL: emulator.armEndpoint,
      AZURE_ACCESS_TOKEN: emulator.armToken,
      NODE_EXTRA_CA_CERTS: emulator.certPath,
    }),
  },
]
