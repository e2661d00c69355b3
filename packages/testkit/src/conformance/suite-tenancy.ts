import { randomUUID } from 'node:crypto'
import type { HubStore } from '@hub/core'
import { expect } from 'vitest'
import type { DefineTest } from './store-conformance.js'
import { itemError } from './store-seed.js'

/** Passes when the call rejects with a `NOT_FOUND` error or resolves to `null`. */
async function expectNullOrNotFound(call: Promise<unknown>): Promise<void> {
  const settled = await call.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  )
  if (settled.ok) expect(settled.value).toBeNull()
  else expect(settled.error).toMatchObject({ code: 'NOT_FOUND' })
}

/** Tenant isolation through every scoped method. */
export function registerTenancyTests<S extends HubStore>(test: DefineTest<S>): void {
  test('tenancy.isolation', async ({ store, seed, raw }) => {
    // Seller A owns one of everything.
    const a = await seed.tenant()
    const [item, running] = await seed.enqueue(a, 2)
    await seed.drive([
      { item: item!, outcome: { status: 'dead', error: itemError('DEAD', false) } },
      { item: running!, outcome: 'running' },
    ])
    const { event } = await store.recordWebhookEvent({
      provider: a.connection.provider,
      providerEventId: `evt-${randomUUID()}`,
      connectionId: a.connection.id,
      sellerId: a.scope.sellerId,
      topic: 'products/update',
      occurredAt: null,
      receivedAt: seed.t0,
      headers: {},
      payload: { id: 1 },
    })
    const mapping = await store.upsertMapping(a.scope, {
      connectionId: a.connection.id,
      entityType: 'product',
      externalId: 'p-1',
      internalId: 'prod_1',
      status: 'linked',
      baseline: 7,
    })
    const { conflict } = await store.createConflict(a.scope, {
      connectionId: a.connection.id,
      mappingId: mapping.id,
      entityType: 'product',
      externalId: 'p-1',
      internalId: 'prod_1',
      diffs: [{ field: 'title', ours: 'A', theirs: 'B', base: 'A' }],
      sourceHash: 'src-1',
      targetHash: null,
    })
    await store.saveCheckpoint(a.scope, {
      connectionId: a.connection.id,
      stream: 'orders',
      cursor: 'c-a',
      watermark: null,
    })

    // Seller B, with rows of its own, sees none of A's and changes none.
    const b = await seed.tenant()
    const scope = b.scope
    const conn = a.connection.id
    expect(await store.getConnection(scope, conn)).toBeNull()
    expect((await store.listConnections(scope)).map((c) => c.id)).toEqual([b.connection.id])
    await expect(store.updateConnection(scope, conn, { status: 'paused' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })

    expect(await store.getWebhookEvent(scope, event.id)).toBeNull()
    expect(await store.listWebhookEvents(scope)).toEqual([])
    expect(await store.listWebhookEvents(scope, { connectionId: conn })).toEqual([])
    await expect(store.updateWebhookEvent(scope, event.id, { status: 'ignored' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })

    expect(await store.getRun(scope, a.run.id)).toBeNull()
    expect((await store.listRuns(scope)).map((r) => r.id)).toEqual([b.run.id])
    expect(await store.listRuns(scope, { connectionId: conn })).toEqual([])
    expect(await store.getItem(scope, item!.id)).toBeNull()
    expect(await store.listItems(scope)).toEqual([])
    expect(await store.listItems(scope, { runId: a.run.id })).toEqual([])
    expect(await store.listItems(scope, { connectionId: conn })).toEqual([])
    expect(await store.listItems(scope, { after: item!.id })).toEqual([])
    expect(await store.listAttempts(scope, item!.id)).toEqual([])
    expect(await store.replay(scope, { itemId: item!.id }, seed.at(9000))).toEqual([])
    expect(await store.replay(scope, { runId: a.run.id }, seed.at(9000))).toEqual([])
    expect(await store.replay(scope, { connectionId: conn, statuses: ['dead'] }, seed.at(9000))).toEqual([])
    await expect(
      store.enqueueItems([{ ...seed.item(a), sellerId: scope.sellerId, runId: b.run.id }]),
    ).rejects.toBeInstanceOf(Error)

    expect(
      await store.getMapping(scope, { connectionId: conn, entityType: 'product', externalId: 'p-1' }),
    ).toBeNull()
    expect(await store.findMappings(scope, { connectionId: conn })).toEqual([])
    expect(await store.findMappings(scope, { internalId: 'prod_1' })).toEqual([])
    await expectNullOrNotFound(store.updateMapping(scope, mapping.id, { baseline: 99 }))
    await expectNullOrNotFound(store.updateMapping(scope, mapping.id, { baseline: 99 }, mapping.version))
    await expect(
      store.upsertMapping(scope, {
        connectionId: conn,
        entityType: 'product',
        externalId: 'p-1',
        baseline: 99,
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })

    expect(await store.getConflict(scope, conflict.id)).toBeNull()
    expect(await store.listConflicts(scope)).toEqual([])
    expect(await store.resolveConflict(scope, conflict.id, 'accepted', seed.at(9000))).toBeNull()
    await expect(
      store.createConflict(scope, { ...conflict, diffs: [], sourceHash: 'src-2' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })

    expect(await store.getCheckpoint(scope, conn, 'orders')).toBeNull()
    await expect(
      store.saveCheckpoint(scope, { connectionId: conn, stream: 'orders', cursor: 'c-b', watermark: null }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })

    // And A still has everything, unchanged.
    expect(await store.getConnection(a.scope, conn)).toMatchObject({ status: 'active' })
    expect(await store.getWebhookEvent(a.scope, event.id)).toMatchObject({ status: 'received' })
    expect(await store.getItem(a.scope, item!.id)).toMatchObject({ status: 'dead', attempt: 1 })
    expect(await store.getItem(a.scope, running!.id)).toMatchObject({
      status: 'running',
      leaseOwner: 'driver',
    })
    expect(
      await store.getMapping(a.scope, { connectionId: conn, entityType: 'product', externalId: 'p-1' }),
    ).toEqual(mapping)
    expect(await store.getConflict(a.scope, conflict.id)).toMatchObject({ status: 'open' })
    expect(await store.getCheckpoint(a.scope, conn, 'orders')).toMatchObject({ cursor: 'c-a' })
    expect(await store.listItems(a.scope, { connectionId: conn })).toHaveLength(2)
    if (raw.countItems) expect(await raw.countItems(store, { connectionId: conn })).toBe(2)
    if (raw.getItem)
      expect(await raw.getItem(store, item!.id)).toMatchObject({ status: 'dead', sellerId: a.scope.sellerId })
  })
}
