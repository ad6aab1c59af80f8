// The dyno sizes the local API knows (names and limits as on the Common Runtime).
import {stableUuid} from './ids.js'

export interface DynoSize {
  id: string
  name: string
  compute: number
  memory: number
  dedicated: boolean
  precise_dyno_units: number
  cost: {cents: number; unit: string}
  architecture: string
  generation: {id: string; name: string}
  private_space_only: boolean
  /** Most dynos of one process type at this size. */
  maxQuantity: number
}

const generation = {id: stableUuid('generation:cedar'), name: 'cedar'}

function size(name: string, compute: number, memory: number, cents: number, units: number, maxQuantity: number): DynoSize {
  return {
    id: stableUuid(`dyno-size:${name}`),
    name,
    compute,
    memory,
    dedicated: name.startsWith('Performance'),
    precise_dyno_units: units,
    cost: {cents, unit: 'month'},
    architecture: 'amd64',
    generation,
    private_space_only: false,
    maxQuantity,
  }
}

export const DYNO_SIZES: readonly DynoSize[] = [
  size('Eco', 1, 0.5, 0, 0, 1),
  size('Basic', 1, 0.5, 700, 0.28, 1),
  size('Standard-1X', 1, 0.5, 2500, 1, 100),
  size('Standard-2X', 2, 1, 5000, 2, 100),
  size('Performance-M', 2, 2.5, 25_000, 8, 100),
  size('Performance-L', 8, 14, 50_000, 16, 100),
  size('Performance-L-RAM', 4, 30, 50_000, 16, 100),
  size('Performance-XL', 8, 62, 75_000, 24, 100),
  size('Performance-2XL', 16, 126, 150_000, 48, 100),
]

/** A size by name (any case) or id. */
export function findSize(identity: string): DynoSize | undefined {
  const wanted = identity.toLowerCase()
  return DYNO_SIZES.find(candidate => candidate.name.toLowerCase() === wanted || candidate.id === wanted)
}

export function presentSize(dynoSize: DynoSize): Omit<DynoSize, 'maxQuantity'> {
  const {maxQuantity: _unused, ...rest} = dynoSize
  return rest
}
