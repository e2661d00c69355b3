import type { ClaimRequest, FinishRequest, SyncItem } from '@hub/core'
import type { StoreContext } from './context.js'
import { createFinishBatcher, type FinishRow } from './finish-batcher.js'
import { toItem } from './rows.js'
import { invalid, nonEmpty, validDate } from './validate.js'

const FINISH_STATUSES = new Set(['succeeded', 'failed', 'dead', 'skipped', 'blocked', 'released'])

/** The error recorded when a crashed worker's lease ran out; `$owner` is the SQL expression of the old owner. */
const leaseExpiredError = (owner: string) => `jsonb_build_object(
  'code', 'LEASE_EXPIRED',
  'message', 'the lease of worker ' || coalesce(${owner}, 'unknown') || ' expired before the attempt finished',
  'retryable', true)`

/** The SQL of the queue: claim, heartbeat, finish, reap, next due time. Built once per schema. */
export function queueSql(s: string, channel: string) {
  return {
    /**
     * The claim, one statement:
     * 1. `cand`: due items in `(due_at, id)` order straight off the partial index `items_claim_idx`,
     *    skipping keys another live item holds, locked with `FOR UPDATE SKIP LOCKED` so concurrent
     *    claimers never wait on each other nor take the same row;
     * 2. `firsts`: at most one item per serial key, oldest due first, up to `limit`;
     * 3. `held`: take the serial key in `serial_holds` — its primary key decides a race between two
     *    claimers that both saw the key free in their snapshots (the loser's row is not claimed);
     * 4. `upd`: set `running`, the lease and `attempt + 1`;
     * 5. `expired`: a reclaimed item (a crashed worker's) gets its `lease_expired` attempt row.
     *
     * `async_commit` turns off `synchronous_commit` for this statement's own transaction only: a
     * claim lost in a server crash just makes its items claimable again (as an expired lease
     * would), so a worker refilling one free slot at a time does not wait for a disk flush per
     * claim. Visibility to other sessions is immediate either way.
     */
    claim: `
WITH async_commit AS (
  SELECT set_config('synchronous_commit', 'off', true) AS applied
), cand AS (
  SELECT i.id, i.serial_key, i.due_at, i.seller_id, i.status AS prev_status, i.lease_owner AS prev_owner,
         i.attempt AS prev_attempt, i.updated_at AS prev_claimed_at
  FROM ${s}.items i
  WHERE i.due_at <= $1
    AND ($5::text[] IS NULL OR i.provider = ANY($5::text[]))
    AND (i.serial_key IS NULL OR NOT EXISTS (
      SELECT 1 FROM ${s}.serial_holds h
      WHERE h.serial_key = i.serial_key AND h.expires_at > $1 AND h.item_id <> i.id))
  ORDER BY i.due_at, i.id
  LIMIT $3
  FOR UPDATE SKIP LOCKED
), firsts AS (
  SELECT * FROM (
    SELECT DISTINCT ON (coalesce(c.serial_key, c.id)) c.* FROM cand c
    ORDER BY coalesce(c.serial_key, c.id), c.due_at, c.id
  ) d ORDER BY d.due_at, d.id LIMIT $2
), held AS (
  INSERT INTO ${s}.serial_holds AS h (serial_key, item_id, expires_at)
  SELECT f.serial_key, f.id, $4 FROM firsts f WHERE f.serial_key IS NOT NULL ORDER BY f.serial_key
  ON CONFLICT (serial_key) DO UPDATE SET item_id = excluded.item_id, expires_at = excluded.expires_at
    WHERE h.expires_at <= $1 OR h.item_id = excluded.item_id
  RETURNING h.item_id
), picked AS (
  SELECT f.* FROM firsts f WHERE f.serial_key IS NULL OR f.id IN (SELECT item_id FROM held)
), upd AS (
  UPDATE ${s}.items i SET status = 'running', attempt = i.attempt + 1, lease_owner = $6, lease_expires_at = $4,
    updated_at = $1,
    last_error = CASE WHEN p.prev_status = 'running' THEN ${leaseExpiredError('p.prev_owner')} ELSE i.last_error END
  FROM picked p WHERE i.id = p.id
  RETURNING i.*
), expired AS (
  INSERT INTO ${s}.attempts (item_id, seller_id, attempt, worker_id, started_at, finished_at, outcome, error)
  SELECT p.id, p.seller_id, p.prev_attempt, p.prev_owner, p.prev_claimed_at, $1, 'lease_expired',
    ${leaseExpiredError('p.prev_owner')}
  FROM picked p WHERE p.prev_status = 'running'
)
SELECT u.* FROM upd u JOIN picked p ON p.id = u.id CROSS JOIN async_commit ORDER BY p.due_at, p.id`,

    heartbeat: `
WITH locked AS (
  SELECT id FROM ${s}.items WHERE id = ANY($1::text[]) AND lease_owner = $2 ORDER BY id FOR UPDATE
), upd AS (
  UPDATE ${s}.items i SET lease_expires_at = $3
  FROM locked l WHERE i.id = l.id AND i.lease_owner = $2
  RETURNING i.id, i.serial_key
), holds AS (
  UPDATE ${s}.serial_holds h SET expires_at = $3 FROM upd WHERE h.serial_key = upd.serial_key AND h.item_id = upd.id
)
SELECT id FROM upd`,

    /**
     * Outcomes and their attempt rows in one statement (so one transaction) for a batch of
     * finishes; each row only while its worker owns the lease (`lease_owner` is set only while
     * running). Frees serial keys and wakes workers when something became claimable.
     */
    finish: `
WITH x AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, worker text, status text, result jsonb,
    internal_id text, target_hash text, error jsonb, next_attempt_at timestamptz, at timestamptz,
    started_at timestamptz, finished_at timestamptz, outcome text, attempt_error jsonb, excerpt jsonb)
), locked AS (
  -- Row locks in id order: a concurrent heartbeat or finish batch on the same rows queues
  -- behind this one instead of deadlocking with it.
  SELECT id FROM ${s}.items WHERE id = ANY($2::text[]) ORDER BY id FOR UPDATE
), upd AS (
  UPDATE ${s}.items i SET
    status = x.status,
    attempt = CASE WHEN x.status = 'pending' THEN greatest(i.attempt - 1, 0) ELSE i.attempt END,
    result = CASE WHEN x.status = 'succeeded' THEN x.result ELSE i.result END,
    internal_id = coalesce(x.internal_id, i.internal_id),
    target_hash = coalesce(x.target_hash, i.target_hash),
    last_error = CASE WHEN x.status = 'succeeded' THEN NULL WHEN x.status = 'pending' THEN i.last_error ELSE x.error END,
    next_attempt_at = coalesce(x.next_attempt_at, i.next_attempt_at),
    lease_owner = NULL, lease_expires_at = NULL, updated_at = x.at
  FROM x, locked l WHERE i.id = l.id AND i.id = x.id AND i.lease_owner = x.worker
  RETURNING i.*, x.worker AS x_worker, x.started_at AS x_started_at, x.finished_at AS x_finished_at,
    x.outcome AS x_outcome, x.attempt_error AS x_error, x.excerpt AS x_excerpt
), att AS (
  INSERT INTO ${s}.attempts (item_id, seller_id, attempt, worker_id, started_at, finished_at, outcome, error, excerpt)
  SELECT u.id, u.seller_id, CASE WHEN u.status = 'pending' THEN u.attempt + 1 ELSE u.attempt END, u.x_worker,
    u.x_started_at, u.x_finished_at, u.x_outcome, u.x_error, u.x_excerpt
  FROM upd u
), rel AS (
  DELETE FROM ${s}.serial_holds h USING upd u WHERE h.serial_key = u.serial_key AND h.item_id = u.id
), wake AS (
  SELECT pg_notify('${channel}', '')
  FROM (SELECT 1 FROM upd u WHERE u.status IN ('pending', 'failed') OR u.serial_key IS NOT NULL LIMIT 1) one
)
SELECT u.* FROM upd u LEFT JOIN wake ON true`,

    reap: `
WITH cand AS (
  SELECT id, lease_owner, updated_at AS claimed_at, attempt, seller_id, serial_key FROM ${s}.items
  WHERE status = 'running' AND lease_expires_at <= $1 AND attempt >= max_attempts
  FOR UPDATE SKIP LOCKED
), upd AS (
  UPDATE ${s}.items i SET status = 'dead', lease_owner = NULL, lease_expires_at = NULL, updated_at = $1,
    last_error = ${leaseExpiredError('c.lease_owner')}
  FROM cand c WHERE i.id = c.id
  RETURNING i.id
), att AS (
  INSERT INTO ${s}.attempts (item_id, seller_id, attempt, worker_id, started_at, finished_at, outcome, error)
  SELECT c.id, c.seller_id, c.attempt, c.lease_owner, c.claimed_at, $1, 'lease_expired', ${leaseExpiredError('c.lease_owner')}
  FROM cand c
), rel AS (
  DELETE FROM ${s}.serial_holds h USING cand c WHERE h.serial_key = c.serial_key AND h.item_id = c.id
)
SELECT count(*)::int AS n FROM upd`,

    /**
     * Earliest claimable time: the first due item not blocked by a live serial key, or for a blocked
     * one, when the key's hold expires (a finishing holder NOTIFYs earlier).
     */
    nextDue: `
SELECT least(
  (SELECT i.due_at FROM ${s}.items i
   WHERE i.due_at IS NOT NULL AND (i.serial_key IS NULL OR NOT EXISTS (
     SELECT 1 FROM ${s}.serial_holds h WHERE h.serial_key = i.serial_key AND h.expires_at > $1 AND h.item_id <> i.id))
   ORDER BY i.due_at, i.id LIMIT 1),
  (SELECT min(greatest(i.due_at, h.expires_at)) FROM ${s}.serial_holds h
   JOIN ${s}.items i ON i.serial_key = h.serial_key AND i.id <> h.item_id AND i.due_at IS NOT NULL
   WHERE h.expires_at > $1)
) AS due`,
  }
}

/** Queue methods of the SQL store: the engine's hot path. */
export function queueMethods({ db, s, channel, now }: StoreContext) {
  const sql = queueSql(s, channel)
  const finisher = createFinishBatcher(async (rows) => {
    const stored = await db.query(sql.finish, [JSON.stringify(rows), rows.map((r) => r.id)])
    return new Map(stored.map((r) => [r.id as string, toItem(r)]))
  })
  return {
    async claimItems(request: ClaimRequest): Promise<SyncItem[]> {
      const { workerId, limit, leaseMs, providers } = request
      nonEmpty(workerId, 'claim workerId')
      if (!Number.isInteger(limit) || limit < 0) invalid('claim limit must be a non-negative integer')
      if (!Number.isFinite(leaseMs) || leaseMs <= 0) invalid('claim leaseMs must be a positive number')
      const at = validDate(request.now, 'claim now')
      if (limit === 0) return []
      const params = [at, limit, limit * 2, new Date(at.getTime() + leaseMs), providers ?? null, workerId]
      const rows = await db.query(sql.claim, params)
      return rows.map(toItem)
    },

    async heartbeat(workerId: string, itemIds: string[], leaseMs: number, at: Date): Promise<string[]> {
      if (!Number.isFinite(leaseMs) || leaseMs <= 0) invalid('heartbeat leaseMs must be a positive number')
      validDate(at, 'heartbeat now')
      if (!Array.isArray(itemIds) || itemIds.length === 0) return []
      const rows = await db.query<{ id: string }>(sql.heartbeat, [
        [...new Set(itemIds)],
        workerId,
        new Date(at.getTime() + leaseMs),
      ])
      return rows.map((r) => r.id)
    },

    /** Concurrent calls share one statement and one commit (see {@link createFinishBatcher}). */
    async finishItem(request: FinishRequest): Promise<SyncItem | null> {
      const { outcome, attempt } = request
      if (!outcome || !FINISH_STATUSES.has(outcome.status)) invalid('finishItem needs a valid outcome')
      const row: FinishRow = {
        id: nonEmpty(request.itemId, 'finishItem itemId'),
        worker: nonEmpty(request.workerId, 'finishItem workerId'),
        status: outcome.status === 'released' ? 'pending' : outcome.status,
        result: null,
        internal_id: null,
        target_hash: null,
        error: null,
        next_attempt_at: null,
        at: validDate(request.now, 'finishItem now'),
        started_at: validDate(attempt?.startedAt, 'attempt startedAt'),
        finished_at: validDate(attempt?.finishedAt, 'attempt finishedAt'),
        outcome: attempt.outcome,
        attempt_error: attempt.error ?? null,
        excerpt: attempt.excerpt ?? null,
      }
      switch (outcome.status) {
        case 'succeeded':
          row.result = outcome.result ?? null
          row.internal_id = outcome.internalId ?? null
          row.target_hash = outcome.targetHash ?? null
          break
        case 'failed':
          row.next_attempt_at = validDate(outcome.nextAttemptAt, 'failed outcome nextAttemptAt')
          row.error = outcome.error
          break
        case 'released':
          break
        default:
          row.error = outcome.error
      }
      return finisher.finish(row)
    },

    async reapExpiredLeases(at: Date): Promise<number> {
      validDate(at, 'reapExpiredLeases now')
      const rows = await db.query<{ n: number }>(sql.reap, [at])
      return rows[0]?.n ?? 0
    },

    async nextDueAt(): Promise<Date | null> {
      const rows = await db.query<{ due: Date | null }>(sql.nextDue, [now()])
      return rows[0]?.due ?? null
    },
  }
}
