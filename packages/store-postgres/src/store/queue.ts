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

/** Columns of `items` as every reader sees them, except the ones `item_state` lays over from the queue row. */
const ITEM_COLUMNS = (i: string) =>
  [
    'id',
    'run_id',
    'connection_id',
    'seller_id',
    'provider',
    'operation',
    'idempotency_key',
    'entity_type',
    'external_id',
    'internal_id',
    'serial_key',
    'source_hash',
    'target_hash',
    'payload',
    'diagnostic_payload',
    'result',
    'max_attempts',
    'next_attempt_at',
    'created_at',
  ]
    .map((c) => `${i}.${c}`)
    .join(', ')

/**
 * Extra due rows a claim scans (and locks) beyond `limit`, room for the one-per-serial-key filter:
 * up to `limit` more for small claims, at most this many for large ones (every locked row costs
 * a lock record, and a claim that loses some to duplicate keys just returns fewer).
 */
const SERIAL_KEY_SLACK = 32

/** Statuses after which an item leaves the queue. */
const FINAL = `('succeeded', 'dead', 'skipped', 'blocked')`

/**
 * The SQL of the queue: claim, heartbeat, finish, reap, next due time. Built once per schema.
 * The queue state of an unfinished item (claim order, lease, attempt counter) lives in the narrow
 * `item_queue` row; the wide `items` row is written at enqueue and once more when the item
 * finishes (a HOT update: no `items` index covers a column that changes).
 */
export function queueSql(s: string, channel: string) {
  return {
    /**
     * The claim, one statement:
     * 1. `cand`: due queue rows in `(due_at, item_id)` order straight off the partial index
     *    `item_queue_claim_idx`, skipping keys another live item holds, locked with
     *    `FOR UPDATE SKIP LOCKED` so concurrent claimers never wait on each other nor take the same row;
     * 2. `firsts`: at most one item per serial key, oldest due first, up to `limit`;
     * 3. `held`: take the serial key in `serial_holds` — its primary key decides a race between two
     *    claimers that both saw the key free in their snapshots (the loser's row is not claimed);
     * 4. `upd`: the lease and `attempt + 1` on the narrow queue row only;
     * 5. `expired`, `expired_error`: a reclaimed item (a crashed worker's) gets its
     *    `lease_expired` attempt row and last error;
     * and returns the claimed items read from `items` with the new lease laid over them.
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
  SELECT q.item_id AS id, q.serial_key, q.due_at, q.lease_owner AS prev_owner, q.attempt AS prev_attempt,
         q.claimed_at AS prev_claimed_at
  FROM ${s}.item_queue q
  WHERE q.due_at <= $1
    AND ($5::text[] IS NULL OR q.provider = ANY($5::text[]))
    AND (q.serial_key IS NULL OR NOT EXISTS (
      SELECT 1 FROM ${s}.serial_holds h
      WHERE h.serial_key = q.serial_key AND h.expires_at > $1 AND h.item_id <> q.item_id))
  ORDER BY q.due_at, q.item_id
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
  -- = ANY(ARRAY(...)) keeps this a primary-key lookup per row whatever the table's statistics say.
  UPDATE ${s}.item_queue q SET attempt = q.attempt + 1, lease_owner = $6, lease_expires_at = $4, claimed_at = $1
  WHERE q.item_id = ANY(ARRAY(SELECT id FROM picked))
  RETURNING q.item_id, q.attempt, q.lease_owner, q.lease_expires_at, q.claimed_at
), expired_error AS (
  UPDATE ${s}.items i SET last_error = ${leaseExpiredError('p.prev_owner')}
  FROM picked p WHERE i.id = p.id AND p.prev_owner IS NOT NULL
), expired AS (
  INSERT INTO ${s}.attempts (item_id, seller_id, attempt, worker_id, started_at, finished_at, outcome, error)
  SELECT p.id, i.seller_id, p.prev_attempt, p.prev_owner, p.prev_claimed_at, $1, 'lease_expired',
    ${leaseExpiredError('p.prev_owner')}
  FROM picked p JOIN ${s}.items i ON i.id = p.id WHERE p.prev_owner IS NOT NULL
)
SELECT ${ITEM_COLUMNS('i')}, 'running' AS status, u.attempt, u.lease_owner, u.lease_expires_at,
  u.claimed_at AS updated_at,
  CASE WHEN p.prev_owner IS NOT NULL THEN ${leaseExpiredError('p.prev_owner')} ELSE i.last_error END AS last_error
FROM upd u JOIN picked p ON p.id = u.item_id JOIN ${s}.items i ON i.id = u.item_id CROSS JOIN async_commit
ORDER BY p.due_at, p.id`,

    heartbeat: `
WITH locked AS (
  SELECT q.item_id FROM (SELECT DISTINCT k.id FROM unnest($1::text[]) AS k(id) ORDER BY k.id) k
  CROSS JOIN LATERAL (
    SELECT item_id FROM ${s}.item_queue WHERE item_id = k.id AND lease_owner = $2 FOR UPDATE
  ) q
), upd AS (
  UPDATE ${s}.item_queue q SET lease_expires_at = $3
  FROM locked l WHERE q.item_id = l.item_id AND q.lease_owner = $2
  RETURNING q.item_id, q.serial_key
), holds AS (
  UPDATE ${s}.serial_holds h SET expires_at = $3 FROM upd WHERE h.serial_key = upd.serial_key AND h.item_id = upd.item_id
)
SELECT item_id AS id FROM upd`,

    /**
     * Outcomes and their attempt rows in one statement (so one transaction) for a batch of
     * finishes; each row only while its worker owns the lease. A final outcome deletes the queue
     * row, a retry or release clears its lease; the `items` row gets the outcome (a HOT update).
     * Frees serial keys and wakes workers when something became claimable.
     */
    finish: `
WITH x AS (
  -- Times arrive as epoch milliseconds (cheaper to encode than ISO text; exact to the millisecond).
  SELECT r.id, r.worker, r.status, r.result, r.internal_id, r.target_hash, r.error,
    to_timestamp(r.next_attempt_at / 1000.0) AS next_attempt_at, to_timestamp(r.at / 1000.0) AS at,
    to_timestamp(r.started_at / 1000.0) AS started_at, to_timestamp(r.finished_at / 1000.0) AS finished_at,
    r.outcome, r.attempt_error, r.excerpt
  FROM jsonb_to_recordset($1::jsonb) AS r(id text, worker text, status text, result jsonb,
    internal_id text, target_hash text, error jsonb, next_attempt_at float8, at float8,
    started_at float8, finished_at float8, outcome text, attempt_error jsonb, excerpt jsonb)
), locked AS (
  -- Queue rows locked in id order, one primary-key lookup each: a concurrent heartbeat or
  -- finish batch on the same rows queues behind this one instead of deadlocking with it.
  SELECT q.* FROM (SELECT DISTINCT k.id FROM unnest($2::text[]) AS k(id) ORDER BY k.id) k
  CROSS JOIN LATERAL (
    SELECT item_id, lease_owner, attempt, serial_key FROM ${s}.item_queue WHERE item_id = k.id FOR UPDATE
  ) q
), mine AS (
  SELECT x.*, l.attempt AS ran_attempt, l.serial_key AS held_key
  FROM x JOIN locked l ON l.item_id = x.id AND l.lease_owner = x.worker
), done AS (
  DELETE FROM ${s}.item_queue q
  WHERE q.item_id = ANY(ARRAY(SELECT m.id FROM mine m WHERE m.status IN ${FINAL}))
), again AS (
  UPDATE ${s}.item_queue q SET lease_owner = NULL, lease_expires_at = NULL,
    attempt = CASE WHEN m.status = 'pending' THEN greatest(q.attempt - 1, 0) ELSE q.attempt END,
    next_attempt_at = coalesce(m.next_attempt_at, q.next_attempt_at)
  FROM mine m WHERE q.item_id = m.id AND m.status NOT IN ${FINAL}
), upd AS (
  UPDATE ${s}.items i SET
    status = m.status,
    attempt = CASE WHEN m.status = 'pending' THEN greatest(m.ran_attempt - 1, 0) ELSE m.ran_attempt END,
    result = CASE WHEN m.status = 'succeeded' THEN m.result ELSE i.result END,
    internal_id = coalesce(m.internal_id, i.internal_id),
    target_hash = coalesce(m.target_hash, i.target_hash),
    last_error = CASE WHEN m.status = 'succeeded' THEN NULL WHEN m.status = 'pending' THEN i.last_error ELSE m.error END,
    next_attempt_at = coalesce(m.next_attempt_at, i.next_attempt_at),
    updated_at = m.at
  FROM mine m WHERE i.id = m.id
  RETURNING i.*, NULL::text AS lease_owner, NULL::timestamptz AS lease_expires_at, m.ran_attempt AS x_attempt,
    m.worker AS x_worker, m.started_at AS x_started_at, m.finished_at AS x_finished_at, m.outcome AS x_outcome,
    m.attempt_error AS x_error, m.excerpt AS x_excerpt
), att AS (
  INSERT INTO ${s}.attempts (item_id, seller_id, attempt, worker_id, started_at, finished_at, outcome, error, excerpt)
  SELECT u.id, u.seller_id, u.x_attempt, u.x_worker, u.x_started_at, u.x_finished_at, u.x_outcome, u.x_error, u.x_excerpt
  FROM upd u
), rel AS (
  DELETE FROM ${s}.serial_holds h USING mine m WHERE h.serial_key = m.held_key AND h.item_id = m.id
), wake AS (
  SELECT pg_notify('${channel}', '')
  FROM (SELECT 1 FROM mine m WHERE m.status IN ('pending', 'failed') OR m.held_key IS NOT NULL LIMIT 1) one
)
SELECT ${ITEM_COLUMNS('u')}, u.status, u.attempt, u.lease_owner, u.lease_expires_at, u.last_error, u.updated_at
FROM upd u LEFT JOIN wake ON true`,

    /** Dead-letters running items whose lease expired after their last attempt. */
    reap: `
WITH cand AS (
  SELECT item_id, lease_owner, claimed_at, attempt, serial_key FROM ${s}.item_queue
  WHERE lease_owner IS NOT NULL AND attempt >= max_attempts AND lease_expires_at <= $1
  ORDER BY item_id
  FOR UPDATE SKIP LOCKED
), done AS (
  DELETE FROM ${s}.item_queue q USING cand c WHERE q.item_id = c.item_id
), upd AS (
  UPDATE ${s}.items i SET status = 'dead', attempt = c.attempt, updated_at = $1,
    last_error = ${leaseExpiredError('c.lease_owner')}
  FROM cand c WHERE i.id = c.item_id
  RETURNING i.id, i.seller_id
), att AS (
  INSERT INTO ${s}.attempts (item_id, seller_id, attempt, worker_id, started_at, finished_at, outcome, error)
  SELECT c.item_id, u.seller_id, c.attempt, c.lease_owner, c.claimed_at, $1, 'lease_expired',
    ${leaseExpiredError('c.lease_owner')}
  FROM cand c JOIN upd u ON u.id = c.item_id
), rel AS (
  DELETE FROM ${s}.serial_holds h USING cand c WHERE h.serial_key = c.serial_key AND h.item_id = c.item_id
)
SELECT count(*)::int AS n FROM upd`,

    /**
     * Earliest claimable time: the first due item not blocked by a live serial key, or for a blocked
     * one, when the key's hold expires (a finishing holder NOTIFYs earlier).
     */
    nextDue: `
SELECT least(
  (SELECT q.due_at FROM ${s}.item_queue q
   WHERE q.due_at IS NOT NULL AND (q.serial_key IS NULL OR NOT EXISTS (
     SELECT 1 FROM ${s}.serial_holds h WHERE h.serial_key = q.serial_key AND h.expires_at > $1 AND h.item_id <> q.item_id))
   ORDER BY q.due_at, q.item_id LIMIT 1),
  (SELECT min(greatest(q.due_at, h.expires_at)) FROM ${s}.serial_holds h
   JOIN ${s}.item_queue q ON q.serial_key = h.serial_key AND q.item_id <> h.item_id AND q.due_at IS NOT NULL
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
      const scan = limit + Math.min(limit, SERIAL_KEY_SLACK)
      const params = [at, limit, scan, new Date(at.getTime() + leaseMs), providers ?? null, workerId]
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
        at: validDate(request.now, 'finishItem now').getTime(),
        started_at: validDate(attempt?.startedAt, 'attempt startedAt').getTime(),
        finished_at: validDate(attempt?.finishedAt, 'attempt finishedAt').getTime(),
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
          row.next_attempt_at = validDate(outcome.nextAttemptAt, 'failed outcome nextAttemptAt').getTime()
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
