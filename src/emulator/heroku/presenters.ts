// Records → the JSON bodies of the Platform API (both the current and the deprecated field names,
// since clients read either).
import {ACCOUNT_EMAIL} from './constants.js'
import {apiTime, stableUuid} from './ids.js'
import {findSize} from './sizes.js'
import type {ReleaseRecord} from './config-vars.js'
import type {AppRecord, DynoRecord, FormationRecord} from './store.js'

const region = {id: stableUuid('region:us'), name: 'us'}
const stack = {id: stableUuid('stack:heroku-24'), name: 'heroku-24'}
const generation = {id: stableUuid('generation:cedar'), name: 'cedar'}
const accountId = stableUuid(`account:${ACCOUNT_EMAIL}`)
const startedAt = new Date()

function appRef(app: AppRecord): {id: string; name: string} {
  return {id: app.id, name: app.name}
}

export function presentApp(app: AppRecord, _baseUrl?: string) {
  return {
    acm: false,
    archived_at: null,
    buildpack_provided_description: 'Procfile',
    build_stack: stack,
    created_at: apiTime(app.createdAt),
    generation,
    git_url: `https://git.heroku.com/${app.name}.git`,
    id: app.id,
    internal_routing: null,
    maintenance: false,
    name: app.name,
    owner: {email: ACCOUNT_EMAIL, id: accountId},
    organization: null,
    team: null,
    region,
    released_at: apiTime(app.releasedAt),
    repo_size: null,
    slug_size: null,
    space: null,
    stack,
    updated_at: apiTime(app.releasedAt),
    // The schema's form (the local API serves no web traffic of its own at baseUrl).
    web_url: `https://${app.name}.herokuapp.com/`,
  }
}

export function presentAccount() {
  return {
    allow_tracking: false,
    beta: false,
    created_at: apiTime(startedAt),
    email: ACCOUNT_EMAIL,
    federated: false,
    id: accountId,
    identity_provider: null,
    last_login: apiTime(startedAt),
    name: 'Local Developer',
    sms_number: null,
    suspended_at: null,
    delinquent_at: null,
    two_factor_authentication: false,
    updated_at: apiTime(startedAt),
    verified: true,
    country_of_residence: null,
    default_organization: null,
    default_team: null,
  }
}

export function presentFormation(app: AppRecord, formation: FormationRecord) {
  const size = findSize(formation.size)
  return {
    app: appRef(app),
    command: formation.command,
    created_at: apiTime(formation.createdAt),
    dyno_size: {id: size?.id ?? stableUuid(`dyno-size:${formation.size}`), name: formation.size},
    id: formation.id,
    quantity: formation.quantity,
    size: formation.size,
    type: formation.type,
    updated_at: apiTime(formation.updatedAt),
  }
}

export function presentDyno(app: AppRecord, dyno: DynoRecord) {
  return {
    attach_url: dyno.attachUrl,
    command: dyno.command,
    created_at: apiTime(dyno.createdAt),
    id: dyno.id,
    name: dyno.name,
    release: {id: app.releaseId, version: app.releaseVersion},
    app: appRef(app),
    size: dyno.size,
    state: dyno.state,
    type: dyno.type,
    updated_at: apiTime(dyno.updatedAt),
  }
}

export function presentRelease(app: AppRecord, release: ReleaseRecord, current: boolean) {
  return {
    addon_plan_names: [],
    artifacts: [],
    app: appRef(app),
    created_at: apiTime(release.createdAt),
    description: release.description,
    id: release.id,
    updated_at: apiTime(release.createdAt),
    slug: null,
    status: 'succeeded',
    user: {email: ACCOUNT_EMAIL, id: accountId},
    version: release.version,
    current,
    output_stream_url: null,
    eligible_for_rollback: !current,
  }
}
