import type { Json, SyncItem } from '@hub/core'

/** One finish as the batched statement reads it (column names of `jsonb_to_recordset`; times in epoch ms). */
export interface FinishRow {
  id: string
  worker: string
  status: string
  result: Json | null
  internal_id: string | null
  target_hash: string | null
  error: Json | null
  next_attempt_at: number | null
  at: number
  started_at: number
  finished_at: number
  outcome: string
  attempt_error: Json | null
  excerpt: Json | null
}

interface Waiting {
  row: FinishRow
  resolve(item: SyncItem | null): void
  reject(error: unknown): void
}

/** Largest batch one statement carries. */
const MAX_BATCH = 500
/** Statements in flight at once; PostgreSQL's own group commit merges their WAL flushes. */
const MAX_IN_FLIGHT = 4

/**
 * Group commit for `finishItem`: a call goes out at once when a statement slot is free;
 * otherwise it waits for the next statement, together with every call that arrived meanwhile.
 * No timer and no added latency when idle, one commit per batch under load. Each caller still
 * resolves only after the commit that holds its row, with its own row (or `null` when its lease
 * was lost). Two finishes of the same item never share a statement.
 */
export function createFinishBatcher(run: (rows: FinishRow[]) => Promise<Map<string, SyncItem>>) {
  let queue: Waiting[] = []
  let inFlight = 0

  /** Take up to MAX_BATCH waiting calls, oldest first, at most one per item; one pass over the queue. */
  const takeBatch = (): Waiting[] => {
    const batch: Waiting[] = []
    const ids = new Set<string>()
    const rest: Waiting[] = []
    for (const next of queue) {
      if (batch.length < MAX_BATCH && !ids.has(next.row.id)) {
        ids.add(next.row.id)
        batch.push(next)
      } else rest.push(next)
    }
    queue = rest
    return batch
  }

  const flush = () => {
    while (inFlight < MAX_IN_FLIGHT && queue.length > 0) {
      const batch = takeBatch()
      inFlight++
      run(batch.map((w) => w.row))
        .then(
          (stored) => {
            for (const w of batch) w.resolve(stored.get(w.row.id) ?? null)
          },
          (error: unknown) => {
            for (const w of batch) w.reject(error)
          },
        )
        .finally(() => {
          inFlight--
          flush()
        })
    }
  }

  return {
    finish(row: FinishRow): Promise<SyncItem | null> {
      return new Promise((resolve, reject) => {
        queue.push({ row, resolve, reject })
        flush()
      })
    },
  }
}
