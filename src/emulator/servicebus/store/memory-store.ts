// The --in-memory store: nothing survives the process; append resolves at once.
import type {MessageStore, StoreRecord, StoreSnapshot, StoreStats} from './message-store.js'

export class MemoryStore implements MessageStore {
  readonly durable = false
  private records = 0

  async open(): Promise<StoreSnapshot> {
    return {queues: []}
  }

  append(records: StoreRecord[]): Promise<void> {
    this.records += records.length
    return Promise.resolve()
  }

  stats(): StoreStats {
    return {durable: false, logBytes: 0, records: this.records, commits: 0, compactions: 0}
  }

  async close(): Promise<void> {}
}
