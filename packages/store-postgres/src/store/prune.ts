import type { PruneOptions } from '@hub/core'
import type { StoreContext } from './context.js'
import { invalid, validDate } from './validate.js'

/** Retention: finished items (with their attempts) and processed events, in small batches. */
export function pruneMethods({ db, s }: StoreContext) {
  return {
    /**
     * Each batch is its own short statement (locks at most `batchSize` rows, skips rows another
     * transaction holds), so pruning a large backlog never blocks workers for long.
     * Finished = succeeded, dead, skipped, blocked; processed events = processed, ignored.
     */
    async prune(options: PruneOptions): Promise<{ items: number; attempts: number; events: number }> {
      const olderThan = validDate(options?.olderThan, 'prune olderThan')
      const batchSize = options.batchSize ?? 500
      if (!Number.isInteger(batchSize) || batchSize < 1) invalid('prune batchSize must be a positive integer')
      const total = { items: 0, attempts: 0, events: 0 }
      for (;;) {
        const rows = await db.query<{ items: number; attempts: number }>(
          `WITH victims AS (
             SELECT id FROM ${s}.items
             WHERE status IN ('succeeded', 'dead', 'skipped', 'blocked') AND updated_at < $1
             ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED
           ), att AS (
             DELETE FROM ${s}.attempts a USING victims v WHERE a.item_id = v.id RETURNING 1
           ), del AS (
             DELETE FROM ${s}.items i USING victims v WHERE i.id = v.id RETURNING 1
           )
           SELECT (SELECT count(*) FROM del)::int AS items, (SELECT count(*) FROM att)::int AS attempts`,
          [olderThan, batchSize],
        )
        const batch = rows[0] ?? { items: 0, attempts: 0 }
        total.items += batch.items
        total.attempts += batch.attempts
        if (batch.items < batchSize) break
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
