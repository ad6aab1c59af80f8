// The emulator refuses to start rather than damage or replace what it keeps (a damaged message
// log, a namespace key it cannot read). The message says what is wrong; the hint how to go on.
export class StartRefusedError extends Error {
  override name = 'StartRefusedError'

  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message)
  }
}
