import { describe, expect, it } from 'vitest'
import {
  type NormalizedProductInput,
  normalizedProductSchema,
  type ProviderAdapter,
  RetryableError,
} from '../src/index.js'
import { acmeProvider, acmeShop } from './support/acme-provider.js'
import { acmeRequest, harness } from './support/harness.js'

function product(externalId: string, inventoryItemId: string, quantity: number): NormalizedProductInput {
  return {
    externalId,
    title: `Product ${externalId}`,
    variants: [
      {
        externalId: `${externalId}-v`,
        inventoryItemId,
        sku: `SKU-${externalId}`,
        title: 'Default',
        price: '10.00',
        quantity,
      },
    ],
  }
}

/** A second provider sharing the acme shape, to test fan-out across connections. */
function otherProvider(shop = acmeShop()): ProviderAdapter & { shop: typeof shop } {
  const base = acmeProvider(shop)
  return { ...base, provider: 'other', shop }
}

async function importAndApprove(
  h: Awaited<ReturnType<typeof harness>>,
  connectionId: string,
  externalId: string,
  inv: string,
  qty: number,
) {
  const p = normalizedProductSchema.parse(product(externalId, inv, qty))
  await h.hub.enqueue(h.scope, connectionId, 'import', [
    {
      operation: 'catalog.submit',
      idempotencyKey: `submit:${externalId}`,
      entityType: 'product',
      externalId,
      payload: JSON.parse(JSON.stringify(p)),
    },
  ])
  await h.hub.worker().drain()
  const [mapping] = await h.store.findMappings(h.scope, { connectionId, entityType: 'product', externalId })
  expect(mapping?.status).toBe('pending')
  return mapping!.pendingRef!
}

describe('inventory reconcile', () => {
  it('imports as a pending request, approval links mappings, quantities converge', async () => {
    const h = await harness({ stock: { inv1: 10 } })
    const ref = await importAndApprove(h, h.connection.id, 'p1', 'inv1', 10)
    const approval = h.marketplace.approve(h.scope, ref)
    const repaired = await h.hub.catalog.approve(h.scope, approval)
    expect(repaired.map((m) => m.status)).toEqual(['linked', 'linked'])
    await h.hub.worker().drain()
    const internal = approval.inventoryItems.inv1!
    expect(h.marketplace.quantity(h.scope, internal)).toBe(10)
    expect(h.shop.stock.get('inv1')).toBe(10)
  })

  it('a sale before approval is still counted at the first reconcile', async () => {
    const h = await harness({ stock: { inv1: 10 } })
    const ref = await importAndApprove(h, h.connection.id, 'p1', 'inv1', 10)
    h.shop.stock.set('inv1', 8) // two sold on the store while the request waited for review
    const approval = h.marketplace.approve(h.scope, ref)
    await h.hub.catalog.approve(h.scope, approval)
    await h.hub.worker().drain()
    expect(h.marketplace.quantity(h.scope, approval.inventoryItems.inv1!)).toBe(8)
    expect(h.shop.stock.get('inv1')).toBe(8)
  })

  it('a sale on one store reaches the marketplace and the other store exactly once, even with duplicated webhooks', async () => {
    const other = otherProvider(acmeShop({ o1: 10 }))
    const h = await harness({ stock: { inv1: 10 }, extraProviders: [other] })
    const second = await h.hub.connections.create({
      sellerId: h.scope.sellerId,
      provider: 'other',
      externalAccountId: 'b.other.test',
    })
    const ref1 = await importAndApprove(h, h.connection.id, 'p1', 'inv1', 10)
    const approval = h.marketplace.approve(h.scope, ref1)
    await h.hub.catalog.approve(h.scope, approval)
    const internal = approval.inventoryItems.inv1!
    // Link the same marketplace item on the second connection (as a match by SKU would).
    await h.store.upsertMapping(h.scope, {
      connectionId: second.id,
      entityType: 'inventory_item',
      externalId: 'o1',
      internalId: internal,
      status: 'linked',
      baseline: 10,
    })
    await h.hub.worker().drain()

    h.shop.stock.set('inv1', 7) // 3 sold on acme
    const body = { id: 'sale-1', topic: 'inventory/update', inventoryItemIds: ['inv1'] }
    for (let i = 0; i < 3; i++) expect((await h.hub.webhooks(acmeRequest(body))).status).toBe(200)
    // A stale, out-of-order delivery about the same item with a new event id is harmless too.
    await h.hub.webhooks(acmeRequest({ ...body, id: 'sale-0-late' }))
    await h.hub.worker().drain()
    expect(h.marketplace.quantity(h.scope, internal)).toBe(7)
    expect(h.shop.stock.get('inv1')).toBe(7)
    expect(other.shop.stock.get('o1')).toBe(7)

    h.marketplace.sell(h.scope, internal, 2) // 2 sold on the marketplace
    await h.hub.inventory.marketplaceChanged(h.scope, internal, 'order-1')
    await h.hub.inventory.marketplaceChanged(h.scope, internal, 'order-1') // duplicate notification
    await h.hub.worker().drain()
    expect([
      h.marketplace.quantity(h.scope, internal),
      h.shop.stock.get('inv1'),
      other.shop.stock.get('o1'),
    ]).toEqual([5, 5, 5])
  })

  it('a crash after the marketplace write does not count the sale twice on retry', async () => {
    const h = await harness({ stock: { inv1: 10 } })
    const ref = await importAndApprove(h, h.connection.id, 'p1', 'inv1', 10)
    const approval = h.marketplace.approve(h.scope, ref)
    await h.hub.catalog.approve(h.scope, approval)
    await h.hub.worker().drain()
    const internal = approval.inventoryItems.inv1!

    h.shop.stock.set('inv1', 6)
    // The marketplace write succeeds, then the process "dies" before the baseline is saved.
    const original = h.marketplace.adjustInventory.bind(h.marketplace)
    let crash = true
    h.marketplace.adjustInventory = async (scope, adjustment) => {
      const result = await original(scope, adjustment)
      if (crash) {
        crash = false
        throw new RetryableError('NETWORK', 'connection reset after write')
      }
      return result
    }
    await h.hub.webhooks(acmeRequest({ id: 'sale', topic: 'inventory/update', inventoryItemIds: ['inv1'] }))
    await h.hub.worker().drain()
    h.shop.stock.set('inv1', 5) // another sale lands before the retry
    h.clock.advance(60_000)
    await h.hub.worker().drain()
    expect(h.marketplace.quantity(h.scope, internal)).toBe(5)
    expect(h.shop.stock.get('inv1')).toBe(5)
    expect([...h.marketplace.adjustments().values()].map((a) => a.delta).sort((x, y) => x - y)).toEqual([
      -4, -1,
    ])
  })

  it('a stale compare-and-swap re-reads and folds the new external change in', async () => {
    const h = await harness({ stock: { inv1: 10 } })
    const ref = await importAndApprove(h, h.connection.id, 'p1', 'inv1', 10)
    const approval = h.marketplace.approve(h.scope, ref)
    await h.hub.catalog.approve(h.scope, approval)
    await h.hub.worker().drain()
    const internal = approval.inventoryItems.inv1!
    h.marketplace.sell(h.scope, internal, 3) // M = 7
    // A store sale happens between our read and our push.
    const provider = h.hub.registry.get('acme')!
    const read = provider.inventory!.read
    let raced = false
    provider.inventory!.read = async (ctx, id) => {
      const r = await read(ctx, id)
      if (!raced) {
        raced = true
        h.shop.stock.set('inv1', 9)
      }
      return r
    }
    await h.hub.inventory.marketplaceChanged(h.scope, internal, 'mp-sale')
    await h.hub.worker().drain()
    expect(h.marketplace.quantity(h.scope, internal)).toBe(6)
    expect(h.shop.stock.get('inv1')).toBe(6)
  })

  it('an item not yet approved is dead with a reason, and a replay after approval succeeds', async () => {
    const h = await harness({ stock: { inv1: 10 } })
    const ref = await importAndApprove(h, h.connection.id, 'p1', 'inv1', 10)
    const { items } = await h.hub.enqueue(h.scope, h.connection.id, 'manual', [
      {
        operation: 'inventory.reconcile',
        idempotencyKey: 'early',
        entityType: 'inventory_item',
        externalId: 'inv1',
      },
    ])
    await h.hub.worker().drain()
    expect((await h.store.getItem(h.scope, items[0]!.id))?.lastError?.code).toBe('MAPPING_NOT_LINKED')
    await h.hub.catalog.approve(h.scope, h.marketplace.approve(h.scope, ref))
    await h.hub.replay.item(h.scope, items[0]!.id)
    await h.hub.worker().drain()
    expect((await h.store.getItem(h.scope, items[0]!.id))?.status).toBe('succeeded')
  })

  it('retries a failed external read and converges', async () => {
    const h = await harness({ stock: { inv1: 4 } })
    const ref = await importAndApprove(h, h.connection.id, 'p1', 'inv1', 4)
    await h.hub.catalog.approve(h.scope, h.marketplace.approve(h.scope, ref))
    h.shop.failReads = 1
    await h.hub.worker().drain()
    const [item] = await h.store.listItems(h.scope, { operation: 'inventory.reconcile' })
    expect(item?.status).toBe('failed')
    h.clock.advance(60_000)
    await h.hub.worker().drain()
    expect((await h.store.getItem(h.scope, item!.id))?.status).toBe('succeeded')
  })
})

describe('catalog conflicts', () => {
  it('a later external edit of an approved product opens a conflict instead of overwriting', async () => {
    const h = await harness({ stock: { inv1: 10 } })
    const ref = await importAndApprove(h, h.connection.id, 'p1', 'inv1', 10)
    await h.hub.catalog.approve(h.scope, h.marketplace.approve(h.scope, ref))
    const edited = normalizedProductSchema.parse({ ...product('p1', 'inv1', 10), title: 'Renamed by seller' })
    const change = (key: string) =>
      h.hub.enqueue(h.scope, h.connection.id, 'webhook', [
        {
          operation: 'catalog.change',
          idempotencyKey: key,
          entityType: 'product',
          externalId: 'p1',
          payload: JSON.parse(JSON.stringify(edited)),
        },
      ])
    await change('c1')
    await change('c2') // the same edit delivered again: still one conflict
    await h.hub.worker().drain()
    const conflicts = await h.hub.catalog.conflicts(h.scope, { status: 'open' })
    expect(conflicts).toHaveLength(1)
    expect(conflicts[0]!.diffs).toEqual([
      { field: 'title', base: 'Product p1', theirs: 'Renamed by seller', ours: 'Product p1' },
    ])
    const product0 = h.marketplace.products(h.scope)[0]!
    expect(product0.product.title).toBe('Product p1')

    const accepted = await h.hub.catalog.resolveConflict(h.scope, conflicts[0]!.id, 'accepted')
    expect(accepted.status).toBe('accepted')
    expect(h.marketplace.products(h.scope)[0]!.product.title).toBe('Renamed by seller')
    await expect(h.hub.catalog.resolveConflict(h.scope, conflicts[0]!.id, 'rejected')).rejects.toThrow(
      /already accepted/,
    )
    // The accepted content is the new base: the same edit does not reopen a conflict.
    await change('c3')
    await h.hub.worker().drain()
    expect(await h.hub.catalog.conflicts(h.scope, { status: 'open' })).toHaveLength(0)
  })
})

describe('changes a provider reports as unseen', () => {
  it('counts an overwritten sale once, storing the provider state with the baseline', async () => {
    const h = await harness({ stock: { inv1: 10 } })
    const ref = await importAndApprove(h, h.connection.id, 'p1', 'inv1', 10)
    const approval = h.marketplace.approve(h.scope, ref)
    await h.hub.catalog.approve(h.scope, approval)
    await h.hub.worker().drain()
    const internal = approval.inventoryItems.inv1!
    // The provider learned (e.g. from an order ledger) that one sale was overwritten by our write.
    const provider = h.hub.registry.get('acme')!
    const read = provider.inventory!.read
    const seen: unknown[] = []
    provider.inventory!.read = async (ctx, id) => {
      const reading = await read(ctx, id)
      const mapping = await ctx.mappings.get('inventory_item', id)
      seen.push(mapping?.data.providerState ?? null)
      const counted = (mapping?.data.providerState as { counted?: string[] } | undefined)?.counted ?? []
      return counted.includes('order-line-1')
        ? reading
        : { ...reading, unseen: { delta: -1, state: { counted: ['order-line-1'] } } }
    }
    await h.hub.inventory.reconcileConnection(h.scope, h.connection.id, 'sweep-a')
    await h.hub.worker().drain()
    await h.hub.inventory.reconcileConnection(h.scope, h.connection.id, 'sweep-b')
    await h.hub.worker().drain()
    expect(h.marketplace.quantity(h.scope, internal)).toBe(9)
    expect(h.shop.stock.get('inv1')).toBe(9)
    expect(seen[0]).toBeNull()
    expect(seen.at(-1)).toEqual({ counted: ['order-line-1'] })
  })

  it('stores the provider state of a reading whose net change is 0, with the baseline at E', async () => {
    const h = await harness({ stock: { inv1: 10 } })
    const ref = await importAndApprove(h, h.connection.id, 'p1', 'inv1', 10)
    const approval = h.marketplace.approve(h.scope, ref)
    await h.hub.catalog.approve(h.scope, approval)
    await h.hub.worker().drain()
    const internal = approval.inventoryItems.inv1!
    // The stock shows one more unit than the baseline, and the provider knows that unit is not an
    // outside change (WooCommerce: our own write landed late): net change 0, bookkeeping to keep.
    h.shop.stock.set('inv1', 11)
    const provider = h.hub.registry.get('acme')!
    const read = provider.inventory!.read
    const states: unknown[] = []
    provider.inventory!.read = async (ctx, id) => {
      const reading = await read(ctx, id)
      const mapping = await ctx.mappings.get('inventory_item', id)
      states.push(mapping?.data.providerState ?? null)
      return mapping?.data.providerState ? reading : { ...reading, unseen: { delta: -1, state: { late: 1 } } }
    }
    await h.hub.inventory.reconcileConnection(h.scope, h.connection.id, 'sweep-a')
    await h.hub.worker().drain()
    await h.hub.inventory.reconcileConnection(h.scope, h.connection.id, 'sweep-b')
    await h.hub.worker().drain()
    expect(h.marketplace.quantity(h.scope, internal)).toBe(10)
    expect(h.shop.stock.get('inv1')).toBe(10) // the marketplace quantity was pushed back
    expect(states).toEqual([null, { late: 1 }])
  })
})
