import type { PruneOptions } from '@hub/core'
import type { StoreContext } from './context.js'
import { invalid, validDate } from './validate.js'

/** Rows of `items` one prune statement reads (by primary key) to find old finished ones. */
const PRUNE_WINDOW = 5_000

/** Retention: finished items (with their attempts) and processed events, in small batches. */
export function pruneMethods({ db, s }: StoreContext) {
  return {
    /**
     * Each batch is its own short statement (locks at most `batchSize` rows, skips rows another
     * transaction holds), so pruning a large backlog never blocks workers for long. Items are
     * found by one walk over the primary key (see below); events by their own partial index.
     * Finished = succeeded, dead, skipped, blocked; processed events = processed, ignored.
     */
    async prune(options: PruneOptions): Promise<{ items: number; attempts: number; events: number }> {
      const olderThan = validDate(options?.olderThan, 'prune olderThan')
      const batchSize = options.batchSize ?? 500
      if (!Number.isInteger(batchSize) || batchSize < 1) invalid('prune batchSize must be a positive integer')
      const total = { items: 0, attempts: 0, events: 0 }
      // Finished items have no index of their own (it would cover `status` and `updated_at`,
      // which a finish changes, and so make every finish a non-HOT update): one pass over the
      // primary key, a window of rows at a time, deletes the old finished ones in each window.
      const window = Math.max(batchSize, PRUNE_WINDOW)
      let after = ''
      for (;;) {
        const rows = await db.query<{ items: number; attempts: number; found: number; next: string | null }>(
          `WITH win AS (
             SELECT id, status, updated_at FROM ${s}.items WHERE id > $3 ORDER BY id LIMIT $4
           ), cand AS (
             SELECT id FROM win
             WHERE status IN ('succeeded', 'dead', 'skipped', 'blocked') AND updated_at < $1
             ORDER BY id LIMIT $2
           ), victims AS (
             SELECT id FROM ${s}.items
             WHERE id = ANY(ARRAY(SELECT id FROM cand))
               AND status IN ('succeeded', 'dead', 'skipped', 'blocked') AND updated_at < $1
             FOR UPDATE SKIP LOCKED
           ), att AS (
             DELETE FROM ${s}.attempts WHERE item_id = ANY(ARRAY(SELECT id FROM victims)) RETURNING 1
           ), del AS (
             DELETE FROM ${s}.items WHERE id = ANY(ARRAY(SELECT id FROM victims)) RETURNING 1
           )
           SELECT (SELECT count(*) FROM del)::int AS items, (SELECT count(*) FROM att)::int AS attempts,
             (SELECT count(*) FROM cand)::int AS found,
             -- A full batch may leave candidates in the window: go on after the last one.
             CASE WHEN (SELECT count(*) FROM cand) = $2 THEN (SELECT max(id) FROM cand)
               WHEN (SELECT count(*) FROM win) = $4 THEN (SELECT max(id) FROM win) END AS next`,
          [olderThan, batchSize, after, window],
        )
        const batch = rows[0] ?? { items: 0, attempts: 0, found: 0, next: null }
        total.items += batch.items
        total.attempts += batch.attempts
        // `next` is null once a window came back short: the end of the table.
        if (batch.next === null) break
        after = batch.next
      }
      for (;;) {
        const rows = await db.query<{ n: number }>(
          `WITH del AS (
             DELETE FROM ${s}.webhook_events WHERE id IN (
               SELECT id FROM ${s}.webhook_events
               WHERE status IN ('processed', 'ignored') AND received_at < $1
               ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED)
             RETURNING 1
           ) SELECT count(*)::int AS n FROM del`,
          [olderThan, batchSize],
        )
        const n = rows[0]?.n ?? 0
        total.events += n
        if (n < batchSize) break
      }
      return total
    },
  }
}
