import { memoryStore } from '@hub/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { drainUntilQuiet } from '../src/drain.js'
import { recover } from '../src/recovery.js'
import { seededRng } from '../src/rng.js'
import { buildWorld, type World } from '../src/world.js'

/**
 * The sharpest race of ARCHITECTURE.md §5, deterministic: WooCommerce has no compare-and-swap,
 * so a checkout that lands between the push's re-read and its absolute `stock_quantity` write
 * is overwritten in the stock. It must still be counted exactly once (the adapter's stock
 * ledger reports it to the core as `InventoryReading.unseen`).
 *
 * One product at 10 on every side; a marketplace sale of 2 makes the hub push 8 to
 * WooCommerce; a WooCommerce checkout of 1 lands exactly when that write arrives. Expected on
 * every side after recovery: 10 − 2 − 1 = 7 (a lost sale shows 8, a double count 6).
 */
describe('a WooCommerce checkout racing the hub’s stock write', () => {
  let world: World
  let raced = false

  beforeAll(async () => {
    world = await buildWorld({
      seed: 5,
      rng: seededRng(5),
      products: 1,
      initial: 10,
      store: memoryStore(),
      leaseMs: 600,
    })
    const product = world.products[0]!
    world.httpFaults.onStoreRequest = (store, method, wooProductId) => {
      if (raced || store !== 'woo' || method === 'GET' || wooProductId !== product.wooId) return
      raced = true
      world.woo.createOrder({ lineItems: [{ productId: product.wooId, quantity: 1 }] })
    }
    world.marketplace.sell(world.scope, product.internalId, 2)
    await world.hub.inventory.marketplaceChanged(world.scope, product.internalId, 'race-sale-1')
    await drainUntilQuiet({
      hub: world.hub,
      scope: world.scope,
      leaseMs: world.leaseMs,
      flush: world.flushWebhooks,
      deadlineMs: 10_000,
    })
    world.httpFaults.onStoreRequest = null
    await recover(world, [], 10_000)
  })
  afterAll(() => world.close())

  it('the checkout landed while the hub’s write was in flight', () => {
    expect(raced).toBe(true)
  })

  it('is counted exactly once on every side', () => {
    const product = world.products[0]!
    expect({
      marketplace: world.marketplace.quantity(world.scope, product.internalId),
      shopify: world.shopify.getAvailable(product.shopifyInventoryItemId),
      woo: world.woo.stockOf(product.wooId),
    }).toEqual({ marketplace: 7, shopify: 7, woo: 7 })
  })
})
