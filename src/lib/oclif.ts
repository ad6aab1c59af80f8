// The one door to @oclif/core. At build time this module is replaced by a single-file bundle of
// just these parts (scripts/bundle-oclif.mjs): loading ~100 small CommonJS files through Node's ESM
// loader dominated start-up. Subpath imports keep help/ux code out of the bundle.
export * as Args from '@oclif/core/args'
export {Command} from '@oclif/core/command'
export {execute} from '@oclif/core/execute'
export * as Flags from '@oclif/core/flags'
export {flush} from '@oclif/core/flush'
export {run} from '@oclif/core/run'
