import { randomUUID } from 'node:crypto'
import type { HubStore, NewWebhookEvent } from '@hub/core'
import { expect } from 'vitest'
import type { DefineTest } from './store-conformance.js'
import { range, type Tenant } from './store-seed.js'

function delivery(tenant: Tenant, providerEventId: string, receivedAt: Date): NewWebhookEvent {
  return {
    provider: tenant.connection.provider,
    providerEventId,
    connectionId: tenant.connection.id,
    sellerId: tenant.scope.sellerId,
    topic: 'inventory_levels/update',
    occurredAt: receivedAt,
    receivedAt,
    headers: { 'x-topic': 'inventory_levels/update' },
    payload: { available: 3, nested: { list: [1, 2] } },
  }
}

/** Connections, enqueue idempotency, the webhook inbox and checkpoints. */
export function registerIngestTests<S extends HubStore>(test: DefineTest<S>): void {
  test('connections.crud', async ({ store, seed }) => {
    const sellerId = `seller-${randomUUID()}`
    const account = `shop-${randomUUID()}.example`
    const created = await store.createConnection({
      sellerId,
      provider: seed.provider,
      externalAccountId: account,
      policy: { outboundInventory: false },
      settings: { locationId: 'loc-1', flags: [1, 2] },
    })
    expect(created.id).toEqual(expect.any(String))
    expect(created).toMatchObject({
      sellerId,
      provider: seed.provider,
      externalAccountId: account,
      statusReason: null,
      credentials: null,
      policy: { inboundCatalog: true, inboundInventory: true, outboundInventory: false },
      settings: { locationId: 'loc-1', flags: [1, 2] },
    })
    expect(created.createdAt).toBeInstanceOf(Date)
    expect(await store.getConnection({ sellerId }, created.id)).toEqual(created)

    const credentials = { v: 1 as const, keyId: 'k1', iv: 'aXY=', tag: 'dGFn', data: 'ZGF0YQ==' }
    const updated = await store.updateConnection({ sellerId }, created.id, {
      status: 'error',
      statusReason: 'token revoked',
      policy: { inboundCatalog: false },
      credentials,
    })
    expect(updated).toMatchObject({
      id: created.id,
      status: 'error',
      statusReason: 'token revoked',
      policy: { inboundCatalog: false, inboundInventory: true, outboundInventory: false },
      credentials,
      settings: { locationId: 'loc-1', flags: [1, 2] },
    })
    expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime())
    expect(await store.getConnection({ sellerId }, created.id)).toEqual(updated)

    const other = await store.createConnection({
      sellerId,
      provider: `${seed.provider}-b`,
      externalAccountId: `shop-${randomUUID()}.example`,
      status: 'active',
    })
    expect((await store.listConnections({ sellerId })).map((c) => c.id).sort()).toEqual(
      [created.id, other.id].sort(),
    )
    expect((await store.listConnections({ sellerId }, { provider: seed.provider })).map((c) => c.id)).toEqual(
      [created.id],
    )
    expect((await store.listConnections({ sellerId }, { status: 'active' })).map((c) => c.id)).toEqual([
      other.id,
    ])
    expect((await store.findConnectionByAccount(seed.provider, account))?.id).toBe(created.id)
    expect(await store.findConnectionByAccount(seed.provider, 'nobody.example')).toBeNull()
    expect(await store.findConnectionByAccount(`${seed.provider}-b`, account)).toBeNull()
  })

  test('enqueue.idempotency', async ({ store, seed, raw }) => {
    const a = await seed.tenant()
    const b = await seed.tenant({ sellerId: a.scope.sellerId })
    const first = await store.enqueueItems([
      seed.item(a, { idempotencyKey: 'k1' }),
      seed.item(a, { idempotencyKey: 'k2' }),
      seed.item(a, { idempotencyKey: 'k1' }),
    ])
    expect(first.created).toBe(2)
    expect(first.items).toHaveLength(3)
    expect(first.items[0]!.id).toBe(first.items[2]!.id)
    expect(first.items[0]!.id).not.toBe(first.items[1]!.id)
    expect(first.items[0]).toMatchObject({
      status: 'pending',
      attempt: 0,
      idempotencyKey: 'k1',
      leaseOwner: null,
    })

    const again = await store.enqueueItems([
      seed.item(a, { idempotencyKey: 'k1', payload: { changed: true } }),
    ])
    expect(again.created).toBe(0)
    expect(again.items[0]!.id).toBe(first.items[0]!.id)
    expect((await store.getItem(a.scope, first.items[0]!.id))?.payload).toEqual(first.items[0]!.payload)

    const elsewhere = await store.enqueueItems([seed.item(b, { idempotencyKey: 'k1' })])
    expect(elsewhere.created).toBe(1)
    expect(elsewhere.items[0]!.id).not.toBe(first.items[0]!.id)
    expect(elsewhere.items[0]!.connectionId).toBe(b.connection.id)

    if (raw.countItems) {
      expect(await raw.countItems(store, { connectionId: a.connection.id, idempotencyKey: 'k1' })).toBe(1)
      expect(await raw.countItems(store, { connectionId: a.connection.id })).toBe(2)
      expect(await raw.countItems(store, { connectionId: b.connection.id })).toBe(1)
    }
  })

  test('enqueue.idempotency-concurrent', async ({ store, seed, raw, concurrency }) => {
    const tenant = await seed.tenant()
    const keys = range(20).map((i) => `batch-${i}`)
    const results = await Promise.all(
      range(concurrency).map((c) => {
        // Every caller sends the same keys in a different order: a SQL store must not deadlock.
        const order = keys.map((_, i) => keys[(i * 7 + c) % keys.length]!)
        return store
          .enqueueItems(order.map((idempotencyKey) => seed.item(tenant, { idempotencyKey })))
          .then((result) => ({ order, result }))
      }),
    )
    const idByKey = new Map<string, string>()
    let created = 0
    for (const { order, result } of results) {
      created += result.created
      expect(result.items.map((item) => item.idempotencyKey)).toEqual(order)
      for (const item of result.items) {
        const known = idByKey.get(item.idempotencyKey)
        if (known) expect(item.id).toBe(known)
        else idByKey.set(item.idempotencyKey, item.id)
      }
    }
    expect(created).toBe(keys.length)
    expect(idByKey.size).toBe(keys.length)
    const listed = await store.listItems(tenant.scope, { connectionId: tenant.connection.id, limit: 1000 })
    expect(listed).toHaveLength(keys.length)
    if (raw.countItems)
      expect(await raw.countItems(store, { connectionId: tenant.connection.id })).toBe(keys.length)

    const single = await Promise.all(
      range(concurrency).map(() => store.enqueueItems([seed.item(tenant, { idempotencyKey: 'solo' })])),
    )
    expect(single.reduce((sum, r) => sum + r.created, 0)).toBe(1)
    expect(new Set(single.map((r) => r.items[0]!.id)).size).toBe(1)
  })

  test('webhooks.dedupe', async ({ store, seed, raw }) => {
    const tenant = await seed.tenant()
    const eventId = `evt-${randomUUID()}`
    const results = await Promise.all(
      range(50).map(() => store.recordWebhookEvent(delivery(tenant, eventId, seed.t0))),
    )
    expect(results.filter((r) => r.created)).toHaveLength(1)
    const ids = new Set(results.map((r) => r.event.id))
    expect(ids.size).toBe(1)
    const [id] = [...ids]
    const stored = await store.getWebhookEvent(tenant.scope, id!)
    expect(stored).toMatchObject({
      id,
      provider: tenant.connection.provider,
      providerEventId: eventId,
      connectionId: tenant.connection.id,
      sellerId: tenant.scope.sellerId,
      topic: 'inventory_levels/update',
      status: 'received',
      runId: null,
      error: null,
      headers: { 'x-topic': 'inventory_levels/update' },
      payload: { available: 3, nested: { list: [1, 2] } },
    })
    expect(stored?.receivedAt.getTime()).toBe(seed.t0.getTime())
    if (raw.countWebhookEvents) {
      expect(
        await raw.countWebhookEvents(store, {
          provider: tenant.connection.provider,
          providerEventId: eventId,
        }),
      ).toBe(1)
    }

    // The same event id from another provider is another event.
    const otherProvider = await seed.tenant({
      sellerId: tenant.scope.sellerId,
      provider: `${seed.provider}-b`,
    })
    const other = await store.recordWebhookEvent(delivery(otherProvider, eventId, seed.t0))
    expect(other.created).toBe(true)
    expect(other.event.id).not.toBe(id)
  })

  test('webhooks.update', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const { event } = await store.recordWebhookEvent(delivery(tenant, `evt-${randomUUID()}`, seed.t0))
    const { event: second } = await store.recordWebhookEvent(
      delivery(tenant, `evt-${randomUUID()}`, seed.at(1)),
    )
    const updated = await store.updateWebhookEvent(tenant.scope, event.id, {
      status: 'processed',
      runId: tenant.run.id,
    })
    expect(updated).toMatchObject({ id: event.id, status: 'processed', runId: tenant.run.id, error: null })
    const failed = await store.updateWebhookEvent(tenant.scope, second.id, {
      status: 'failed',
      error: 'boom',
    })
    expect(failed).toMatchObject({ status: 'failed', error: 'boom', runId: null })
    expect(await store.getWebhookEvent(tenant.scope, event.id)).toMatchObject({ status: 'processed' })

    const processed = await store.listWebhookEvents(tenant.scope, { status: 'processed' })
    expect(processed.map((e) => e.id)).toEqual([event.id])
    const all = await store.listWebhookEvents(tenant.scope, { connectionId: tenant.connection.id })
    expect(all.map((e) => e.id).sort()).toEqual([event.id, second.id].sort())
    expect(await store.listWebhookEvents(tenant.scope, { limit: 1 })).toHaveLength(1)
    await expect(
      store.updateWebhookEvent(tenant.scope, randomUUID(), { status: 'processed' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })

  test('checkpoints.save', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const { scope } = tenant
    const connectionId = tenant.connection.id
    expect(await store.getCheckpoint(scope, connectionId, 'orders')).toBeNull()
    const saved = await store.saveCheckpoint(scope, {
      connectionId,
      stream: 'orders',
      cursor: 'c1',
      watermark: seed.t0,
    })
    expect(saved).toMatchObject({ connectionId, sellerId: scope.sellerId, stream: 'orders', cursor: 'c1' })
    expect(saved.watermark?.getTime()).toBe(seed.t0.getTime())
    expect(await store.getCheckpoint(scope, connectionId, 'orders')).toMatchObject({ cursor: 'c1' })

    await store.saveCheckpoint(scope, {
      connectionId,
      stream: 'orders',
      cursor: 'c2',
      watermark: seed.at(5000),
    })
    await store.saveCheckpoint(scope, { connectionId, stream: 'products', cursor: null, watermark: null })
    const orders = await store.getCheckpoint(scope, connectionId, 'orders')
    expect(orders?.cursor).toBe('c2')
    expect(orders?.watermark?.getTime()).toBe(seed.at(5000).getTime())
    expect(await store.getCheckpoint(scope, connectionId, 'products')).toMatchObject({
      cursor: null,
      watermark: null,
    })

    const other = await seed.tenant({ sellerId: scope.sellerId })
    expect(await store.getCheckpoint(scope, other.connection.id, 'orders')).toBeNull()
  })
}
