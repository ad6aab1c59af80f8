// Link handling shared by the bench sinks: replies go out on the client's receiver link (found by
// its name, the request's reply-to), and every attach is echoed with the max-message-size the SDK needs.
export function acceptLinks(container, maxMessageSize) {
  const replyLinks = new Map()
  container.on('sender_open', context => {
    replyLinks.set(context.sender.name, context.sender)
    context.sender.set_source(context.sender.source)
    context.sender.set_target(context.sender.target)
  })
  container.on('receiver_open', context => {
    // rhea's typings omit the local attach frame; the SDK needs max-message-size on it.
    context.receiver.local.attach.max_message_size = maxMessageSize
    context.receiver.set_target(context.receiver.target)
  })
  return replyLinks
}
