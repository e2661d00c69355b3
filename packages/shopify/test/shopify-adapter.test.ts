import {
  type Connection,
  type ExecutionContext,
  type Json,
  PROVIDER_SPEC_VERSION,
  RetryableError,
  StaleInventoryError,
  type SyncItem,
  silentLogger,
  type WorkItemSpec,
} from '@hub/core'
import { createFakeShopify, type FakeShopify, manualClock, type TokenResponse } from '@hub/testkit/shopify'
import { describe, expect, it } from 'vitest'
import { createShopifyAdapter } from '../src/shopify-adapter.js'
import type { ShopifyCredentials } from '../src/shopify-auth.js'
import { BULK_IMPORT_STREAM, IMPORT_STREAM } from '../src/shopify-catalog.js'
import { ShopifyReauthRequiredError } from '../src/shopify-errors.js'

const SHOP = 'demo-shop.myshopify.com'
const API_KEY = 'client-id'
const SECRET = 'shpss_adapter_secret'

function setup() {
  const clock = manualClock(Date.parse('2026-11-25T12:00:00Z'))
  const fake = createFakeShopify({ shop: SHOP, apiKey: API_KEY, apiSecret: SECRET, clock })
  const hubClock = {
    now: () => new Date(clock.now()),
    sleep: async (ms: number) => clock.advance(ms),
  }
  const adapter = createShopifyAdapter({
    apiKey: API_KEY,
    apiSecret: SECRET,
    clock: hubClock,
    fetch: (input, init) => fake.fetch(new Request(input, init)),
  })
  return { fake, clock, hubClock, adapter }
}

function toCredentials(token: TokenResponse, nowMs: number): ShopifyCredentials {
  const expiring = 'refresh_token' in token
  return {
    accessToken: token.access_token,
    scope: token.scope,
    expiresAt: expiring ? new Date(nowMs + token.expires_in * 1000).toISOString() : null,
    refreshToken: expiring ? token.refresh_token : null,
    refreshTokenExpiresAt: expiring
      ? new Date(nowMs + token.refresh_token_expires_in * 1000).toISOString()
      : null,
  }
}

/** A minimal execution context recording what the adapter asks of the engine. */
function context(
  env: ReturnType<typeof setup>,
  credentials: ShopifyCredentials,
  item: Partial<SyncItem> = {},
) {
  const saved: Json[] = []
  const statuses: [string, string | null][] = []
  const enqueued: WorkItemSpec[] = []
  const checkpoints = new Map<string, { cursor: string | null; watermark: Date | null }>()
  const connection = {
    id: 'conn-1',
    sellerId: 'seller-1',
    provider: 'shopify',
    externalAccountId: SHOP,
    status: 'active',
    statusReason: null,
    policy: { inboundCatalog: true, inboundInventory: true, outboundInventory: true },
    credentials: null,
    settings: {},
    createdAt: new Date(),
    updatedAt: new Date(),
  } satisfies Connection
  const ctx = {
    item: { id: 'item-1', externalId: null, payload: null, diagnosticPayload: null, ...item } as SyncItem,
    connection,
    credentials: credentials as unknown as Json,
    saveCredentials: async (next: Json) => {
      saved.push(next)
    },
    setConnectionStatus: async (status: Connection['status'], reason: string | null) => {
      statuses.push([status, reason])
    },
    savePlan: async () => {},
    recordExcerpt: () => {},
    enqueue: async (work: WorkItemSpec[]) => {
      enqueued.push(...work)
      return []
    },
    mappings: {} as ExecutionContext['mappings'],
    checkpoints: {
      get: async (stream: string) => checkpoints.get(stream) ?? null,
      save: async (stream: string, cursor: string | null, watermark: Date | null) => {
        checkpoints.set(stream, { cursor, watermark })
      },
    },
    marketplace: {} as ExecutionContext['marketplace'],
    logger: silentLogger,
    clock: env.hubClock,
    signal: new AbortController().signal,
  } satisfies ExecutionContext
  return { ctx, saved, statuses, enqueued, checkpoints }
}

function seed(fake: FakeShopify, available = 10) {
  const product = fake.createProduct({
    title: 'Mug',
    variants: [{ title: 'Default Title', sku: 'MUG-1', price: '9.50', available }],
  })
  const variant = fake.state.variants.get(product.variantIds[0]!)!
  return { product, variant, itemId: variant.inventoryItemId }
}

describe('createShopifyAdapter', () => {
  it('declares specification v1 and its capabilities as data', () => {
    const { adapter } = setup()
    expect(adapter.specificationVersion).toBe(PROVIDER_SPEC_VERSION)
    expect(adapter.provider).toBe('shopify')
    expect(adapter.capabilities).toEqual({
      inventoryCompareAndSwap: true,
      webhookRetries: true,
      bulkImport: true,
      orderWebhooks: false,
    })
    expect(Object.keys(adapter.operations).sort()).toEqual([
      'catalog.import',
      'catalog.refresh',
      'connection.revoke',
      'webhooks.register',
    ])
  })
})

describe('inventory against the fake shop', () => {
  it('reads available fresh and pushes a delta with compare-and-swap', async () => {
    const env = setup()
    const { itemId } = seed(env.fake, 10)
    expect(BigInt(itemId) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true)
    const { ctx } = context(env, toCredentials(env.fake.issueAccessToken(), env.clock.now()))
    const reading = await env.adapter.inventory!.read(ctx, itemId)
    expect(reading.quantity).toBe(10)
    const pushed = await env.adapter.inventory!.push(ctx, {
      externalId: itemId,
      observed: reading,
      target: 6,
      idempotencyKey: 'k1',
    })
    expect(pushed.quantity).toBe(6)
    expect(env.fake.getAvailable(itemId)).toBe(6)
  })

  it('refuses a push against a stale observation with StaleInventoryError and writes nothing', async () => {
    const env = setup()
    const { itemId } = seed(env.fake, 10)
    const { ctx } = context(env, toCredentials(env.fake.issueAccessToken(), env.clock.now()))
    const reading = await env.adapter.inventory!.read(ctx, itemId)
    env.fake.setAvailable(itemId, 8)
    await expect(
      env.adapter.inventory!.push(ctx, {
        externalId: itemId,
        observed: reading,
        target: 5,
        idempotencyKey: 'k2',
      }),
    ).rejects.toBeInstanceOf(StaleInventoryError)
    expect(env.fake.getAvailable(itemId)).toBe(8)
  })

  it('never applies a delta twice when a push is retried after a lost response (simulated timeout)', async () => {
    const env = setup()
    const { itemId } = seed(env.fake, 10)
    const { ctx } = context(env, toCredentials(env.fake.issueAccessToken(), env.clock.now()))
    const reading = await env.adapter.inventory!.read(ctx, itemId)
    const push = { externalId: itemId, observed: reading, target: 6, idempotencyKey: 'item-1:v3' }
    env.fake.faults.loseNextResponses(1)
    await expect(env.adapter.inventory!.push(ctx, push)).rejects.toBeInstanceOf(RetryableError)
    expect(env.fake.getAvailable(itemId)).toBe(6) // the write happened, the answer was lost
    expect((await env.adapter.inventory!.push(ctx, push)).quantity).toBe(6)
    expect(env.fake.getAvailable(itemId)).toBe(6)
  })

  it('uses the configured location and refuses to guess between several', async () => {
    const env = setup()
    const { itemId } = seed(env.fake, 4)
    const second = env.fake.addLocation('Second')
    env.fake.state.activate(itemId, second, 9)
    const { ctx } = context(env, toCredentials(env.fake.issueAccessToken(), env.clock.now()))
    await expect(env.adapter.inventory!.read(ctx, itemId)).rejects.toMatchObject({
      code: 'SHOPIFY_LOCATION_AMBIGUOUS',
    })
    ctx.connection.settings = { locationId: `gid://shopify/Location/${second}` }
    expect((await env.adapter.inventory!.read(ctx, itemId)).quantity).toBe(9)
  })
})

describe('tokens against the fake OAuth server', () => {
  it('refreshes an expiring token before use and persists the new pair', async () => {
    const env = setup()
    const { itemId } = seed(env.fake, 3)
    const credentials = toCredentials(env.fake.issueAccessToken(), env.clock.now())
    env.clock.advance(3600_000 - 60_000) // within the 5 min refresh skew
    const { ctx, saved } = context(env, credentials)
    expect((await env.adapter.inventory!.read(ctx, itemId)).quantity).toBe(3)
    expect(saved).toHaveLength(1)
    expect(saved[0]).toMatchObject({ refreshToken: expect.any(String) })
    expect((saved[0] as ShopifyCredentials).accessToken).not.toBe(credentials.accessToken)
  })

  it('marks the connection for re-auth when the app was uninstalled', async () => {
    const env = setup()
    const { itemId } = seed(env.fake, 3)
    const { ctx, statuses } = context(env, toCredentials(env.fake.issueAccessToken(), env.clock.now()))
    env.fake.uninstall()
    await expect(env.adapter.inventory!.read(ctx, itemId)).rejects.toBeInstanceOf(ShopifyReauthRequiredError)
    expect(statuses).toEqual([['error', 'Shopify re-authorization required: reinstall the app']])
  })
})

describe('catalog operations against the fake shop', () => {
  it('imports every product in pages as catalog.submit items with exact big ids, checkpointing the cursor', async () => {
    const env = setup()
    const seeded = Array.from({ length: 23 }, (_, i) =>
      env.fake.createProduct({
        title: `Shirt ${i}`,
        options: { Size: ['S', 'M', 'L'] },
        variants: [
          { sku: `S-${i}`, price: '10.00', options: ['S'], available: 1 },
          { sku: `M-${i}`, price: '11.00', options: ['M'], available: 2 },
          { sku: `L-${i}`, price: '12.00', options: ['L'], available: 3 },
        ],
      }),
    )
    const adapter = createShopifyAdapter({
      apiKey: API_KEY,
      apiSecret: SECRET,
      clock: env.hubClock,
      pageSize: 10,
      fetch: (input, init) => env.fake.fetch(new Request(input, init)),
    })
    const { ctx, enqueued, checkpoints } = context(
      env,
      toCredentials(env.fake.issueAccessToken(), env.clock.now()),
    )
    const result = await adapter.operations['catalog.import']!(ctx)
    expect(result?.result).toMatchObject({ mode: 'pages', products: 23, skipped: 0 })
    expect(enqueued).toHaveLength(23)
    expect(enqueued.every((w) => w.operation === 'catalog.submit' && w.entityType === 'product')).toBe(true)
    expect(new Set(enqueued.map((w) => w.externalId))).toEqual(new Set(seeded.map((p) => p.id)))
    const first = enqueued.find((w) => w.externalId === seeded[0]!.id)!.payload as { [k: string]: Json }
    const variants = first['variants'] as { [k: string]: Json }[]
    const expectedItems = seeded[0]!.variantIds.map((id) => env.fake.state.variants.get(id)!.inventoryItemId)
    expect(variants.map((v) => v['inventoryItemId'])).toEqual(expectedItems)
    expect(variants.map((v) => v['quantity'])).toEqual([1, 2, 3])
    expect(first['currency']).toEqual(expect.stringMatching(/^[A-Z]{3}$/))
    expect(checkpoints.get(IMPORT_STREAM)?.cursor).toBeNull()
  })

  it('refreshes a product for catalog.change, and revokes the connection on uninstall', async () => {
    const env = setup()
    const { product } = seed(env.fake)
    const { ctx, enqueued, statuses } = context(
      env,
      toCredentials(env.fake.issueAccessToken(), env.clock.now()),
      {
        externalId: product.id,
      },
    )
    await env.adapter.operations['catalog.refresh']!(ctx)
    expect(enqueued).toMatchObject([
      { operation: 'catalog.change', entityType: 'product', externalId: product.id },
    ])
    expect((enqueued[0]!.payload as { title: string }).title).toBe('Mug')
    await env.adapter.operations['connection.revoke']!(ctx)
    expect(statuses).toEqual([['revoked', 'app/uninstalled']])
  })
})

describe('bulk import against the fake shop', () => {
  function bulkSetup(enqueueFailsOnCall?: number) {
    const env = setup()
    env.fake.seedProducts(600, 3, { available: 4 })
    const adapter = createShopifyAdapter({
      apiKey: API_KEY,
      apiSecret: SECRET,
      clock: env.hubClock,
      bulkPollIntervalMs: 1000,
      fetch: (input, init) => env.fake.fetch(new Request(input, init)),
    })
    const harness = context(env, toCredentials(env.fake.issueAccessToken(), env.clock.now()))
    let calls = 0
    const enqueue = harness.ctx.enqueue
    harness.ctx.enqueue = async (work) => {
      calls += 1
      if (calls === enqueueFailsOnCall) throw new Error('worker killed')
      return enqueue(work)
    }
    return { env, adapter, ...harness }
  }

  it('imports a shop above the page threshold through a bulk operation, streaming grouped lines', async () => {
    const { env, adapter, ctx, enqueued, checkpoints } = bulkSetup()
    const result = await adapter.operations['catalog.import']!(ctx)
    expect(result?.result).toMatchObject({ mode: 'bulk', products: 600, skipped: 0, refreshed: 0 })
    expect(enqueued).toHaveLength(600)
    expect(new Set(enqueued.map((w) => w.externalId)).size).toBe(600)
    const sample = enqueued[123]!
    const record = env.fake.state.products.get(sample.externalId!)!
    const variants = (sample.payload as { variants: { inventoryItemId: string; quantity: number }[] })
      .variants
    expect(variants.map((v) => v.inventoryItemId)).toEqual(
      record.variantIds.map((id) => env.fake.state.variants.get(id)!.inventoryItemId),
    )
    expect(variants.every((v) => v.quantity === 4)).toBe(true)
    expect(checkpoints.get(BULK_IMPORT_STREAM)?.cursor).toBeNull()
  })

  it('resumes from the checkpointed line of the same export after a crash, without starting a new one', async () => {
    const { env, adapter, ctx, enqueued, checkpoints } = bulkSetup(3)
    await expect(adapter.operations['catalog.import']!(ctx)).rejects.toThrow('worker killed')
    expect(enqueued).toHaveLength(200)
    const saved = JSON.parse(checkpoints.get(BULK_IMPORT_STREAM)!.cursor!) as {
      operationId: string
      line: number
    }
    expect(saved.line).toBeGreaterThan(0)
    const operationsBefore = env.fake.bulk.list().length
    await adapter.operations['catalog.import']!(ctx)
    expect(env.fake.bulk.list().length).toBe(operationsBefore)
    expect(enqueued).toHaveLength(600)
    expect(new Set(enqueued.map((w) => w.externalId)).size).toBe(600)
  })
})

describe('webhook registration against the fake shop', () => {
  it('subscribes every topic once, and the deliveries that follow verify and parse', async () => {
    const deliveries: Request[] = []
    const clock = manualClock(Date.parse('2026-11-25T12:00:00Z'))
    const fake = createFakeShopify({
      shop: SHOP,
      apiKey: API_KEY,
      apiSecret: SECRET,
      clock,
      webhookTransport: async (request) => {
        deliveries.push(request)
        return new Response(null, { status: 200 })
      },
    })
    const env = { ...setup(), fake, clock }
    const adapter = createShopifyAdapter({
      apiKey: API_KEY,
      apiSecret: SECRET,
      clock: env.hubClock,
      fetch: (input, init) => fake.fetch(new Request(input, init)),
    })
    const uri = 'https://hub.example.com/hooks/shopify'
    const { ctx } = context(env, toCredentials(fake.issueAccessToken(), clock.now()), { payload: { uri } })
    const first = await adapter.operations['webhooks.register']!(ctx)
    const registrations = (first!.result as { registrations: { topic: string; existed: boolean }[] })
      .registrations
    expect(registrations.map((r) => [r.topic, r.existed])).toEqual([
      ['products/create', false],
      ['products/update', false],
      ['products/delete', false],
      ['inventory_levels/update', false],
      ['app/uninstalled', false],
    ])
    const again = await adapter.operations['webhooks.register']!(ctx)
    expect(
      (again!.result as { registrations: { existed: boolean }[] }).registrations.every((r) => r.existed),
    ).toBe(true)

    const { itemId } = seed(fake, 5)
    fake.setAvailable(itemId, 2)
    await fake.flushWebhooks()
    expect(deliveries.length).toBeGreaterThanOrEqual(2)
    for (const request of deliveries) {
      const raw = {
        method: 'POST',
        url: request.url,
        headers: Object.fromEntries([...request.headers].map(([k, v]) => [k.toLowerCase(), v])),
        rawBody: new Uint8Array(await request.arrayBuffer()),
      }
      await expect(adapter.webhooks.verify(raw, null)).resolves.toBeUndefined()
      const parsed = adapter.webhooks.parse(raw, null as never)
      expect(parsed.kind).toBe('event')
    }
    const levelDelivery = deliveries.find(
      (r) => r.headers.get('x-shopify-topic') === 'inventory_levels/update',
    )
    expect(levelDelivery).toBeDefined()

    const bad = { ...ctx, item: { ...ctx.item, payload: { uri: 'not a url' } } }
    await expect(adapter.operations['webhooks.register']!(bad)).rejects.toMatchObject({
      name: 'ShopifyUserError',
    })
  })
})

describe('account ids', () => {
  it('stores shop domains in the canonical form webhooks identify, and refuses non-shops', () => {
    const adapter = createShopifyAdapter({ apiKey: 'key', apiSecret: 'secret' })
    expect(adapter.normalizeAccountId?.('Demo-Shop.myshopify.com')).toBe('demo-shop.myshopify.com')
    expect(adapter.normalizeAccountId?.('admin.shopify.com/store/demo-shop')).toBe('demo-shop.myshopify.com')
    expect(() => adapter.normalizeAccountId?.('evil.example.com')).toThrow(/not a Shopify shop domain/)
  })
})
