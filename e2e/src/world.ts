import {
  createHub,
  createKeyring,
  type Hub,
  type HubStore,
  type MemoryMarketplace,
  memoryMarketplace,
  type Scope,
} from '@hub/core'
import { createShopifyAdapter } from '@hub/shopify'
import { createFakeShopify, type FakeShopify } from '@hub/testkit/shopify'
import { createFakeWoo, type FakeWoo } from '@hub/testkit/woocommerce'
import { woocommerce } from '@hub/woocommerce'
import { type CrashSwitch, crashSwitch } from './crash-switch.js'
import { type DeliveryQueue, deliveryQueue } from './delivery-queue.js'
import { drainUntilQuiet } from './drain.js'
import type { Rng } from './rng.js'

const SHOP = 'e2e-convergence.myshopify.com'
const WOO_URL = 'https://e2e-convergence-woo.test'
const HOOKS = 'https://hub.e2e.test/hooks'
const API_KEY = 'e2e-client-id'
const API_SECRET = 'shpss_e2e_convergence_secret'
const WOO_WEBHOOK_SECRET = 'e2e-woo-webhook-secret'
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

/** Faults the test injects into the adapters' HTTP (the fakes' own switches are used directly). */
export interface HttpFaults {
  /** WooCommerce writes that land but whose answer is lost (a client-side timeout). */
  wooLostResponses: number
  /**
   * Called as each store request of the hub arrives, before the store handles it: the traffic
   * uses it to land sales while the hub's reads and writes are in flight (between a read and
   * the write planned from it), which a sleep-paced loop alone almost never hits.
   */
  onStoreRequest:
    | ((store: 'shopify' | 'woo', method: string, wooProductId: number | null, label: string) => void)
    | null
}

/** Options of {@link buildWorld}. */
export interface WorldOptions {
  seed: number
  rng: Rng
  products: number
  initial: number
  store: HubStore
  leaseMs: number
}

/**
 * One seller connected to a fake Shopify and a fake WooCommerce (in process), one in-memory
 * marketplace, one store. Two hubs share the store and the marketplace: `hub` (the webhook
 * endpoint, the test's operator and the surviving workers) and `doomedHub`, a second process
 * whose worker is killed mid-run through {@link CrashSwitch}.
 */
export interface World {
  readonly seed: number
  readonly scope: Scope
  readonly hub: Hub
  readonly doomedHub: Hub
  readonly crash: CrashSwitch
  readonly marketplace: MemoryMarketplace
  readonly shopify: FakeShopify
  readonly woo: FakeWoo
  /** WooCommerce deliveries on their way to the hub (held back for the "delayed" fault). */
  readonly wooDeliveries: DeliveryQueue
  readonly shopifyConnectionId: string
  readonly wooConnectionId: string
  readonly products: readonly WorldProduct[]
  readonly httpFaults: HttpFaults
  readonly leaseMs: number
  /**
   * What happened to each WooCommerce product's stock, in order (the hub's requests with the
   * stock before and after, and the checkouts): shown for a product that does not converge.
   */
  readonly wooTrace: Map<number, string[]>
  /** Shopify deliveries answered by the hub, by HTTP status. */
  readonly shopifyStatuses: Map<number, number>
  /** Deliver everything the stores have queued that is due now. */
  flushWebhooks(): Promise<void>
  close(): Promise<void>
}

function methodOf(input: RequestInfo | URL, init?: RequestInit): string {
  return (init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase()
}

/**
 * Build the world: seed the same SKUs on both stores, import both catalogs, approve the
 * Shopify submissions (creating the marketplace inventory items) and link the WooCommerce
 * submissions to the same items by SKU. Returns once every side shows `initial`.
 */
export async function buildWorld(options: WorldOptions): Promise<World> {
  const { seed, rng, store } = options
  const scope = { sellerId: `seller-${seed}` }
  const marketplace = memoryMarketplace()
  const crash = crashSwitch()
  const httpFaults: HttpFaults = { wooLostResponses: 0, onStoreRequest: null }
  const shopifyStatuses = new Map<number, number>()
  const wooTrace = new Map<number, string[]>()
  let ingress: Hub | null = null
  const deliver = (request: Request): Promise<Response> => {
    if (!ingress) throw new Error('hub not ready')
    return ingress.webhooks(request)
  }

  const shopify = createFakeShopify({
    shop: SHOP,
    apiKey: API_KEY,
    apiSecret: API_SECRET,
    seed,
    // Shopify Plus limits (20 000 points, 1 000/s): the traffic below is far denser than a
    // Standard shop's 100 points/s allow; throttling is still injected by emptying the bucket.
    rateLimit: { maximumAvailable: 20_000, restoreRate: 1_000 },
    webhooks: SHOPIFY_TOPICS.map((topic) => ({ topic, uri: `${HOOKS}/shopify` })),
    webhookTransport: async (request) => {
      const response = await deliver(request)
      shopifyStatuses.set(response.status, (shopifyStatuses.get(response.status) ?? 0) + 1)
      return response
    },
  })
  const wooDeliveries = deliveryQueue(deliver, rng)
  const woo = createFakeWoo({
    baseUrl: WOO_URL,
    seed,
    webhookDelivery: 'manual',
    fetch: async (input, init) => {
      wooDeliveries.hold(new Request(input, init))
      return new Response(null, { status: 200 })
    },
  })
  for (const topic of WOO_TOPICS) {
    woo.addWebhook({ topic, deliveryUrl: `${HOOKS}/woocommerce`, secret: WOO_WEBHOOK_SECRET })
  }
  // The stores' request → response cores, called in process (what their MSW handlers and local
  // servers call too); the hook lets the traffic land a sale while a request is in flight.
  const storeFetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    if (url.host === SHOP) {
      httpFaults.onStoreRequest?.(
        'shopify',
        request.method,
        null,
        `shopify ${request.method} ${url.pathname}`,
      )
      return shopify.fetch(request)
    }
    if (url.origin === WOO_URL) {
      const id = /\/wc\/v3\/products\/(\d+)/.exec(url.pathname)?.[1]
      const productId = id ? Number(id) : null
      // The ledger's order scans (`orders?product=N`) are traced on product N too, to show where
      // a scan falls between the product reads and the checkouts.
      const scanned = /\/wc\/v3\/orders$/.test(url.pathname) ? url.searchParams.get('product') : null
      const tracedId = productId ?? (scanned ? Number(scanned) : null)
      const trace = tracedId === null ? null : (wooTrace.get(tracedId) ?? [])
      if (tracedId !== null && trace) wooTrace.set(tracedId, trace)
      const before = tracedId === null ? null : woo.stockOf(tracedId)
      const path = url.pathname.replace(/^\/wp-json\/wc\/v3/, '')
      const label = `${request.method} ${path}${scanned ? `?product=${scanned}` : ''}`
      httpFaults.onStoreRequest?.('woo', request.method, productId, label)
      const response = await woo.handle(request)
      if (tracedId !== null && trace) {
        trace.push(`${label}: stock ${before} → ${woo.stockOf(tracedId)} (${response.status})`)
      }
      return response
    }
    throw new TypeError(`e2e: no store answers ${url.origin} (only the fakes are reachable)`)
  }

  /** WooCommerce store requests; a write may land and lose its answer (a timeout). */
  const wooFetch =
    (base: () => typeof fetch): typeof fetch =>
    async (input, init) => {
      const response = await base()(input, init)
      if (httpFaults.wooLostResponses > 0 && methodOf(input, init) !== 'GET') {
        httpFaults.wooLostResponses -= 1
        await response.body?.cancel()
        throw new TypeError('fetch failed: the answer was lost (simulated timeout)')
      }
      return response
    }
  const adapters = (fetchFn: () => typeof fetch) => [
    createShopifyAdapter({
      apiKey: API_KEY,
      apiSecret: API_SECRET,
      importMode: 'pages',
      fetch: (input, init) => fetchFn()(input, init),
    }),
    woocommerce({ fetch: wooFetch(fetchFn), timeoutMs: 5_000 }),
  ]
  const keyring = createKeyring({ keys: { k: Buffer.alloc(32, 7) }, currentKeyId: 'k' })
  const retry = { maxAttempts: 10, baseMs: 10, maxMs: 250 }
  const hub = createHub({
    store,
    providers: adapters(() => storeFetch),
    marketplace,
    keyring,
    retry,
  })
  const doomedHub = createHub({
    store: crash.store(store),
    providers: adapters(() => crash.fetch(() => storeFetch)),
    marketplace: crash.marketplace(marketplace),
    keyring,
    retry,
  })
  ingress = hub

  // Same SKUs, same stock on both stores.
  const seeded = Array.from({ length: options.products }, (_, i) => {
    const sku = `E2E-${String(i + 1).padStart(3, '0')}`
    const record = shopify.createProduct({
      title: `Convergence product ${i + 1}`,
      variants: [{ sku, price: '10.00', available: options.initial }],
    })
    const variant = shopify.state.variants.get(record.variantIds[0]!)!
    const wooProduct = woo.seedProduct({
      name: `Convergence product ${i + 1}`,
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

  const flushWebhooks = async () => {
    await shopify.flushWebhooks()
    await woo.flushWebhooks()
    await wooDeliveries.deliverDue()
  }
  const settle = () =>
    drainUntilQuiet({ hub, scope, leaseMs: options.leaseMs, flush: flushWebhooks, deadlineMs: 20_000 })

  // Import both catalogs.
  for (const connectionId of [shopifyConnection.id, wooConnection.id]) {
    await hub.enqueue(scope, connectionId, 'import', [
      { operation: 'catalog.import', idempotencyKey: `import:${connectionId}`, entityType: 'catalog' },
    ])
  }
  await settle()

  // Approve the Shopify submissions: the marketplace creates one inventory item per SKU.
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
  // Link the WooCommerce submissions to the same marketplace items, by SKU.
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

  return {
    seed,
    scope,
    hub,
    doomedHub,
    crash,
    marketplace,
    shopify,
    woo,
    wooDeliveries,
    shopifyConnectionId: shopifyConnection.id,
    wooConnectionId: wooConnection.id,
    products,
    httpFaults,
    leaseMs: options.leaseMs,
    shopifyStatuses,
    wooTrace,
    flushWebhooks,
    async close() {
      await woo.close()
      await shopify.close()
      await hub.close()
    },
  }
}
