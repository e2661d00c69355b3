import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createHub,
  createKeyring,
  type Hub,
  type MemoryMarketplace,
  memoryMarketplace,
  type Scope,
  toNodeHandler,
  type Worker,
} from '@hub/core'
import { createShopifyAdapter } from '@hub/shopify'
import { createFakeShopify, type FakeShopify, type LocalServer } from '@hub/testkit/shopify'
import { createFakeWoo, type FakeWoo } from '@hub/testkit/woocommerce'
import { woocommerce } from '@hub/woocommerce'
import { config } from './config.js'
import { type BenchDatabase, openDatabase } from './database.js'
import { waitUntil } from './stats.js'

/** The fake shop's domain. */
export const SHOP = 'bench-system.myshopify.com'
/** The fake WooCommerce store's public URL (requests are routed to its local server). */
export const WOO_URL = 'https://bench-system-woo.test'
/** The app's client secret: the fake Shopify signs webhooks with it. */
export const SHOPIFY_API_SECRET = 'shpss_bench_system_secret'
/** The secret the WooCommerce webhooks are registered with. */
export const WOO_WEBHOOK_SECRET = 'bench-system-woo-webhook-secret'
const SHOPIFY_API_KEY = 'bench-system-client-id'
const SHOPIFY_TOPICS = ['inventory_levels/update', 'orders/create']
const WOO_TOPICS = ['product.updated', 'order.created', 'order.updated']

/** One product sold on all three sides under the same SKU. */
export interface WorldProduct {
  sku: string
  /** The marketplace inventory item both connections are linked to. */
  internalId: string
  shopifyVariantId: string
  shopifyInventoryItemId: string
  wooId: number
}

/** A delivery as the hub's HTTP server received it (for {@link World.tap}). */
export interface ReceivedDelivery {
  path: string
  headers: Record<string, string>
  body: Buffer
}

/** Options of {@link buildWorld}. */
export interface WorldOptions {
  /** Suffix of the schema (`<prefix>_<name>`). */
  name: string
  products: number
  initial: number
}

/**
 * One seller connected to a fake Shopify and a fake WooCommerce, each a real HTTP server on
 * 127.0.0.1; the hub on PostgreSQL (own schema) with an in-memory marketplace; the hub's webhook
 * endpoint `toNodeHandler(hub.webhooks)` on `node:http`; a running worker woken by
 * LISTEN/NOTIFY. Both stores deliver their webhooks to that endpoint over HTTP as soon as they
 * happen (Shopify `auto`, WooCommerce `auto` with no coalescing window).
 */
export interface World {
  readonly db: BenchDatabase
  readonly hub: Hub
  readonly worker: Worker
  readonly scope: Scope
  readonly marketplace: MemoryMarketplace
  readonly shopify: FakeShopify
  readonly woo: FakeWoo
  /** `http://127.0.0.1:<port>`: the hub's webhook endpoint is `/hooks/<provider>`. */
  readonly hubUrl: string
  readonly server: Server
  readonly products: readonly WorldProduct[]
  /**
   * When set, deliveries reaching the hub's server go to it instead of the hub (answered 200):
   * how the benchmark captures real signed deliveries of the fakes.
   */
  tap: ((delivery: ReceivedDelivery) => void) | null
  /** Wait until no item is pending, failed or running (twice in a row, 20 ms apart). */
  settle(timeoutMs?: number): Promise<void>
  close(): Promise<void>
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** A fetch that sends requests for `from` to the local server `to` (path and query kept). */
function rerouted(from: string, to: () => string): typeof fetch {
  return (input, init) => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    if (url.origin !== from) return fetch(request)
    return fetch(new Request(`${to()}${url.pathname}${url.search}`, request))
  }
}

/**
 * Build the world: seed the same SKUs on both stores, connect both, import both catalogs
 * through the running worker, approve the Shopify submissions (creating the marketplace's
 * inventory items) and link the WooCommerce submissions to them by SKU. Returns once every
 * side shows `initial` and nothing is left to run.
 */
export async function buildWorld(options: WorldOptions): Promise<World> {
  const db = await openDatabase(options.name)
  const scope = { sellerId: `bench-seller-${options.name}` }
  const marketplace = memoryMarketplace()

  let hub: Hub | null = null
  let nodeHandler: ReturnType<typeof toNodeHandler> | null = null
  const state: { tap: World['tap'] } = { tap: null }
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (state.tap) {
      const tap = state.tap
      void readBody(req).then((body) => {
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v
        tap({ path: req.url ?? '/', headers, body })
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
      return
    }
    if (!nodeHandler) {
      res.writeHead(503).end()
      return
    }
    nodeHandler(req, res)
  })
  server.keepAliveTimeout = 60_000
  const hubUrl = await listen(server)

  const shopify = createFakeShopify({
    shop: SHOP,
    apiKey: SHOPIFY_API_KEY,
    apiSecret: SHOPIFY_API_SECRET,
    webhooks: SHOPIFY_TOPICS.map((topic) => ({ topic, uri: `${hubUrl}/hooks/shopify` })),
    webhookDelivery: 'auto',
  })
  const woo = createFakeWoo({
    baseUrl: WOO_URL,
    https: true,
    webhookDelivery: 'auto',
    deliveryDelayMs: 0,
  })
  for (const topic of WOO_TOPICS) {
    woo.addWebhook({ topic, deliveryUrl: `${hubUrl}/hooks/woocommerce`, secret: WOO_WEBHOOK_SECRET })
  }
  const shopifyServer: LocalServer = await shopify.listen()
  const wooServer = await woo.listen()

  hub = createHub({
    store: db.store,
    providers: [
      createShopifyAdapter({
        apiKey: SHOPIFY_API_KEY,
        apiSecret: SHOPIFY_API_SECRET,
        shopOrigin: () => shopifyServer.url,
      }),
      woocommerce({ fetch: rerouted(WOO_URL, () => wooServer.url), timeoutMs: 10_000 }),
    ],
    marketplace,
    keyring: createKeyring({ keys: { bench: Buffer.alloc(32, 7) }, currentKeyId: 'bench' }),
    retry: { maxAttempts: 10, baseMs: 10, maxMs: 250 },
  })
  nodeHandler = toNodeHandler(hub.webhooks)
  const worker = hub.worker({ concurrency: config.workerConcurrency, workerId: `bench-${options.name}` })
  await worker.start()

  const seeded = Array.from({ length: options.products }, (_, i) => {
    const sku = `BENCH-${String(i + 1).padStart(4, '0')}`
    const record = shopify.createProduct({
      title: `Bench product ${i + 1}`,
      variants: [{ sku, price: '10.00', available: options.initial }],
    })
    const variant = shopify.state.variants.get(record.variantIds[0]!)!
    const wooProduct = woo.seedProduct({
      name: `Bench product ${i + 1}`,
      sku,
      regularPrice: '10.00',
      manageStock: true,
      stockQuantity: options.initial,
    })
    return {
      sku,
      shopifyVariantId: variant.id,
      shopifyInventoryItemId: variant.inventoryItemId,
      wooId: wooProduct.id,
    }
  })

  const shopifyConnection = await hub.connections.create({ ...scope, ...shopify.connectInput() })
  const wooConnection = await hub.connections.create({
    ...scope,
    ...woo.connectInput({ webhookSecret: WOO_WEBHOOK_SECRET }),
  })

  const open = () => db.count('items', `status IN ('pending', 'failed', 'running')`)
  const settle = async (timeoutMs = 60_000) => {
    let quiet = 0
    try {
      await waitUntil(
        async () => {
          await woo.whenIdle()
          quiet = (await open()) === 0 ? quiet + 1 : 0
          return quiet >= 2
        },
        'the world to settle',
        timeoutMs,
        20,
      )
    } catch (error) {
      const { rows } = await db.pool.query(
        `SELECT operation, status, attempt, last_error FROM "${db.schema}".items
         WHERE status IN ('pending', 'failed', 'running') LIMIT 5`,
      )
      throw new Error(`${(error as Error).message}; open items: ${JSON.stringify(rows)}`)
    }
  }

  for (const connectionId of [shopifyConnection.id, wooConnection.id]) {
    await hub.enqueue(scope, connectionId, 'import', [
      { operation: 'catalog.import', idempotencyKey: `import:${connectionId}`, entityType: 'catalog' },
    ])
  }
  await settle()

  const internalBySku = new Map<string, { internalId: string; productId: string }>()
  const submissions = marketplace.products(scope)
  for (const submission of submissions.filter((s) => s.connectionId === shopifyConnection.id)) {
    const approval = marketplace.approve(scope, submission.ref)
    await hub.catalog.approve(scope, approval)
    for (const variant of submission.product.variants) {
      const internalId = approval.inventoryItems[variant.inventoryItemId]
      if (variant.sku && internalId)
        internalBySku.set(variant.sku, { internalId, productId: approval.productId })
    }
  }
  for (const submission of submissions.filter((s) => s.connectionId === wooConnection.id)) {
    const inventoryItems: Record<string, string> = {}
    let productId: string | null = null
    for (const variant of submission.product.variants) {
      const match = variant.sku ? internalBySku.get(variant.sku) : undefined
      if (!match) continue
      inventoryItems[variant.inventoryItemId] = match.internalId
      productId = match.productId
    }
    if (productId) await hub.catalog.approve(scope, { ref: submission.ref, productId, inventoryItems })
  }
  await settle()

  const products: WorldProduct[] = seeded.map((p) => {
    const match = internalBySku.get(p.sku)
    if (!match) throw new Error(`SKU ${p.sku} was not imported from Shopify`)
    return { ...p, internalId: match.internalId }
  })
  for (const p of products) {
    const sides = [
      marketplace.quantity(scope, p.internalId),
      shopify.getAvailable(p.shopifyInventoryItemId),
      woo.stockOf(p.wooId),
    ]
    if (sides.some((q) => q !== options.initial))
      throw new Error(`${p.sku} starts unequal: ${sides.join(' / ')}`)
  }

  return {
    db,
    hub,
    worker,
    scope,
    marketplace,
    shopify,
    woo,
    hubUrl,
    server,
    products,
    get tap() {
      return state.tap
    },
    set tap(value) {
      state.tap = value
    },
    settle,
    async close() {
      await worker.stop({ timeoutMs: 5_000 })
      await woo.whenIdle()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await woo.close()
      await shopify.close()
      await db.drop()
    },
  }
}
