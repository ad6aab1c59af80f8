// Dyno name order: worker.2 before worker.10.
export function compareDynoNames(a: {name: string}, b: {name: string}): number {
  return a.name.localeCompare(b.name, 'en', {numeric: true})
}
