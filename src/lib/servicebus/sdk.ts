// The one door to the Service Bus SDK at run time (types come from '@azure/service-bus' directly).
// At build time this module is replaced by a loader of one bundled CommonJS file compiled with a V8
// code cache (scripts/bundle-sdk.mjs): the SDK's ~220 files through Node's ESM loader took ~290 ms
// of every Service Bus command, the cached bundle ~50 ms. @azure/logger and `debug` stay outside
// the bundle, so the SDK and rhea log through the copies whose sinks sdk-logging.ts redacts.
export {ServiceBusAdministrationClient, ServiceBusClient} from '@azure/service-bus'
