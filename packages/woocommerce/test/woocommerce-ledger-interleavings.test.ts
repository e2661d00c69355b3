import {
  createHub,
  createKeyring,
  type Hub,
  type MemoryMarketplace,
  memoryMarketplace,
  memoryStore,
  systemClock,
} from '@hub/core'
import { createFakeWoo, type FakeWoo } from '@hub/testkit/woocommerce'
import { afterAll, beforeEach, describe, expect, it } from 'vitest'
import { woocommerce } from '../src/woocommerce-adapter.js'

/**
 * The interleavings that broke the old time-window ledger in the e2e stress run, replayed
 * deterministically against the fake WooCommerce (in process, `woo.handle`). The fake's clock is
 * frozen: every order, note, push and product date falls in the same second, so nothing here
 * can be told apart by a date, only by ids.
 *
 * - seed 17: a checkout overwritten by our push, a later one shown in the stock, and a third
 *   landing while the next reading scans the orders: the overwritten one was reported lost.
 * - seed 29: a checkout overwritten by our push, and one landing while the next reading scans
 *   the orders: both were reported overwritten, the second was counted again from the stock.
 * - seed 20 (a lease lost under load): the push's `PUT` is slow, its lease expires, another
 *   worker completes the plan, finds the stock moved without our marker (stale), and then the
 *   first `PUT` lands: the overwritten checkout was counted twice.
 */
const STORE = 'https://interleavings-woo.test'
const SECRET = 'interleavings-webhook-secret'
const INITIAL = 40
const FROZEN = Date.UTC(2026, 10, 25, 12)

/** The next thing to do to the store, keyed by the request it happens at. */
type Hook = (request: Request, path: string) => Promise<void> | void
let hooks: Hook[] = []
/** Called once a request has been handled by the store. */
let afterHandled: Hook | null = null
let productId = 0
let hubMs = FROZEN
let captured: Request[] = []
const productPath = () => `/wp-json/wc/v3/products/${productId}`

const woo: FakeWoo = createFakeWoo({
  baseUrl: STORE,
  webhookDelivery: 'manual',
  now: () => new Date(FROZEN),
  fetch: async (input, init) => {
    captured.push(new Request(input, init))
    return new Response(null, { status: 200 })
  },
})

const fetchThroughHooks: typeof fetch = async (input, init) => {
  const request = new Request(input, init)
  const path = new URL(request.url).pathname
  for (const hook of [...hooks]) await hook(request, path)
  const response = await woo.handle(request)
  await afterHandled?.(request, path)
  return response
}

function checkout(units = 1): void {
  woo.createOrder({ lineItems: [{ productId, quantity: units }] })
}

interface World {
  hub: Hub
  marketplace: MemoryMarketplace
  scope: { sellerId: string }
  connectionId: string
  internalId: string
}
let world: World

/** Run every due item (the hub's clock moves on so retries come due) until nothing is open. */
async function drain(): Promise<void> {
  const worker = world.hub.worker({ concurrency: 1, leaseMs: 60_000, workerId: 'main' })
  for (let i = 0; i < 50; i++) {
    await worker.drain()
    const open = await world.hub.store.listItems(world.scope, { status: ['pending', 'failed', 'running'] })
    if (open.length === 0) return
    hubMs += 1_000
  }
  throw new Error('the hub did not settle')
}

/** Deliver every webhook the store sends and drain, until quiet. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await woo.flushWebhooks()
    const batch = captured
    captured = []
    for (const request of batch) expect((await world.hub.webhooks(request)).status).toBe(200)
    await drain()
    if (batch.length === 0) return
  }
}

async function sides() {
  const [mapping] = await world.hub.store.findMappings(world.scope, {
    connectionId: world.connectionId,
    entityType: 'inventory_item',
    externalId: String(productId),
  })
  return {
    woo: woo.stockOf(productId),
    marketplace: world.marketplace.quantity(world.scope, world.internalId),
    baseline: mapping?.baseline ?? null,
  }
}

const expectSides = async (value: number) =>
  expect(await sides()).toEqual({ woo: value, marketplace: value, baseline: value })

afterAll(() => woo.close())

beforeEach(async () => {
  woo.reset()
  hooks = []
  afterHandled = null
  captured = []
  hubMs = FROZEN
  for (const topic of ['order.created', 'order.updated', 'product.updated']) {
    woo.addWebhook({ topic, deliveryUrl: 'https://hub.example.com/hooks/woocommerce', secret: SECRET })
  }
  productId = woo.seedProduct({
    name: 'Mug',
    sku: 'MUG-1',
    regularPrice: '9.00',
    manageStock: true,
    stockQuantity: INITIAL,
  }).id
  const marketplace = memoryMarketplace()
  const hub = createHub({
    store: memoryStore(),
    providers: [woocommerce({ fetch: fetchThroughHooks })],
    marketplace,
    keyring: createKeyring({ keys: { k: Buffer.alloc(32, 7) }, currentKeyId: 'k' }),
    retry: { maxAttempts: 8, baseMs: 1, maxMs: 5 },
    clock: { now: () => new Date(hubMs), sleep: systemClock.sleep },
  })
  const scope = { sellerId: 'interleavings' }
  const connection = await hub.connections.create({
    ...scope,
    ...woo.connectInput({ webhookSecret: SECRET }),
  })
  world = { hub, marketplace, scope, connectionId: connection.id, internalId: '' }
  await hub.enqueue(scope, connection.id, 'import', [
    { operation: 'catalog.import', idempotencyKey: 'import', entityType: 'catalog' },
  ])
  await drain()
  const [submitted] = marketplace.products(scope)
  const approval = marketplace.approve(scope, submitted!.ref)
  await hub.catalog.approve(scope, approval)
  world.internalId = approval.inventoryItems[String(productId)]!
  await drain()
  await settle()
  await expectSides(INITIAL)
})

/** A hook that runs `action` once, at the first request `matches` accepts. */
function once(matches: (request: Request, path: string) => boolean, action: Hook): void {
  const hook: Hook = async (request, path) => {
    if (!matches(request, path)) return
    hooks = hooks.filter((h) => h !== hook)
    await action(request, path)
  }
  hooks.push(hook)
}
const isPut = (r: Request, path: string) => r.method === 'PUT' && path === productPath()
const isOrderScan = (r: Request, path: string) =>
  r.method === 'GET' && path === '/wp-json/wc/v3/orders' && new URL(r.url).searchParams.has('product')

/** A marketplace sale, notified: the hub pushes the new quantity to WooCommerce. */
async function marketplaceSale(): Promise<void> {
  world.marketplace.sell(world.scope, world.internalId, 1)
  await world.hub.inventory.marketplaceChanged(world.scope, world.internalId, 'marketplace-sale-1')
}

describe('the WooCommerce stock ledger, interleavings found by the e2e stress run (one second)', () => {
  it('seed 17: overwritten, shown, and a checkout during the next scan: each counted once', async () => {
    // The push's PUT overwrites checkout A; B lands after the push; C during the next scan.
    once(isPut, () => {
      checkout() // A: 40 → 39, then the PUT writes 39
      once(isOrderScan, () => checkout()) // C: while the next reading scans the orders
    })
    await marketplaceSale()
    await drain()
    expect(woo.stockOf(productId)).toBe(39)
    checkout() // B: 39 → 38, shown in the stock
    await settle()
    expect(hooks, 'every interleaving step happened').toEqual([])
    expect(woo.state.orders.size).toBe(3)
    await expectSides(INITIAL - 1 - 3)
  })

  it('seed 29: overwritten, and a checkout during the next scan: each counted once', async () => {
    once(isPut, () => {
      checkout() // A: 40 → 39, then the PUT writes 39 (the stock happens to match)
      once(isOrderScan, () => checkout()) // C: while the next reading scans the orders
    })
    await marketplaceSale()
    await drain()
    await settle()
    expect(hooks, 'every interleaving step happened').toEqual([])
    expect(woo.state.orders.size).toBe(2)
    await expectSides(INITIAL - 1 - 2)
  })

  it('checkouts landing during every stock read: the noted ones counted now, the rest next time', async () => {
    checkout() // A, read by the next reconcile
    let reads = 0
    hooks.push((request, path) => {
      if (request.method !== 'GET' || path !== productPath() || ++reads > 4) return
      // X1..X4: each of the reading's stock reads shows one checkout its scan did not see.
      checkout()
      // With the last one, a marketplace sale (not notified) makes the marketplace equal the
      // stock read: no push follows, so the next reading replays from this reading's state.
      if (reads === 4) world.marketplace.sell(world.scope, world.internalId, 1)
    })
    await settle()
    expect(reads).toBeGreaterThan(4)
    expect(woo.state.orders.size).toBe(5)
    await expectSides(INITIAL - 5 - 1)
  })

  it('seed 20: a push whose lease expired lands after another worker gave it up: counted once', async () => {
    let releasePut!: () => void
    let putLanded!: () => void
    const released = new Promise<void>((resolve) => {
      releasePut = resolve
    })
    const landed = new Promise<void>((resolve) => {
      putLanded = resolve
    })
    let second: Promise<number> | null = null
    once(isPut, async () => {
      checkout() // A: 40 → 39, overwritten by this PUT when it finally lands
      hubMs += 120_000 // the first worker's lease expires while its PUT is on the way
      let gets = 0
      // The other worker completes the plan (stale: 39 without our marker); just before its
      // reading, the first worker's PUT lands.
      hooks.push(async (request, path) => {
        if (request.method !== 'GET' || path !== productPath() || ++gets !== 3) return
        releasePut()
        await landed
      })
      second = world.hub.worker({ concurrency: 1, leaseMs: 60_000, workerId: 'second' }).drain()
      await released
    })
    afterHandled = (request, path) => {
      if (isPut(request, path)) putLanded()
    }
    await marketplaceSale()
    const first = world.hub.worker({ concurrency: 1, leaseMs: 60_000, workerId: 'first' }).drain()
    await first
    expect(second, 'the second worker took the item over').not.toBeNull()
    await second
    expect(await landed.then(() => true)).toBe(true)
    hooks = []
    hubMs += 120_000
    await drain()
    await settle()
    expect(woo.state.orders.size).toBe(1)
    await expectSides(INITIAL - 1 - 1)
  })
})
