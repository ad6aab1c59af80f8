// `qjob queue attach`: wire a Service Bus queue to a Heroku app. Ensures a policy on the queue with
// the rights the app needs (Listen for workers; Listen,Send for a web dyno that also sends), then
// sets the policy's connection string and the queue name as the app's config vars. Everything is
// checked before anything changes; a failure after the policy was created deletes it again.
// Keys never appear in the plan or the result.
import {NotFoundError, UsageError} from '../../common/errors.js'
import type {Settings} from '../config.js'
import {withBackend, type ManagementFlags} from '../management/backend.js'
import type {AccessRight, ManagementBackend} from '../management/types.js'
import {getConfigVars, updateConfigVars} from './config-vars.js'
import {connectHeroku} from './session.js'

export const DEFAULT_CONNECTION_VAR = 'SERVICEBUS_CONNECTION_STRING'
export const DEFAULT_QUEUE_VAR = 'QUEUE_NAME'

export interface AttachOptions {
  queue: string
  app?: string
  policy?: string
  rights: AccessRight[]
  connectionVar: string
  queueVar: string
  dryRun: boolean
}

export interface AttachResult {
  app: string
  queue: string
  policy: string
  rights: AccessRight[]
  policyCreated: boolean
  /** The config vars set (names only: the connection string is a secret). */
  configVars: string[]
  dryRun: boolean
  /** What was (or, with --dry-run, would be) done, one line each. */
  steps: string[]
}

const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

/** The policy attach creates when none is named: one per app and set of rights. */
export function defaultPolicyName(app: string, rights: readonly AccessRight[]): string {
  return `${app}-${rights.map(right => right.toLowerCase()).join('-')}`.slice(0, 256)
}

function checkVarNames(...names: string[]): void {
  for (const name of names) {
    if (!VAR_NAME.test(name))
      throw new UsageError(`"${name}" is not a valid config var name`, {
        hint: 'Use letters, digits and underscores, not starting with a digit.',
      })
  }
  if (names[0] === names[1]) throw new UsageError('--var and --queue-var name the same config var')
}

async function requireQueue(backend: ManagementBackend, queue: string): Promise<void> {
  if (!(await backend.queueExists(queue)))
    throw new NotFoundError(`queue "${queue}" not found`, {
      hint: 'Create it with "qjob queue create", or check the name with "qjob queue list".',
    })
}

export async function attachQueue(settings: Settings, flags: ManagementFlags, options: AttachOptions): Promise<AttachResult> {
  checkVarNames(options.connectionVar, options.queueVar)
  const {api, app} = await connectHeroku(settings, {app: options.app})
  return withBackend(settings, flags, async backend => {
    await requireQueue(backend, options.queue)
    // The app must exist before the policy is made (404 → exit 3, nothing changed).
    await getConfigVars(api, app)
    const policies = await backend.listPolicies(options.queue)
    const policyName = options.policy ?? defaultPolicyName(app, options.rights)
    const existing = policies.find(policy => policy.name === policyName)
    if (existing) {
      const missing = options.rights.filter(right => !existing.rights.includes(right))
      if (missing.length > 0) {
        throw new UsageError(`policy "${policyName}" on ${options.queue} lacks ${missing.join(', ')}`, {
          hint: 'Name another policy with --policy, or leave --policy out to have one created.',
        })
      }
    }
    const steps = [
      existing
        ? `use policy ${policyName} on queue ${options.queue} (${existing.rights.join(', ')})`
        : `create policy ${policyName} on queue ${options.queue} (${options.rights.join(', ')})`,
      `set ${options.connectionVar} (the policy's connection string, secret) and ${options.queueVar}=${options.queue} on app ${app} (a new release; the dynos restart)`,
    ]
    const result: AttachResult = {
      app,
      queue: options.queue,
      policy: policyName,
      rights: existing?.rights ?? options.rights,
      policyCreated: false,
      configVars: [options.connectionVar, options.queueVar],
      dryRun: options.dryRun,
      steps,
    }
    if (options.dryRun) return result
    if (!existing) {
      await backend.createPolicy(options.queue, policyName, options.rights)
      result.policyCreated = true
    }
    try {
      const connectionString = await backend.policyConnectionString(options.queue, policyName)
      await updateConfigVars(api, app, {[options.connectionVar]: connectionString, [options.queueVar]: options.queue})
    } catch (error) {
      if (result.policyCreated) await backend.deletePolicy(options.queue, policyName).catch(() => undefined)
      throw error
    }
    return result
  })
}

export interface DetachOptions {
  queue: string
  app?: string
  connectionVar: string
  queueVar: string
  /** Also delete this policy from the queue (revoking its key everywhere). */
  deletePolicy?: string
  dryRun: boolean
}

export interface DetachResult {
  app: string
  queue: string
  removed: string[]
  policyDeleted?: string
  dryRun: boolean
  steps: string[]
}

export async function detachQueue(settings: Settings, flags: ManagementFlags, options: DetachOptions): Promise<DetachResult> {
  checkVarNames(options.connectionVar, options.queueVar)
  const {api, app} = await connectHeroku(settings, {app: options.app})
  const current = await getConfigVars(api, app)
  const removed = [options.connectionVar, options.queueVar].filter(name => name in current)
  if (current[options.queueVar] !== undefined && current[options.queueVar] !== options.queue) {
    throw new UsageError(`app ${app} has ${options.queueVar}=${current[options.queueVar]}, not ${options.queue}`, {
      hint: 'Nothing changed; name the queue the app is attached to.',
    })
  }
  const steps =
    removed.length > 0
      ? [`remove ${removed.join(', ')} from app ${app} (a new release; the dynos restart)`]
      : [`app ${app} has none of ${options.connectionVar}, ${options.queueVar}: nothing to remove`]
  if (options.deletePolicy) steps.push(`delete policy ${options.deletePolicy} of queue ${options.queue}`)
  const result: DetachResult = {app, queue: options.queue, removed, dryRun: options.dryRun, steps}
  if (options.dryRun) return result
  if (removed.length > 0) await updateConfigVars(api, app, Object.fromEntries(removed.map(name => [name, null])))
  if (options.deletePolicy) {
    const policy = options.deletePolicy
    await withBackend(settings, flags, backend => backend.deletePolicy(options.queue, policy))
    result.policyDeleted = policy
  }
  return result
}
