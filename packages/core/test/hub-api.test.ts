import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { NotFoundError, RetryableError, systemClock, toNodeHandler } from '../src/index.js'
import { acmeRequest, harness } from './support/harness.js'

describe('hub.connections', () => {
  it('stores credentials encrypted, returns them decrypted, and replaces them', async () => {
    const h = await harness()
    expect(await h.hub.connections.list(h.scope)).toHaveLength(1)
    expect(await h.hub.connections.get({ sellerId: 'someone-else' }, h.connection.id)).toBeNull()
    await h.hub.connections.setCredentials(h.scope, h.connection.id, { apiToken: 'tok_rotated_1234567' })
    expect(await h.hub.connections.credentials(h.scope, h.connection.id)).toEqual({
      apiToken: 'tok_rotated_1234567',
    })
    const stored = await h.hub.connections.get(h.scope, h.connection.id)
    expect(stored?.credentials?.keyId).toBe('k1')
    expect(JSON.stringify(stored)).not.toContain('tok_rotated_1234567')
    await expect(h.hub.connections.credentials(h.scope, 'missing')).rejects.toBeInstanceOf(NotFoundError)
  })
})

describe('the execution context', () => {
  it('gives operations scoped mappings, checkpoints, follow-up work, credential rotation and status changes', async () => {
    const h = await harness()
    h.scripts.set('context', async (ctx) => {
      const m = await ctx.mappings.upsert({
        entityType: 'inventory_item',
        externalId: 'x1',
        internalId: 'int-1',
        status: 'linked',
      })
      expect((await ctx.mappings.get('inventory_item', 'x1'))?.id).toBe(m.id)
      expect((await ctx.mappings.findByInternalId('inventory_item', 'int-1')).map((x) => x.id)).toEqual([
        m.id,
      ])
      expect((await ctx.mappings.update(m.id, { baseline: 4 }, m.version))?.baseline).toBe(4)
      expect(await ctx.mappings.update(m.id, { baseline: 5 }, m.version)).toBeNull() // stale version
      expect(await ctx.checkpoints.get('orders')).toBeNull()
      await ctx.checkpoints.save('orders', 'cursor-2', new Date('2026-11-01T00:00:00Z'))
      expect(await ctx.checkpoints.get('orders')).toEqual({
        cursor: 'cursor-2',
        watermark: new Date('2026-11-01T00:00:00Z'),
      })
      const [follow] = await ctx.enqueue([
        {
          operation: 'inventory.reconcile',
          idempotencyKey: 'f1',
          entityType: 'inventory_item',
          externalId: 'x1',
        },
      ])
      expect(follow?.serialKey).toBe(`inv:${h.scope.sellerId}:int-1`) // resolved through the mapping
      expect(follow?.runId).toBe(ctx.item.runId)
      await ctx.saveCredentials({ apiToken: 'tok_refreshed_abcdef' })
      await ctx.savePlan({ step: 1 })
      await ctx.setConnectionStatus('error', 'needs re-authorization')
    })
    const { items } = await h.hub.enqueue(h.scope, h.connection.id, 'manual', [
      { operation: 'script', idempotencyKey: 'ctx', entityType: 'test', payload: { script: 'context' } },
    ])
    await h.hub.worker().drain({ maxItems: 1 })
    const item = await h.store.getItem(h.scope, items[0]!.id)
    expect(item?.status).toBe('succeeded')
    expect(item?.diagnosticPayload).toEqual({ step: 1 })
    expect(await h.hub.connections.credentials(h.scope, h.connection.id)).toEqual({
      apiToken: 'tok_refreshed_abcdef',
    })
    const connection = await h.hub.connections.get(h.scope, h.connection.id)
    expect(connection).toMatchObject({ status: 'error', statusReason: 'needs re-authorization' })
    // The follow-up is blocked now: the connection needs re-authorization.
    await h.hub.worker().drain()
    const [followUp] = await h.store.listItems(h.scope, { operation: 'inventory.reconcile' })
    expect(followUp?.status).toBe('blocked')
  })
})

describe('inventory sweeps and push recovery', () => {
  async function linked(h: Awaited<ReturnType<typeof harness>>, quantity: number) {
    h.shop.stock.set('inv1', quantity)
    const { items } = await h.hub.enqueue(h.scope, h.connection.id, 'import', [
      {
        operation: 'catalog.submit',
        idempotencyKey: 'submit',
        entityType: 'product',
        externalId: 'p1',
        payload: {
          externalId: 'p1',
          title: 'P1',
          variants: [
            { externalId: 'v1', inventoryItemId: 'inv1', sku: 'S1', title: 'D', price: '1.00', quantity },
          ],
        },
      },
    ])
    await h.hub.worker().drain()
    const ref = (await h.store.getItem(h.scope, items[0]!.id))?.result as { ref: string }
    const approval = h.marketplace.approve(h.scope, ref.ref)
    await h.hub.catalog.approve(h.scope, approval)
    await h.hub.catalog.approve(h.scope, approval) // approving twice is harmless
    await h.hub.worker().drain()
    return approval.inventoryItems.inv1!
  }

  it('reconcileConnection queues one reconcile per linked item, once per sweep id', async () => {
    const h = await harness()
    const internal = await linked(h, 10)
    h.shop.stock.set('inv1', 12) // a manual edit on the store, with no webhook
    const first = await h.hub.inventory.reconcileConnection(h.scope, h.connection.id, 'sweep-1')
    const again = await h.hub.inventory.reconcileConnection(h.scope, h.connection.id, 'sweep-1')
    expect(first).toHaveLength(1)
    expect(again.map((i) => i.id)).toEqual(first.map((i) => i.id))
    await h.hub.worker().drain()
    expect(h.marketplace.quantity(h.scope, internal)).toBe(12)
  })

  it('a crash after our push landed does not read our own write as an outside change', async () => {
    const h = await harness()
    const internal = await linked(h, 10)
    const provider = h.hub.registry.get('acme')!
    const push = provider.inventory!.push
    let crash = true
    provider.inventory!.push = async (ctx, input) => {
      const result = await push(ctx, input)
      if (crash) {
        crash = false
        throw new RetryableError('TIMEOUT', 'response lost after the write')
      }
      return result
    }
    h.marketplace.sell(h.scope, internal, 3)
    await h.hub.inventory.marketplaceChanged(h.scope, internal, 'order-9')
    await h.hub.worker().drain()
    expect(h.shop.stock.get('inv1')).toBe(7) // the write landed, the worker did not learn it
    h.clock.advance(60_000)
    await h.hub.worker().drain()
    expect(h.marketplace.quantity(h.scope, internal)).toBe(7)
    expect(h.shop.stock.get('inv1')).toBe(7)
    // Only the marketplace's own sale moved the marketplace: no adjustment was applied.
    expect(h.marketplace.adjustments().size).toBe(0)
  })

  it('a later item of the same serial key completes a crashed push plan first (no double count)', async () => {
    const h = await harness()
    const internal = await linked(h, 10)
    const provider = h.hub.registry.get('acme')!
    const push = provider.inventory!.push
    let crash = true
    provider.inventory!.push = async (ctx, input) => {
      const result = await push(ctx, input)
      if (crash) {
        crash = false
        throw new RetryableError('TIMEOUT', 'response lost after the write')
      }
      return result
    }
    h.marketplace.sell(h.scope, internal, 2) // M = 8
    await h.hub.inventory.marketplaceChanged(h.scope, internal, 'order-a')
    await h.hub.worker().drain() // item A: the push of 8 lands, its answer is lost; A waits for its retry
    expect(h.shop.stock.get('inv1')).toBe(8)
    h.shop.stock.set('inv1', 7) // then a store sale
    const body = { id: 'evt-after', topic: 'inventory/update', inventoryItemIds: ['inv1'] }
    await h.hub.webhooks(acmeRequest(body))
    await h.hub.worker().drain() // item B runs before A's retry
    h.clock.advance(60_000)
    await h.hub.worker().drain() // A's retry finds nothing left to do
    expect(h.marketplace.quantity(h.scope, internal)).toBe(7)
    expect(h.shop.stock.get('inv1')).toBe(7)
    const [mapping] = await h.store.findMappings(h.scope, {
      entityType: 'inventory_item',
      externalId: 'inv1',
    })
    expect(mapping?.baseline).toBe(7)
    expect(mapping?.data.plan).toBeUndefined()
  })

  it('approval of an unknown submission is a NotFoundError', async () => {
    const h = await harness()
    await expect(
      h.hub.catalog.approve(h.scope, { ref: 'nope', productId: 'p', inventoryItems: {} }),
    ).rejects.toBeInstanceOf(NotFoundError)
  })
})

describe('HTTP edges', () => {
  it('toNodeHandler answers 413 for an oversized body and passes GET through', async () => {
    const h = await harness()
    const server = createServer(toNodeHandler(h.hub.webhooks))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/acme`
    try {
      const big = await fetch(url, { method: 'POST', body: Buffer.alloc(5 * 1024 * 1024 + 1, 97) })
      expect(big.status).toBe(413)
      expect((await fetch(url)).status).toBe(405)
    } finally {
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

describe('systemClock', () => {
  it('sleeps, and rejects early when aborted', async () => {
    const started = Date.now()
    await systemClock.sleep(5)
    expect(Date.now() - started).toBeGreaterThanOrEqual(4)
    const controller = new AbortController()
    const sleeping = systemClock.sleep(60_000, controller.signal)
    controller.abort(new Error('stop'))
    await expect(sleeping).rejects.toThrow('stop')
    const aborted = new AbortController()
    aborted.abort(new Error('already'))
    await expect(systemClock.sleep(10, aborted.signal)).rejects.toThrow('already')
  })
})
