import type { SqlExecutor } from '../driver.js'

/**
 * Signal "work may be due" after a write has committed: this process's listeners at once, and
 * every other process by a `NOTIFY` sent as its own statement, never inside the writing
 * transaction. A `NOTIFY` inside a transaction takes a database-wide lock from just before its
 * commit until the commit is flushed, so every enqueue would commit one after another; sent
 * after the commit, at most one is in flight per process and calls made meanwhile are folded
 * into one more, sent when it returns (each write is followed by a NOTIFY that starts after it).
 * A failed NOTIFY is dropped: workers fall back to polling.
 *
 * @param db - where the `NOTIFY` runs
 * @param channel - the schema's wake channel
 * @param local - this process's wake listeners, called synchronously
 * @returns the function to call after a committed write that made work due
 */
export function wakeSignal(db: SqlExecutor, channel: string, local: () => void): () => void {
  let inFlight = false
  let again = false
  const send = (): void => {
    inFlight = true
    again = false
    db.query(`SELECT pg_notify($1, '')`, [channel])
      .catch(() => {})
      .finally(() => {
        inFlight = false
        if (again) send()
      })
  }
  return () => {
    local()
    if (inFlight) again = true
    else send()
  }
}
