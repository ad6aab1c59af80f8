// The one door to @azure/arm-servicebus at run time (types come from the package directly). The
// build replaces this module with a loader of one code-cached bundle (scripts/bundle-sdk.mjs), as
// for the Service Bus SDK: the package took ~140 ms to load through Node's ESM loader.
export {ServiceBusManagementClient} from '@azure/arm-servicebus'
