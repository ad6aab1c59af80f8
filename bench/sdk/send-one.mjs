// Plain-SDK baseline for one `qjob send`: a script that sends one message and exits, as a CI step
// would without qjob. Usage: SERVICEBUS_CONNECTION_STRING=... node bench/sdk/send-one.mjs QUEUE BODY
import {ServiceBusClient} from '@azure/service-bus'

const client = new ServiceBusClient(process.env.SERVICEBUS_CONNECTION_STRING)
const sender = client.createSender(process.argv[2])
await sender.sendMessages({body: process.argv[3]})
await client.close()
