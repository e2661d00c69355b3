import { runStoreConformance, type StoreRawReaders } from '@hub/testkit/conformance'
import { describe, it } from 'vitest'
import type { SqlHubStore } from '../src/index.js'
import { DATABASE_URL, NO_DATABASE, pgliteTestStore, pgTestStore } from './helpers.js'

async function countRows(store: SqlHubStore, table: string, where: Record<string, string | undefined>) {
  const entries = Object.entries(where).filter(([, v]) => v !== undefined)
  const sql = `SELECT count(*)::int AS n FROM "${store.schema}".${table}${
    entries.length ? ` WHERE ${entries.map(([k], i) => `${k} = $${i + 1}`).join(' AND ')}` : ''
  }`
  const rows = await store.driver.query<{ n: number }>(
    sql,
    entries.map(([, v]) => v),
  )
  return rows[0]!.n
}

/** Raw read-back of stored rows, bypassing the store's getters. */
const raw: StoreRawReaders<SqlHubStore> = {
  countItems: (store, w) =>
    countRows(store, 'items', { connection_id: w.connectionId, idempotency_key: w.idempotencyKey }),
  countWebhookEvents: (store, w) =>
    countRows(store, 'webhook_events', { provider: w.provider, provider_event_id: w.providerEventId }),
  countMappings: (store, w) =>
    countRows(store, 'mappings', {
      connection_id: w.connectionId,
      entity_type: w.entityType,
      external_id: w.externalId,
    }),
  countConflicts: (store, w) => countRows(store, 'conflicts', { mapping_id: w.mappingId, status: w.status }),
  countAttempts: (store, w) => countRows(store, 'attempts', { item_id: w.itemId }),
  async getItem(store, id) {
    const rows = await store.driver.query<{
      id: string
      seller_id: string
      status: 'pending'
      attempt: number
      lease_owner: string | null
    }>(`SELECT id, seller_id, status, attempt, lease_owner FROM "${store.schema}".item_state WHERE id = $1`, [
      id,
    ])
    const r = rows[0]
    return r
      ? { id: r.id, sellerId: r.seller_id, status: r.status, attempt: r.attempt, leaseOwner: r.lease_owner }
      : null
  },
}

runStoreConformance(pgliteTestStore, { name: 'PGlite', raw, concurrency: 8 })

if (DATABASE_URL) {
  runStoreConformance(() => pgTestStore({ max: 16 }), {
    name: 'PostgreSQL (DATABASE_URL)',
    raw,
    concurrency: 16,
  })
} else {
  describe('HubStore conformance: PostgreSQL', () => {
    it.skip(NO_DATABASE, () => {})
  })
}
