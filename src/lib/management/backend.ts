// Picks the management backend: ARM when a subscription, resource group and namespace name are
// all set (flags or environment), else the ATOM API with the Service Bus connection.
import type {Settings} from '../config.js'
import {UsageError} from '../../common/errors.js'
import {type ConnectionFlags, resolveConnection} from '../servicebus/connection.js'
import {redactSdkLogs} from '../servicebus/sdk-logging.js'
import type {ManagementBackend} from './types.js'

export interface ManagementFlags extends ConnectionFlags {
  'azure-subscription'?: string
  'resource-group'?: string
  'namespace-name'?: string
}

export async function openBackend(settings: Settings, flags: ManagementFlags): Promise<ManagementBackend> {
  const arm = {
    subscription: settings.get('azure-subscription', flags['azure-subscription']),
    resourceGroup: settings.get('resource-group', flags['resource-group']),
    namespaceName: settings.get('namespace-name', flags['namespace-name']),
  }
  await redactSdkLogs()
  const given = Object.values(arm).filter(Boolean).length
  if (given === 3) {
    const {ArmBackend} = await import('./arm.js')
    return ArmBackend.open({
      subscription: arm.subscription!,
      resourceGroup: arm.resourceGroup!,
      namespaceName: arm.namespaceName!,
      endpoint: settings.envValue('AZURE_RESOURCE_MANAGER_URL'),
      token: settings.envValue('AZURE_ACCESS_TOKEN'),
    })
  }
  if (given > 0) {
    throw new UsageError('the ARM backend needs --azure-subscription, --resource-group and --namespace-name together', {
      hint: 'Set all three (or AZURE_SUBSCRIPTION_ID, AZURE_RESOURCE_GROUP, SERVICEBUS_NAMESPACE_NAME), or none to use the connection string.',
    })
  }
  const {AtomBackend} = await import('./atom.js')
  return AtomBackend.open(resolveConnection(settings, flags))
}

export async function withBackend<T>(
  settings: Settings,
  flags: ManagementFlags,
  work: (backend: ManagementBackend) => Promise<T>,
): Promise<T> {
  const backend = await openBackend(settings, flags)
  try {
    return await work(backend)
  } finally {
    await backend.close()
  }
}
