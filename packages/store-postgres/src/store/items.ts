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
export function itemMethods({ db, s, channel, now }: StoreContext) {
  return {
    /**
     * One statement inserts the whole batch; `ON CONFLICT DO NOTHING` on `(connection_id,
     * idempotency_key)` waits for a concurrent insert of the same key and skips it, and the
     * existing rows are read back afterwards. The same statement NOTIFYs idle workers.
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
        next_attempt_at: item.nextAttemptAt.toISOString(),
      }))
      // The items are built here, so the statement returns only the ids it inserted (no rows to
      // parse back); the ownership check of runs and connections rides in the same statement.
      const [result] = await db.query<{ missing: string | null; inserted: string[] | null }>(
        `WITH x AS (
           SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(id text, run_id text, connection_id text,
             seller_id text, provider text, operation text, idempotency_key text, entity_type text,
             external_id text, internal_id text, serial_key text, source_hash text, target_hash text,
             payload jsonb, max_attempts int, next_attempt_at timestamptz, ord int)
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
           RETURNING id
         ), wake AS (
           SELECT pg_notify($3, '') FROM (SELECT 1 FROM ins LIMIT 1) one
         )
         SELECT (SELECT what FROM missing) AS missing,
                (SELECT array_agg(id) FROM ins LEFT JOIN wake ON true) AS inserted`,
        [JSON.stringify(rows), at, channel],
      )
      if (result?.missing) {
        const [kind, ...id] = result.missing.split(' ')
        throw new NotFoundError(kind!, id.join(' '))
      }
      const inserted = new Set(result?.inserted ?? [])
      const byKey = new Map<string, SyncItem>()
      for (const item of fresh) {
        if (inserted.has(item.id)) byKey.set(itemKey(item.connectionId, item.idempotencyKey), item)
      }
      const created = byKey.size
      const missing = inputs.filter((i) => !byKey.has(itemKey(i.connectionId, i.idempotencyKey)))
      if (missing.length > 0) {
        const existing = await db.query(
          `SELECT i.* FROM ${s}.items i
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
      const rows = await db.query(`SELECT * FROM ${s}.items WHERE id = $1 AND seller_id = $2`, [
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
        `SELECT * FROM ${s}.items WHERE seller_id = $1
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
        `UPDATE ${s}.items SET diagnostic_payload = $3::jsonb
         WHERE id = $1 AND lease_owner = $2 RETURNING id`,
        [itemId, workerId, toJson(payload)],
      )
      return rows.length > 0
    },

    /** Running items are never touched; the same statement NOTIFYs workers when something was re-queued. */
    async replay(scope: Scope, selector: ReplaySelector, at: Date): Promise<SyncItem[]> {
      const sellerId = sellerOf(scope)
      validDate(at, 'replay now')
      if (!selector || typeof selector !== 'object') invalid('replay needs a selector')
      let where: string
      let params: unknown[]
      if ('itemId' in selector) {
        where = `id = $3`
        params = [selector.itemId]
      } else {
        const statuses = [...(selector.statuses ?? REPLAY_DEFAULT_STATUSES)]
        for (const st of statuses) oneOf(st, itemStatusSchema.options, 'item status')
        where =
          'runId' in selector
            ? `run_id = $3 AND status = ANY($4::text[])`
            : `connection_id = $3 AND status = ANY($4::text[])`
        params = ['runId' in selector ? selector.runId : selector.connectionId, statuses]
      }
      const rows = await db.query<Row>(
        `WITH upd AS (
           UPDATE ${s}.items SET status = 'pending', attempt = 0, next_attempt_at = $2, lease_owner = NULL,
             lease_expires_at = NULL, updated_at = $2
           WHERE seller_id = $1 AND status <> 'running' AND ${where}
           RETURNING *
         ), wake AS (SELECT pg_notify('${channel}', '') FROM (SELECT 1 FROM upd LIMIT 1) one)
         SELECT upd.* FROM upd LEFT JOIN wake ON true ORDER BY upd.id`,
        [sellerId, at, ...params],
      )
      return rows.map(toItem)
    },
  }
}
