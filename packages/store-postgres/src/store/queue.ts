import type { ClaimRequest, FinishRequest, SyncItem } from '@hub/core'
import type { StoreContext } from './context.js'
import { toItem, toJson } from './rows.js'
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
     */
    claim: `
WITH cand AS (
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
SELECT u.* FROM upd u JOIN picked p ON p.id = u.id ORDER BY p.due_at, p.id`,

    heartbeat: `
WITH upd AS (
  UPDATE ${s}.items SET lease_expires_at = $3
  WHERE id = ANY($1::text[]) AND status = 'running' AND lease_owner = $2
  RETURNING id, serial_key
), holds AS (
  UPDATE ${s}.serial_holds h SET expires_at = $3 FROM upd WHERE h.serial_key = upd.serial_key AND h.item_id = upd.id
)
SELECT id FROM upd`,

    /**
     * Outcome and attempt row in one statement (so one transaction), only while `$2` owns the
     * lease. Frees the serial key and wakes workers when something became claimable.
     */
    finish: `
WITH upd AS (
  UPDATE ${s}.items SET
    status = $3,
    attempt = CASE WHEN $3 = 'pending' THEN greatest(attempt - 1, 0) ELSE attempt END,
    result = CASE WHEN $3 = 'succeeded' THEN $4::jsonb ELSE result END,
    internal_id = coalesce($5, internal_id),
    target_hash = coalesce($6, target_hash),
    last_error = CASE WHEN $3 = 'succeeded' THEN NULL WHEN $3 = 'pending' THEN last_error ELSE $7::jsonb END,
    next_attempt_at = coalesce($8, next_attempt_at),
    lease_owner = NULL, lease_expires_at = NULL, updated_at = $9
  WHERE id = $1 AND status = 'running' AND lease_owner = $2
  RETURNING *
), att AS (
  INSERT INTO ${s}.attempts (item_id, seller_id, attempt, worker_id, started_at, finished_at, outcome, error, excerpt)
  SELECT upd.id, upd.seller_id, CASE WHEN $3 = 'pending' THEN upd.attempt + 1 ELSE upd.attempt END, $2,
    $10, $11, $12, $13::jsonb, $14::jsonb
  FROM upd
), rel AS (
  DELETE FROM ${s}.serial_holds h USING upd WHERE h.serial_key = upd.serial_key AND h.item_id = upd.id
), wake AS (
  SELECT pg_notify('${channel}', '') FROM upd WHERE upd.status IN ('pending', 'failed') OR upd.serial_key IS NOT NULL
)
SELECT upd.* FROM upd LEFT JOIN wake ON true`,

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
  return {
    async claimItems(request: ClaimRequest): Promise<SyncItem[]> {
      const { workerId, limit, leaseMs, providers } = request
      nonEmpty(workerId, 'claim workerId')
      if (!Number.isInteger(limit) || limit < 0) invalid('claim limit must be a non-negative integer')
      if (!Number.isFinite(leaseMs) || leaseMs <= 0) invalid('claim leaseMs must be a positive number')
      const at = validDate(request.now, 'claim now')
      if (limit === 0) return []
      const rows = await db.query(sql.claim, [
        at,
        limit,
        limit * 2,
        new Date(at.getTime() + leaseMs),
        providers ?? null,
        workerId,
      ])
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

    async finishItem(request: FinishRequest): Promise<SyncItem | null> {
      const { outcome, attempt } = request
      if (!outcome || !FINISH_STATUSES.has(outcome.status)) invalid('finishItem needs a valid outcome')
      const at = validDate(request.now, 'finishItem now')
      validDate(attempt?.startedAt, 'attempt startedAt')
      validDate(attempt?.finishedAt, 'attempt finishedAt')
      let nextAttemptAt: Date | null = null
      let result: string | null = null
      let internalId: string | null = null
      let targetHash: string | null = null
      let error: string | null = null
      switch (outcome.status) {
        case 'succeeded':
          result = toJson(outcome.result)
          internalId = outcome.internalId ?? null
          targetHash = outcome.targetHash ?? null
          break
        case 'failed':
          nextAttemptAt = validDate(outcome.nextAttemptAt, 'failed outcome nextAttemptAt')
          error = toJson(outcome.error)
          break
        case 'released':
          break
        default:
          error = toJson(outcome.error)
      }
      const rows = await db.query(sql.finish, [
        request.itemId,
        request.workerId,
        outcome.status === 'released' ? 'pending' : outcome.status,
        result,
        internalId,
        targetHash,
        error,
        nextAttemptAt,
        at,
        attempt.startedAt,
        attempt.finishedAt,
        attempt.outcome,
        toJson(attempt.error),
        toJson(attempt.excerpt),
      ])
      return rows[0] ? toItem(rows[0]) : null
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
