// How errors name a topic, a subscription or a rule, and which one is missing when a call on a
// subscription answers "not found" (the topic itself may be the missing one: exit 3 names it).
import {NotFoundError} from '../../../common/errors.js'
import type {ManagementErrorContext} from '../errors.js'

type Entity = NonNullable<ManagementErrorContext['entity']>

export function topicEntity(topic: string): Entity {
  return {
    label: `topic "${topic}"`,
    listHint: 'List topics with "qjob topic list".',
    existsHint: 'Use --if-not-exists to accept an existing topic, or "qjob topic update".',
  }
}

export function subscriptionEntity(topic: string, subscription: string): Entity {
  return {
    label: `subscription "${subscription}" of topic "${topic}"`,
    listHint: `List them with "qjob subscription list --topic ${topic}".`,
    existsHint: 'Use --if-not-exists to accept an existing subscription, or "qjob subscription update".',
  }
}

export function ruleEntity(topic: string, subscription: string, rule: string): Entity {
  return {
    label: `rule "${rule}" of subscription "${subscription}" (topic "${topic}")`,
    listHint: `List them with "qjob rule list --topic ${topic} --subscription ${subscription}".`,
    existsHint: `Delete it first with "qjob rule delete ${rule} --topic ${topic} --subscription ${subscription}".`,
  }
}

/**
 * Runs `work`; when it fails as not found, finds out whether the topic (or the subscription) is the
 * missing one, so the error names it.
 */
export async function namingTheMissing<T>(
  work: () => Promise<T>,
  parents: Array<{exists: () => Promise<boolean>; entity: Entity}>,
): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error
    for (const parent of parents) {
      if (!(await parent.exists()))
        throw new NotFoundError(`${parent.entity.label} was not found`, {hint: parent.entity.listHint, cause: error})
    }
    throw error
  }
}
