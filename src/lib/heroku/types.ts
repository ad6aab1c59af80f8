// The Platform API shapes qjob reads (a subset of test/fixtures/heroku/schema.json). Sizes may come under
// the current name (`dyno_size`) or the deprecated one (`size`).
export interface Formation {
  id: string
  type: string
  quantity: number
  command: string
  size?: string
  dyno_size?: {id?: string; name?: string}
  updated_at?: string
}

export type DynoState = 'starting' | 'up' | 'crashed' | 'down' | 'idle' | string

export interface Dyno {
  id: string
  name: string
  type: string
  state: DynoState
  size?: string
  command: string
  attach_url?: string | null
  created_at: string
  updated_at: string
}

export interface LogSession {
  id: string
  logplex_url: string
}

export function formationSize(formation: Formation): string {
  return formation.dyno_size?.name ?? formation.size ?? ''
}
