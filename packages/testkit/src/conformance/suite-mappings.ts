import type { HubStore, NewConflict } from '@hub/core'
import { expect } from 'vitest'
import type { DefineTest } from './store-conformance.js'
import { range } from './store-seed.js'

/** Mappings (upsert, repair, optimistic concurrency) and catalog conflicts. */
export function registerMappingTests<S extends HubStore>(test: DefineTest<S>): void {
  test('mappings.upsert-concurrent', async ({ store, seed, raw, concurrency }) => {
    const tenant = await seed.tenant()
    const key = { connectionId: tenant.connection.id, entityType: 'inventory_item', externalId: 'gid-1' }
    const results = await Promise.all(
      range(concurrency).map((i) =>
        store.upsertMapping(tenant.scope, { ...key, internalId: 'iitem_1', baseline: i }),
      ),
    )
    expect(new Set(results.map((m) => m.id)).size).toBe(1)
    // Each upsert is its own write: a new version each, none lost.
    expect(new Set(results.map((m) => m.version)).size).toBe(concurrency)
    const stored = await store.getMapping(tenant.scope, key)
    expect(stored).toMatchObject({
      ...key,
      id: results[0]!.id,
      sellerId: tenant.scope.sellerId,
      internalId: 'iitem_1',
    })
    expect(stored!.version).toBe(Math.max(...results.map((m) => m.version)))
    expect(results.map((m) => m.baseline)).toContain(stored!.baseline)
    expect(await store.findMappings(tenant.scope, { externalId: 'gid-1' })).toHaveLength(1)
    if (raw.countMappings) expect(await raw.countMappings(store, key)).toBe(1)

    const updated = await store.upsertMapping(tenant.scope, {
      ...key,
      baseline: 42,
      data: { snapshot: { title: 'x' } },
    })
    expect(updated).toMatchObject({
      id: stored!.id,
      baseline: 42,
      internalId: 'iitem_1',
      data: { snapshot: { title: 'x' } },
    })
    expect(updated.version).toBe(stored!.version + 1)
    const otherType = await store.upsertMapping(tenant.scope, { ...key, entityType: 'product' })
    expect(otherType.id).not.toBe(stored!.id)
  })

  test('mappings.repair', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const { scope } = tenant
    const connectionId = tenant.connection.id
    const pending = await store.upsertMapping(scope, {
      connectionId,
      entityType: 'product',
      externalId: 'p-9',
      pendingRef: 'req_9',
      status: 'pending',
      sourceHash: 'h-1',
      data: { title: 'Shirt' },
    })
    expect(pending).toMatchObject({
      internalId: null,
      pendingRef: 'req_9',
      status: 'pending',
      sourceHash: 'h-1',
    })
    expect(pending.updatedAt).toBeInstanceOf(Date)
    await store.upsertMapping(scope, {
      connectionId,
      entityType: 'product',
      externalId: 'p-10',
      internalId: 'prod_10',
    })

    const found = await store.findMappings(scope, { pendingRef: 'req_9' })
    expect(found.map((m) => m.id)).toEqual([pending.id])
    expect((await store.findMappings(scope, { status: 'pending' })).map((m) => m.id)).toEqual([pending.id])
    expect(await store.findMappings(scope, { connectionId, entityType: 'product' })).toHaveLength(2)
    expect(await store.findMappings(scope, { connectionId, limit: 1 })).toHaveLength(1)

    const linked = await store.updateMapping(
      scope,
      pending.id,
      { internalId: 'prod_9', status: 'linked', pendingRef: null },
      pending.version,
    )
    expect(linked).toMatchObject({ id: pending.id, internalId: 'prod_9', status: 'linked', pendingRef: null })
    expect(linked!.version).toBe(pending.version + 1)
    expect(linked!.data).toEqual({ title: 'Shirt' })

    expect(
      await store.updateMapping(scope, pending.id, { internalId: 'prod_other' }, pending.version),
    ).toBeNull()
    expect(
      (await store.getMapping(scope, { connectionId, entityType: 'product', externalId: 'p-9' }))?.internalId,
    ).toBe('prod_9')
    expect((await store.findMappings(scope, { internalId: 'prod_9' })).map((m) => m.id)).toEqual([pending.id])
    expect(await store.findMappings(scope, { pendingRef: 'req_9' })).toEqual([])

    const unconditional = await store.updateMapping(scope, pending.id, { baseline: 3 })
    expect(unconditional).toMatchObject({ baseline: 3, version: linked!.version + 1 })
  })

  test('mappings.cas-concurrent', async ({ store, seed, concurrency }) => {
    const tenant = await seed.tenant()
    const mapping = await store.upsertMapping(tenant.scope, {
      connectionId: tenant.connection.id,
      entityType: 'inventory_item',
      externalId: 'gid-cas',
      baseline: 0,
    })
    const results = await Promise.all(
      range(concurrency).map((i) =>
        store.updateMapping(tenant.scope, mapping.id, { baseline: i + 1 }, mapping.version),
      ),
    )
    const winners = results.filter((r) => r !== null)
    expect(winners).toHaveLength(1)
    const stored = await store.getMapping(tenant.scope, {
      connectionId: tenant.connection.id,
      entityType: 'inventory_item',
      externalId: 'gid-cas',
    })
    expect(stored).toMatchObject({ baseline: winners[0]!.baseline, version: mapping.version + 1 })
  })

  test('conflicts.open-unique', async ({ store, seed, raw, concurrency }) => {
    const tenant = await seed.tenant()
    const mapping = await store.upsertMapping(tenant.scope, {
      connectionId: tenant.connection.id,
      entityType: 'product',
      externalId: 'p-1',
      internalId: 'prod_1',
    })
    const input: NewConflict = {
      connectionId: tenant.connection.id,
      mappingId: mapping.id,
      entityType: 'product',
      externalId: 'p-1',
      internalId: 'prod_1',
      diffs: [{ field: 'title', ours: 'Old', theirs: 'New', base: 'Old' }],
      sourceHash: 'hash-a',
      targetHash: 't-1',
    }
    const first = await store.createConflict(tenant.scope, input)
    expect(first.created).toBe(true)
    expect(first.conflict).toMatchObject({
      ...input,
      sellerId: tenant.scope.sellerId,
      status: 'open',
      resolvedAt: null,
    })
    const duplicate = await store.createConflict(tenant.scope, { ...input, diffs: [] })
    expect(duplicate).toMatchObject({
      created: false,
      conflict: { id: first.conflict.id, diffs: input.diffs },
    })

    const raced = await Promise.all(
      range(concurrency).map(() => store.createConflict(tenant.scope, { ...input, sourceHash: 'hash-b' })),
    )
    expect(raced.filter((r) => r.created)).toHaveLength(1)
    expect(new Set(raced.map((r) => r.conflict.id)).size).toBe(1)
    expect(raced[0]!.conflict.id).not.toBe(first.conflict.id)

    const open = await store.listConflicts(tenant.scope, { status: 'open' })
    expect(open.map((c) => c.id).sort()).toEqual([first.conflict.id, raced[0]!.conflict.id].sort())
    expect(
      await store.listConflicts(tenant.scope, { connectionId: tenant.connection.id, limit: 1 }),
    ).toHaveLength(1)
    expect(await store.getConflict(tenant.scope, first.conflict.id)).toEqual(first.conflict)
    if (raw.countConflicts)
      expect(await raw.countConflicts(store, { mappingId: mapping.id, status: 'open' })).toBe(2)
  })

  test('conflicts.resolve', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const mapping = await store.upsertMapping(tenant.scope, {
      connectionId: tenant.connection.id,
      entityType: 'product',
      externalId: 'p-2',
      internalId: 'prod_2',
    })
    const input: NewConflict = {
      connectionId: tenant.connection.id,
      mappingId: mapping.id,
      entityType: 'product',
      externalId: 'p-2',
      internalId: 'prod_2',
      diffs: [{ field: 'price', ours: '10.00', theirs: '12.00', base: '10.00' }],
      sourceHash: 'hash-r',
      targetHash: null,
    }
    const { conflict } = await store.createConflict(tenant.scope, input)
    const resolved = await store.resolveConflict(tenant.scope, conflict.id, 'accepted', seed.at(5000))
    expect(resolved).toMatchObject({ id: conflict.id, status: 'accepted' })
    expect(resolved?.resolvedAt?.getTime()).toBe(seed.at(5000).getTime())
    expect(await store.resolveConflict(tenant.scope, conflict.id, 'rejected', seed.at(6000))).toBeNull()
    expect(await store.getConflict(tenant.scope, conflict.id)).toMatchObject({ status: 'accepted' })
    expect(await store.listConflicts(tenant.scope, { status: 'open' })).toEqual([])
    expect((await store.listConflicts(tenant.scope, { status: 'accepted' })).map((c) => c.id)).toEqual([
      conflict.id,
    ])

    const reopened = await store.createConflict(tenant.scope, input)
    expect(reopened.created).toBe(true)
    expect(reopened.conflict.id).not.toBe(conflict.id)
    const rejected = await store.resolveConflict(
      tenant.scope,
      reopened.conflict.id,
      'rejected',
      seed.at(7000),
    )
    expect(rejected?.status).toBe('rejected')
  })
}
