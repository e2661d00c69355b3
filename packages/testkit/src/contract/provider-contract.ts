import {
  createHub,
  createKeyring,
  type Hub,
  memoryMarketplace,
  memoryStore,
  PROVIDER_SPEC_VERSION,
  type ProviderAdapter,
  type Scope,
  StaleInventoryError,
} from '@hub/core'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { ContractFake } from './contract-fake.js'
import { buildProbeContext } from './probe-context.js'

/** Options of {@link runProviderContract}. */
export interface ProviderContractOptions {
  /** Operation that imports the catalog (enqueues `catalog.submit` items). Default `catalog.import`. */
  importOperation?: string
}

interface World {
  hub: Hub
  marketplace: ReturnType<typeof memoryMarketplace>
  scope: Scope
  connectionId: string
}

const KEY = Buffer.alloc(32, 42)

/**
 * The one suite every provider passes, in one line:
 * `runProviderContract(shopify({...}), fakeShopifyContract())`. It wires the adapter into a real
 * hub (memory store and marketplace) against the provider's fake and checks the behaviour the
 * engine relies on. Tests that need a capability the adapter does not declare are skipped with
 * the reason in their title; nothing here depends on the provider's name.
 */
export function runProviderContract(
  adapter: ProviderAdapter,
  fake: ContractFake,
  options: ProviderContractOptions = {},
): void {
  const importOperation = options.importOperation ?? 'catalog.import'
  const caps = adapter.capabilities

  describe(`provider contract: ${adapter.provider} against ${fake.name}`, () => {
    let world: World

    beforeAll(() => fake.start())
    afterAll(() => fake.stop())
    beforeEach(async () => {
      await fake.reset()
      const marketplace = memoryMarketplace()
      const hub = createHub({
        store: memoryStore(),
        providers: [adapter],
        marketplace,
        keyring: createKeyring({ keys: { k: KEY }, currentKeyId: 'k' }),
        retry: { maxAttempts: 5, baseMs: 1, maxMs: 5 },
      })
      const scope = { sellerId: 'contract-seller' }
      const conn = await fake.connection()
      const connection = await hub.connections.create({ ...scope, provider: adapter.provider, ...conn })
      world = { hub, marketplace, scope, connectionId: connection.id }
    })

    const drain = async () => {
      const worker = world.hub.worker({ concurrency: 4 })
      for (let i = 0; i < 50; i++) {
        await worker.drain()
        const open = await world.hub.store.listItems(world.scope, {
          status: ['pending', 'failed', 'running'],
        })
        if (open.length === 0) return
        await new Promise((r) => setTimeout(r, 10))
      }
    }

    const deliverAll = async () => {
      const statuses: number[] = []
      for (const request of await fake.takeDeliveries())
        statuses.push((await world.hub.webhooks(request)).status)
      return statuses
    }

    /** Import one product, approve it, drain: returns the marketplace inventory item id. */
    const importApproved = async (quantity: number) => {
      const seeded = await fake.seedProduct({
        title: 'Contract mug',
        sku: 'CONTRACT-1',
        price: '9.50',
        quantity,
      })
      await world.hub.enqueue(world.scope, world.connectionId, 'import', [
        {
          operation: importOperation,
          idempotencyKey: `import:${Date.now()}:${Math.random()}`,
          entityType: 'catalog',
        },
      ])
      await drain()
      const submitted = world.marketplace.products(world.scope)
      expect(submitted.length).toBeGreaterThanOrEqual(1)
      const mine = submitted.find((p) =>
        p.product.variants.some((v) => v.inventoryItemId === seeded.inventoryItemId),
      )
      expect(mine, 'the seeded product was submitted to the marketplace').toBeDefined()
      const approval = world.marketplace.approve(world.scope, mine!.ref)
      await world.hub.catalog.approve(world.scope, approval)
      await drain()
      await fake.takeDeliveries() // our own writes echo back; covered by the tests below
      return { seeded, internalId: approval.inventoryItems[seeded.inventoryItemId]! }
    }

    it('declares the supported specification version and its capabilities as data', () => {
      expect(adapter.specificationVersion).toBe(PROVIDER_SPEC_VERSION)
      expect(adapter.provider).toMatch(/^[a-z][a-z0-9-]*$/)
      for (const key of [
        'inventoryCompareAndSwap',
        'webhookRetries',
        'bulkImport',
        'orderWebhooks',
      ] as const) {
        expect(typeof caps[key]).toBe('boolean')
      }
      expect(typeof adapter.operations[importOperation]).toBe('function')
    })

    it('refuses a forged webhook with 401 and stores nothing', async () => {
      const res = await world.hub.webhooks(await fake.forgedDelivery())
      expect(res.status).toBe(401)
      expect(await world.hub.store.listWebhookEvents(world.scope)).toHaveLength(0)
    })

    it('imports the catalog as pending submissions with normalized products', async () => {
      const seeded = await fake.seedProduct({ title: 'Import me', sku: 'IMP-1', price: '12.00', quantity: 7 })
      await world.hub.enqueue(world.scope, world.connectionId, 'import', [
        { operation: importOperation, idempotencyKey: 'import:1', entityType: 'catalog' },
      ])
      await drain()
      const [product] = world.marketplace.products(world.scope)
      expect(product?.status).toBe('pending')
      expect(product?.product.title).toBe('Import me')
      const variant = product?.product.variants.find((v) => v.inventoryItemId === seeded.inventoryItemId)
      expect(variant).toMatchObject({ sku: 'IMP-1', price: '12.00', quantity: 7 })
      const mappings = await world.hub.store.findMappings(world.scope, {
        connectionId: world.connectionId,
        status: 'pending',
      })
      expect(mappings.map((m) => m.entityType).sort()).toEqual(['inventory_item', 'product'])
    })

    it('a sale on the store reaches the marketplace once, even when its webhook arrives twice', async () => {
      const { seeded, internalId } = await importApproved(10)
      await fake.sell(seeded.inventoryItemId, 3)
      const deliveries = await fake.takeDeliveries()
      expect(deliveries.length, 'the store announces the change').toBeGreaterThan(0)
      for (const request of [...deliveries, ...deliveries.map((r) => r.clone())]) {
        expect((await world.hub.webhooks(request)).status).toBe(200)
      }
      await drain()
      expect(world.marketplace.quantity(world.scope, internalId)).toBe(7)
      expect(await fake.quantity(seeded.inventoryItemId)).toBe(7)
    })

    it('a marketplace sale is pushed to the store, and our own write echoing back changes nothing', async () => {
      const { seeded, internalId } = await importApproved(10)
      world.marketplace.sell(world.scope, internalId, 4)
      await world.hub.inventory.marketplaceChanged(world.scope, internalId, 'contract-order-1')
      await drain()
      expect(await fake.quantity(seeded.inventoryItemId)).toBe(6)
      expect(await deliverAll()).not.toContain(401)
      await drain()
      expect(world.marketplace.quantity(world.scope, internalId)).toBe(6)
      expect(await fake.quantity(seeded.inventoryItemId)).toBe(6)
    })

    it('retries through server errors and throttling and converges', async () => {
      const { seeded, internalId } = await importApproved(10)
      world.marketplace.sell(world.scope, internalId, 1)
      fake.failNext('server-error', 1)
      fake.failNext('throttle', 1)
      await world.hub.inventory.marketplaceChanged(world.scope, internalId, 'contract-order-2')
      await drain()
      expect(await fake.quantity(seeded.inventoryItemId)).toBe(9)
      const items = await world.hub.store.listItems(world.scope, { operation: 'inventory.reconcile' })
      expect(items.every((i) => i.status === 'succeeded')).toBe(true)
    })

    it.skipIf(!caps.inventoryCompareAndSwap)(
      'compare-and-swap: a push against a stale observation is refused as StaleInventoryError (needs inventoryCompareAndSwap)',
      async () => {
        const { seeded } = await importApproved(10)
        await fake.setQuantity(seeded.inventoryItemId, 8)
        const reconcile = await world.hub.enqueue(world.scope, world.connectionId, 'manual', [
          {
            operation: 'inventory.reconcile',
            idempotencyKey: 'cas-probe',
            entityType: 'inventory_item',
            externalId: seeded.inventoryItemId,
          },
        ])
        expect(reconcile.items).toHaveLength(1)
        // Direct port check: observed 10, store has 8.
        const inventory = adapter.inventory!
        const ctxItems = await world.hub.store.listItems(world.scope, { runId: reconcile.run.id })
        expect(ctxItems).toHaveLength(1)
        await expect(
          inventory.push(await contextFor(world, ctxItems[0]!.id), {
            externalId: seeded.inventoryItemId,
            observed: { quantity: 10 },
            target: 5,
            idempotencyKey: 'cas-probe-key',
          }),
        ).rejects.toBeInstanceOf(StaleInventoryError)
        expect(await fake.quantity(seeded.inventoryItemId)).toBe(8)
      },
    )

    it('a push repeated with the same idempotency key (a retry after a timeout) writes once', async () => {
      const { seeded } = await importApproved(10)
      const { run } = await world.hub.enqueue(world.scope, world.connectionId, 'manual', [
        {
          operation: 'inventory.reconcile',
          idempotencyKey: 'idem-probe',
          entityType: 'inventory_item',
          externalId: seeded.inventoryItemId,
        },
      ])
      const [item] = await world.hub.store.listItems(world.scope, { runId: run.id })
      const ctx = await contextFor(world, item!.id)
      const push = {
        externalId: seeded.inventoryItemId,
        observed: { quantity: 10 },
        target: 6,
        idempotencyKey: 'idem-key-1',
      }
      const before = fake.writes()
      expect((await adapter.inventory!.push(ctx, push)).quantity).toBe(6)
      expect((await adapter.inventory!.push(ctx, push)).quantity).toBe(6)
      expect(fake.writes() - before).toBe(1)
      expect(await fake.quantity(seeded.inventoryItemId)).toBe(6)
    })

    it('a manual edit in the store is applied to the marketplace', async () => {
      const { seeded, internalId } = await importApproved(10)
      await fake.setQuantity(seeded.inventoryItemId, 15)
      await world.hub.inventory.reconcileConnection(world.scope, world.connectionId, 'sweep-1')
      await drain()
      expect(world.marketplace.quantity(world.scope, internalId)).toBe(15)
    })

    it('credentials never appear in stored rows', async () => {
      const { seeded } = await importApproved(3)
      await fake.sell(seeded.inventoryItemId, 1)
      await deliverAll()
      await drain()
      const credentials = JSON.stringify((await fake.connection()).credentials)
      const secrets = (credentials.match(/"([^"]{12,})"/g) ?? []).map((s) => s.slice(1, -1))
      const dump = JSON.stringify([
        await world.hub.store.listWebhookEvents(world.scope),
        await world.hub.store.listItems(world.scope),
        await world.hub.store.listConnections(world.scope),
      ])
      for (const secret of secrets) expect(dump).not.toContain(secret)
    })
  })
}

function contextFor(world: World, itemId: string) {
  return buildProbeContext(world.hub, world.scope, world.connectionId, itemId)
}
