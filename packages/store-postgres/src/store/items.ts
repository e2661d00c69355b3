import {
  type EnqueueResult,
  type ItemFilter,
  type ItemStatus,
  itemStatusSchema,
  type Json,
  type NewSyncItem,
  NotFoundError,
  type ReplaySelector,
  type Scope,
  type SyncAttempt,
  type SyncItem,
} from '@hub/core'
import { newId } from '../ids.js'
import { pageSize, type StoreContext } from './context.js'
import { type Row, toAttempt, toItem, toJson } from './rows.js'
import { invalid, oneOf, sellerOf, validDate } from './validate.js'

/** `maxAttempts` of an item that sets none (as the memory store). */
export const DEFAULT_MAX_ATTEMPTS = 8
const REPLAY_DEFAULT_STATUSES: readonly ItemStatus[] = ['dead', 'failed', 'blocked', 'skipped']
const ITEM_FIELDS = [
  'runId',
  'connectionId',
  'sellerId',
  'provider',
  'operation',
  'idempotencyKey',
  'entityType',
]

function checkNewItem(input: NewSyncItem): void {
  if (input === null || typeof input !== 'object') invalid('an item to enqueue must be an object')
  for (const field of ITEM_FIELDS) {
    const value: unknown = (input as unknown as Record<string, unknown>)[field]
    if (typeof value !== 'string' || value.length === 0)
      invalid(`item field "${field}" must be a non-empty string`)
  }
  if (input.maxAttempts !== undefined && !(Number.isInteger(input.maxAttempts) && input.maxAttempts >= 1)) {
    invalid('item maxAttempts must be a positive integer')
  }
  if (input.nextAttemptAt !== undefined) validDate(input.nextAttemptAt, 'item nextAttemptAt')
}

const itemKey = (connectionId: string, idempotencyKey: string) => `${connectionId}\0${idempotencyKey}`

/** The row `enqueueItems` inserts, as the store will read it back. */
function newItem(input: NewSyncItem, at: Date): SyncItem {
  return {
    id: newId(),
    runId: input.runId,
    connectionId: input.connectionId,
    sellerId: input.sellerId,
    provider: input.provider,
    operation: input.operation,
    idempotencyKey: input.idempotencyKey,
    entityType: input.entityType,
    externalId: input.externalId ?? null,
    internalId: input.internalId ?? null,
    serialKey: input.serialKey ?? null,
    sourceHash: input.sourceHash ?? null,
    targetHash: input.targetHash ?? null,
    payload: structuredClone(input.payload ?? {}),
    diagnosticPayload: null,
    result: null,
    status: 'pending',
    attempt: 0,
    maxAttempts: input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    nextAttemptAt: new Date(input.nextAttemptAt ?? at),
    leaseOwner: null,
    leaseExpiresAt: null,
    lastError: null,
    createdAt: at,
    updatedAt: at,
  }
}

/** Item methods of the SQL store (the queue itself is in `queue.ts`). */
export function itemMethods({ db, s, wake, now }: StoreContext) {
  return {
    /**
     * One statement inserts the whole batch; `ON CONFLICT DO NOTHING` on `(connection_id,
     * idempotency_key)` waits for a concurrent insert of the same key and skips it, and the
     * existing rows are read back afterwards. Idle workers are woken after the commit (`wakeSignal`).
     */
    async enqueueItems(inputs: NewSyncItem[]): Promise<EnqueueResult> {
      if (!Array.isArray(inputs)) invalid('enqueueItems needs an array of items')
      inputs.forEach(checkNewItem)
      if (inputs.length === 0) return { items: [], created: 0 }
      const at = now()
      const fresh = inputs.map((i) => newItem(i, at))
      const rows = fresh.map((item, ord) => ({
        ord,
        id: item.id,
        run_id: item.runId,
        connection_id: item.connectionId,
        seller_id: item.sellerId,
        provider: item.provider,
        operation: item.operation,
        idempotency_key: item.idempotencyKey,
        entity_type: item.entityType,
        external_id: item.externalId,
        internal_id: item.internalId,
        serial_key: item.serialKey,
        source_hash: item.sourceHash,
        target_hash: item.targetHash,
        payload: item.payload,
        max_attempts: item.maxAttempts,
        next_attempt_at: item.nextAttemptAt.getTime(), // epoch ms: cheaper to encode than ISO text
      }))
      // The items are built here, so the statement returns no rows to parse back: how many it
      // inserted, and which ids only when some key already existed; the ownership check of runs
      // and connections rides in the same statement.
      const [result] = await db.query<{ missing: string | null; created: number; inserted: string[] | null }>(
        `WITH x AS (
           SELECT r.id, r.run_id, r.connection_id, r.seller_id, r.provider, r.operation, r.idempotency_key,
             r.entity_type, r.external_id, r.internal_id, r.serial_key, r.source_hash, r.target_hash, r.payload,
             r.max_attempts, to_timestamp(r.next_attempt_at / 1000.0) AS next_attempt_at, r.ord
           FROM jsonb_to_recordset($1::jsonb) AS r(id text, run_id text, connection_id text,
             seller_id text, provider text, operation text, idempotency_key text, entity_type text,
             external_id text, internal_id text, serial_key text, source_hash text, target_hash text,
             payload jsonb, max_attempts int, next_attempt_at float8, ord int)
         ), owners AS (
           SELECT DISTINCT run_id, connection_id, seller_id FROM x
         ), missing AS (
           SELECT 'run ' || o.run_id AS what FROM owners o
             WHERE NOT EXISTS (SELECT 1 FROM ${s}.runs r WHERE r.id = o.run_id AND r.seller_id = o.seller_id)
           UNION ALL
           SELECT 'connection ' || o.connection_id FROM owners o
             WHERE NOT EXISTS (SELECT 1 FROM ${s}.connections c WHERE c.id = o.connection_id AND c.seller_id = o.seller_id)
           LIMIT 1
         ), ins AS (
           INSERT INTO ${s}.items (id, run_id, connection_id, seller_id, provider, operation, idempotency_key,
             entity_type, external_id, internal_id, serial_key, source_hash, target_hash, payload, status,
             attempt, max_attempts, next_attempt_at, created_at, updated_at)
           SELECT x.id, x.run_id, x.connection_id, x.seller_id, x.provider, x.operation, x.idempotency_key,
             x.entity_type, x.external_id, x.internal_id, x.serial_key, x.source_hash, x.target_hash,
             coalesce(x.payload, 'null'), 'pending', 0, x.max_attempts, x.next_attempt_at, $2, $2
           FROM x WHERE NOT EXISTS (SELECT 1 FROM missing)
           ORDER BY x.ord
           ON CONFLICT (connection_id, idempotency_key) DO NOTHING
           RETURNING id, provider, serial_key, max_attempts, next_attempt_at
         ), queued AS (
           INSERT INTO ${s}.item_queue (item_id, provider, serial_key, attempt, max_attempts, next_attempt_at)
           SELECT id, provider, serial_key, 0, max_attempts, next_attempt_at FROM ins
         )
         SELECT (SELECT what FROM missing) AS missing,
                (SELECT count(*) FROM ins)::int AS created,
                CASE WHEN (SELECT count(*) FROM ins) < (SELECT count(*) FROM x)
                  THEN (SELECT array_agg(id) FROM ins) END AS inserted`,
        [JSON.stringify(rows), at],
      )
      if ((result?.created ?? 0) > 0) wake()
      if (result?.missing) {
        const [kind, ...id] = result.missing.split(' ')
        throw new NotFoundError(kind!, id.join(' '))
      }
      const allInserted = result !== undefined && result.created === fresh.length
      const inserted = new Set(result?.inserted ?? [])
      const byKey = new Map<string, SyncItem>()
      for (const item of fresh) {
        if (allInserted || inserted.has(item.id))
          byKey.set(itemKey(item.connectionId, item.idempotencyKey), item)
      }
      const created = byKey.size
      const missing = inputs.filter((i) => !byKey.has(itemKey(i.connectionId, i.idempotencyKey)))
      if (missing.length > 0) {
        const existing = await db.query(
          `SELECT i.* FROM ${s}.item_state i
           JOIN unnest($1::text[], $2::text[]) AS k(connection_id, idempotency_key)
             ON i.connection_id = k.connection_id AND i.idempotency_key = k.idempotency_key`,
          [missing.map((i) => i.connectionId), missing.map((i) => i.idempotencyKey)],
        )
        for (const row of existing) {
          const item = toItem(row)
          byKey.set(itemKey(item.connectionId, item.idempotencyKey), item)
        }
      }
      const items = inputs.map((i) => {
        const item = byKey.get(itemKey(i.connectionId, i.idempotencyKey))
        // Only possible if the row was pruned between the two statements.
        if (!item) throw new NotFoundError('item', `${i.connectionId}/${i.idempotencyKey}`)
        return item
      })
      return { items, created }
    },

    async getItem(scope: Scope, id: string): Promise<SyncItem | null> {
      const rows = await db.query(`SELECT * FROM ${s}.item_state WHERE id = $1 AND seller_id = $2`, [
        id,
        sellerOf(scope),
      ])
      return rows[0] ? toItem(rows[0]) : null
    },

    /** Oldest first (ids are time-ordered); `after` is a keyset cursor. */
    async listItems(scope: Scope, filter: ItemFilter = {}): Promise<SyncItem[]> {
      const statuses =
        filter.status === undefined ? null : Array.isArray(filter.status) ? filter.status : [filter.status]
      const rows = await db.query(
        `SELECT * FROM ${s}.item_state WHERE seller_id = $1
           AND ($2::text IS NULL OR run_id = $2) AND ($3::text IS NULL OR connection_id = $3)
           AND ($4::text[] IS NULL OR status = ANY($4::text[])) AND ($5::text IS NULL OR operation = $5)
           AND ($6::text IS NULL OR id > $6)
         ORDER BY id LIMIT $7`,
        [
          sellerOf(scope),
          filter.runId ?? null,
          filter.connectionId ?? null,
          statuses,
          filter.operation ?? null,
          filter.after ?? null,
          pageSize(filter.limit),
        ],
      )
      return rows.map(toItem)
    },

    async listAttempts(scope: Scope, itemId: string): Promise<SyncAttempt[]> {
      const rows = await db.query(
        `SELECT * FROM ${s}.attempts WHERE item_id = $1 AND seller_id = $2 ORDER BY id`,
        [itemId, sellerOf(scope)],
      )
      return rows.map(toAttempt)
    },

    async saveDiagnostic(itemId: string, workerId: string, payload: Json): Promise<boolean> {
      const rows = await db.query(
        `WITH lease AS (
           SELECT item_id FROM ${s}.item_queue WHERE item_id = $1 AND lease_owner = $2 FOR SHARE
         )
         UPDATE ${s}.items i SET diagnostic_payload = $3::jsonb FROM lease l WHERE i.id = l.item_id RETURNING i.id`,
        [itemId, workerId, toJson(payload)],
      )
      return rows.length > 0
    },

    /** Running items are never touched; the same statement NOTIFYs workers when something was re-queued. */
    async replay(scope: Scope, selector: ReplaySelector, at: Date): Promise<SyncItem[]> {
      const sellerId = sellerOf(scope)
      validDate(at, 'replay now')
      if (!selector || typeof selector !== 'object') invalid('replay needs a selector')
      // `where(n)`: the selector's condition with its parameters numbered from `$n`.
      let where: (n: number) => string
      let params: unknown[]
      if ('itemId' in selector) {
        where = (n) => `id = $${n}`
        params = [selector.itemId]
      } else {
        const statuses = [...(selector.statuses ?? REPLAY_DEFAULT_STATUSES)]
        for (const st of statuses) oneOf(st, itemStatusSchema.options, 'item status')
        const column = 'runId' in selector ? 'run_id' : 'connection_id'
        where = (n) => `${column} = $${n} AND status = ANY($${n + 1}::text[])`
        params = ['runId' in selector ? selector.runId : selector.connectionId, statuses]
      }
      // Three steps in one transaction, taking locks in the order the queue does (queue row,
      // then item): the candidates, their queue rows (a claim cannot start on a locked one), then
      // the items re-checked under their row locks (so prune cannot delete them meanwhile).
      const rows = await db.transaction(async (tx) => {
        const candidates = await tx.query<{ id: string }>(
          `SELECT id FROM ${s}.items WHERE seller_id = $1 AND ${where(2)}`,
          [sellerId, ...params],
        )
        if (candidates.length === 0) return []
        const ids = candidates.map((c) => c.id)
        await tx.query(
          `SELECT item_id FROM ${s}.item_queue WHERE item_id = ANY($1::text[]) ORDER BY item_id FOR UPDATE`,
          [ids],
        )
        return tx.query<Row>(
          `WITH target AS (
             SELECT i.id, i.provider, i.serial_key, i.max_attempts FROM ${s}.items i
             WHERE i.id = ANY($3::text[]) AND i.seller_id = $1 AND ${where(4)}
               AND NOT EXISTS (SELECT 1 FROM ${s}.item_queue q WHERE q.item_id = i.id AND q.lease_owner IS NOT NULL)
             ORDER BY i.id FOR UPDATE OF i
           ), queued AS (
             INSERT INTO ${s}.item_queue AS q (item_id, provider, serial_key, attempt, max_attempts, next_attempt_at)
             SELECT t.id, t.provider, t.serial_key, 0, t.max_attempts, $2 FROM target t ORDER BY t.id
             ON CONFLICT (item_id) DO UPDATE SET attempt = 0, next_attempt_at = excluded.next_attempt_at,
               lease_owner = NULL, lease_expires_at = NULL
             RETURNING q.item_id
           ), upd AS (
             UPDATE ${s}.items i SET status = 'pending', attempt = 0, next_attempt_at = $2, updated_at = $2
             FROM queued q WHERE i.id = q.item_id
             RETURNING i.*, NULL::text AS lease_owner, NULL::timestamptz AS lease_expires_at
           )
           SELECT upd.* FROM upd ORDER BY upd.id`,
          [sellerId, at, ids, ...params],
        )
      })
      if (rows.length > 0) wake()
      return rows.map(toItem)
    },
  }
}
