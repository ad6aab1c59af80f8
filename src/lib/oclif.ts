// The one door to @oclif/core. At build time this module is replaced by a single-file bundle of
// @oclif/core (scripts/bundle-oclif.mjs): loading ~100 small CommonJS files dominated start-up.
export {Args, Command, execute, Flags, flush, run} from '@oclif/core'
export type {Interfaces} from '@oclif/core'
