import type { NewSyncItem, Scope, SyncItem } from '@hub/core'
import type { SqlHubStore } from '../src/index.js'

/** A seller with a connection and a run, and a helper to enqueue items into it. */
export interface Tenant {
  scope: Scope
  connectionId: string
  runId: string
  item(key: string, extra?: Partial<NewSyncItem>): NewSyncItem
}

/** Create a seller's connection and run. */
export async function tenant(store: SqlHubStore, sellerId = 'seller-1'): Promise<Tenant> {
  const connection = await store.createConnection({
    sellerId,
    provider: 'shopify',
    externalAccountId: `${sellerId}.myshopify.com`,
    status: 'active',
  })
  const run = await store.createRun({ sellerId, connectionId: connection.id, kind: 'manual' })
  return {
    scope: { sellerId },
    connectionId: connection.id,
    runId: run.id,
    item: (key, extra = {}) => ({
      runId: run.id,
      connectionId: connection.id,
      sellerId,
      provider: 'shopify',
      operation: 'noop',
      idempotencyKey: key,
      entityType: 'thing',
      ...extra,
    }),
  }
}

/** A finish request for a claimed item. */
export function succeed(item: SyncItem, workerId: string, now = new Date()) {
  return {
    itemId: item.id,
    workerId,
    outcome: { status: 'succeeded' as const },
    attempt: { startedAt: now, finishedAt: now, outcome: 'succeeded' as const },
    now,
  }
}

/** Resolve once `predicate` holds, polling every 5 ms, or reject after `ms`. */
export async function until(predicate: () => boolean, ms = 2_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 5))
  }
}
