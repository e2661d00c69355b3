import { ConfigError, type ConnectInput, PermanentError } from '@hub/core'
import { type HttpHandler, http } from 'msw'
import { WebhookDispatcher, type WooDeliveryRecord, type WooWebhookFaults } from './deliveries.js'
import { WooDomainError } from './domain-error.js'
import { type LocalServer, serveLocally } from './node-bridge.js'
import { renderOrder, renderProduct } from './render.js'
import {
  type InjectedFailure,
  injectedFailureResponse,
  redactedPath,
  type WooRequestLogEntry,
} from './request-log.js'
import { seededRandom } from './rng.js'
import { createRouter } from './router.js'
import { safeRemoteFetch } from './safe-remote.js'
import { type SeedProductsOptions, seedCatalog } from './seed.js'
import { type ProductPatch, WooState } from './state.js'
import type {
  KeyPermissions,
  OrderRecord,
  OrderStatus,
  ProductRecord,
  WebhookRecord,
  WebhookStatus,
} from './types.js'
import { LOGGED_IN_COOKIE, WcAuth } from './wc-auth.js'

/** Options of {@link createFakeWoo}. */
export interface FakeWooOptions {
  /** Where the store answers in MSW mode. Default `https://woo.test`. */
  baseUrl?: string
  /** More origins the same store answers on in MSW mode (e.g. its plain-HTTP twin). */
  aliases?: string[]
  /** The site's home URL (`X-WC-Webhook-Source`, links in webhook payloads). Default `baseUrl`. */
  homeUrl?: string
  /**
   * What WordPress's `is_ssl()` answers. Default: from each request's scheme. `true` behind a
   * recognised TLS proxy (e.g. the local HTTP server posing as HTTPS), `false` behind one that
   * WordPress does not recognise (Basic auth then fails, as in the field).
   */
  https?: boolean
  /** Seed of the deterministic random source (fault switches, generated data). Default 1. */
  seed?: number
  /** Webhook fault switches (drop / duplicate / reorder probabilities). */
  faults?: WooWebhookFaults
  /** `auto` (default): deliveries go out `deliveryDelayMs` after the first queued event; `manual`: on `flushWebhooks()`. */
  webhookDelivery?: 'auto' | 'manual'
  /** Coalescing window in auto mode. Default 25 ms. */
  deliveryDelayMs?: number
  /** Timeout of a delivery or callback request. Default 5000 ms. */
  deliveryTimeoutMs?: number
  /** Clock. Default `() => new Date()`. */
  now?: () => Date
  /** Outbound fetch (deliveries, pings, wc-auth callbacks). Default: the global `fetch` at call time. */
  fetch?: typeof fetch
  /**
   * Refuse outbound requests (deliveries, pings, wc-auth callbacks) to loopback/private addresses
   * and ports other than 80/443/8080, as `wp_safe_remote_post` does on a stock store. Default false
   * (the recorded store widened these for 127.0.0.1, and tests deliver locally).
   */
  safeRemoteRequests?: boolean
  /** Accept `http://` wc-auth callback URLs (WooCommerce refuses them). Default false. */
  allowHttpCallback?: boolean
  /** API keys to create instead of one random `read_write` key. */
  keys?: Array<{ consumerKey: string; consumerSecret: string; permissions: KeyPermissions }>
  /** First ids of the sequences (WordPress post ids start at 18 in the recorded store). */
  firstIds?: { post?: number; webhook?: number; key?: number; orderItem?: number }
}

/** A REST API key of the fake. */
export interface FakeWooKey {
  consumerKey: string
  consumerSecret: string
  permissions: KeyPermissions
}

/** Input of {@link FakeWoo.createOrder}. */
export interface FakeOrderInput {
  lineItems: Array<{ productId: number; variationId?: number; quantity: number }>
  /** Default `processing` (a paid checkout): stock is reduced inside the call. */
  status?: OrderStatus
}

/** The fake store. */
export interface FakeWoo {
  /** The MSW origin. */
  readonly baseUrl: string
  /** MSW handlers for `baseUrl` and the aliases: `setupServer(...woo.handlers)`. */
  readonly handlers: HttpHandler[]
  /** The request → response core (what the handlers and the server call). */
  handle(request: Request): Promise<Response>
  /** The default `read_write` key. */
  readonly credentials: FakeWooKey
  /** A `Cookie` header value that counts as a logged-in admin for `/wc-auth/v1/*`. */
  readonly loginCookie: string
  /** Every webhook request sent so far (pings included). */
  readonly deliveries: readonly WooDeliveryRecord[]
  /** Internal state, for assertions that must bypass the REST API. */
  readonly state: WooState
  /** Serve the same store on a real `http://127.0.0.1:<port>` server. */
  listen(): Promise<LocalServer>
  /**
   * What `hub.connections.create` needs, besides the seller, to connect to this store with its
   * default key (and the webhook secret the hub verifies deliveries with), without wc-auth.
   *
   * @example
   * await hub.connections.create({ sellerId, ...woo.connectInput({ webhookSecret }) })
   */
  connectInput(options?: { webhookSecret?: string }): Omit<ConnectInput, 'sellerId'>
  /** Add an API key. */
  addKey(permissions: KeyPermissions, values?: { consumerKey?: string; consumerSecret?: string }): FakeWooKey
  /** Create `count` products quickly (no webhooks). Returns the parent product ids. */
  seedProducts(count: number, options?: SeedProductsOptions): number[]
  /** Create one product or variation (no webhook unless `fireWebhook`). */
  seedProduct(
    input: ProductPatch & { parentId?: number; type?: 'simple' | 'variable' },
    options?: { fireWebhook?: boolean },
  ): ProductRecord
  /** A product or variation record, or undefined. */
  product(id: number): Readonly<ProductRecord> | undefined
  /** The REST (view) JSON of a product or variation. */
  productJson(id: number): unknown
  /** The stock of the object that manages it (a variation may defer to its parent). */
  stockOf(id: number): number | null
  /** A merchant's manual stock edit: absolute overwrite, fires `product.updated`. */
  setStock(id: number, quantity: number): void
  /** A merchant's product edit (fires `product.updated`). */
  updateProduct(id: number, patch: ProductPatch): void
  /**
   * A customer checkout: refuses (PermanentError `WOO_OUT_OF_STOCK`) unless every managed line is
   * in stock, then creates the order and reduces stock atomically. Returns the order id.
   */
  createOrder(input: FakeOrderInput): number
  /** Change an order's status (cancel restores stock, as recorded). */
  setOrderStatus(orderId: number, status: OrderStatus): void
  /** The REST JSON of an order. */
  orderJson(id: number): unknown
  /** Register a webhook without a ping (admin shortcut). Returns its id. */
  addWebhook(input: { topic: string; deliveryUrl: string; secret: string; name?: string }): number
  /** Set a webhook's status as the merchant would in the admin (no ping, failure count kept). */
  setWebhookStatus(id: number, status: WebhookStatus): void
  /** A webhook with its hidden delivery state (`failureCount`, `pendingDelivery`). */
  webhook(id: number): Readonly<WebhookRecord> | undefined
  /** Deliver every queued webhook event now. */
  flushWebhooks(): Promise<WooDeliveryRecord[]>
  /** Wait until no delivery is queued or in flight. */
  whenIdle(): Promise<void>
  /** Change the fault switches. */
  setFaults(faults: WooWebhookFaults): void
  /**
   * Make the next `count` REST requests fail before the store sees them, as a host or WAF does:
   * 500 (WordPress fatal-error JSON), 429 / 503 (with `Retry-After: 1`), 502, 504…
   */
  failNext(count: number, status?: number): void
  /** Every REST request answered so far (credentials stripped from the path). */
  readonly requests: readonly WooRequestLogEntry[]
  /** Forget products, orders, webhooks, deliveries, the request log and injected failures (keys stay). */
  reset(): void
  /** Stop local servers and timers. */
  close(): Promise<void>
}

function originOf(raw: string, what: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch (error) {
    throw new ConfigError(`createFakeWoo: ${what} must be an absolute URL, got ${JSON.stringify(raw)}`, {
      cause: error,
    })
  }
  // The fake serves WordPress at the root of its origin (no subdirectory installs).
  if (url.pathname !== '/' || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigError(
      `createFakeWoo: ${what} must be an http(s) origin without a path, got ${JSON.stringify(raw)}`,
    )
  }
  return url.origin
}

/**
 * Create a stateful fake WooCommerce 10 store (wc/v3 REST, auth, wc-auth, webhooks) that behaves as
 * the recordings in `shared/fixtures/woocommerce` show. Serve it with MSW (`handlers`) or on a real
 * local port (`listen()`); both go through the same `handle()`.
 */
export function createFakeWoo(options: FakeWooOptions = {}): FakeWoo {
  const baseUrl = originOf(options.baseUrl ?? 'https://woo.test', 'baseUrl')
  const aliases = (options.aliases ?? []).map((a) => originOf(a, 'aliases[]'))
  const homeUrl = originOf(options.homeUrl ?? baseUrl, 'homeUrl')
  const random = seededRandom(options.seed ?? 1)
  const now = options.now ?? (() => new Date())
  const state = new WooState(now, random)
  state.nextPostId = options.firstIds?.post ?? 18
  state.nextWebhookId = options.firstIds?.webhook ?? 1
  state.nextKeyId = options.firstIds?.key ?? 1
  state.nextItemId = options.firstIds?.orderItem ?? 1
  const direct = (): typeof fetch => options.fetch ?? globalThis.fetch
  const outbound = options.safeRemoteRequests ? safeRemoteFetch(direct) : direct
  const timeoutMs = options.deliveryTimeoutMs ?? 5000
  const dispatcher = new WebhookDispatcher(state, {
    homeUrl,
    random,
    faults: { ...options.faults },
    mode: options.webhookDelivery ?? 'auto',
    delayMs: options.deliveryDelayMs ?? 25,
    timeoutMs,
    fetch: outbound,
  })
  const wcAuth = new WcAuth(state, {
    homeUrl,
    allowHttpCallback: options.allowHttpCallback ?? false,
    fetch: outbound,
    timeoutMs,
  })
  const route = createRouter({ state, dispatcher, wcAuth, https: options.https })
  const requests: WooRequestLogEntry[] = []
  const failure: InjectedFailure = { count: 0, status: 500 }
  const handle = async (request: Request): Promise<Response> => {
    const url = new URL(request.url)
    const isRest = url.pathname.startsWith('/wp-json/') || url.searchParams.has('rest_route')
    let response: Response
    if (isRest && failure.count > 0) {
      failure.count--
      response = injectedFailureResponse(failure.status)
    } else response = await route(request)
    if (isRest)
      requests.push({
        method: request.method.toUpperCase(),
        path: redactedPath(url),
        status: response.status,
      })
    return response
  }
  const keys = options.keys ?? []
  for (const k of keys) state.addKey(k)
  const defaultKey =
    keys.find((k) => k.permissions === 'read_write') ?? state.addKey({ permissions: 'read_write' })
  const servers: LocalServer[] = []

  const mustProduct = (id: number): ProductRecord => {
    const p = state.getProduct(id)
    if (!p)
      throw new PermanentError('WOO_PRODUCT_NOT_FOUND', `fake WooCommerce: product ${id} does not exist`)
    return p
  }
  const mustOrder = (id: number): OrderRecord => {
    const o = state.orders.get(id)
    if (!o) throw new PermanentError('WOO_ORDER_NOT_FOUND', `fake WooCommerce: order ${id} does not exist`)
    return o
  }

  const fake: FakeWoo = {
    baseUrl,
    handlers: [baseUrl, ...aliases].map((origin) =>
      http.all(`${origin}/*`, ({ request }) => handle(request)),
    ),
    handle,
    credentials: {
      consumerKey: defaultKey.consumerKey,
      consumerSecret: defaultKey.consumerSecret,
      permissions: defaultKey.permissions,
    },
    loginCookie: `${LOGGED_IN_COOKIE}=admin`,
    get deliveries() {
      return dispatcher.log
    },
    state,
    async listen() {
      const server = await serveLocally(handle)
      servers.push(server)
      return server
    },
    addKey(permissions, values = {}) {
      const k = state.addKey({ permissions, ...values })
      return { consumerKey: k.consumerKey, consumerSecret: k.consumerSecret, permissions }
    },
    connectInput(connectOptions = {}) {
      return {
        provider: 'woocommerce',
        externalAccountId: baseUrl,
        credentials: {
          consumerKey: defaultKey.consumerKey,
          consumerSecret: defaultKey.consumerSecret,
          ...(connectOptions.webhookSecret ? { webhookSecret: connectOptions.webhookSecret } : {}),
        },
      }
    },
    seedProducts: (count, seedOptions) => seedCatalog(state, random, count, seedOptions),
    seedProduct(input, seedOpts = {}) {
      if (input.parentId !== undefined) {
        const parent = mustProduct(input.parentId)
        if (parent.type !== 'variable') {
          throw new ConfigError(`seedProduct: parent ${input.parentId} is not a variable product`)
        }
      }
      return state.createProduct(input, { silent: !seedOpts.fireWebhook })
    },
    product: (id) => state.getProduct(id),
    productJson: (id) => renderProduct(state, mustProduct(id), homeUrl),
    stockOf: (id) => state.stockOwner(mustProduct(id)).stockQuantity,
    setStock(id, quantity) {
      if (!Number.isInteger(quantity))
        throw new ConfigError(`setStock: quantity must be an integer, got ${quantity}`)
      const owner = state.stockOwner(mustProduct(id))
      state.updateProduct(owner, { manageStock: true, stockQuantity: quantity })
    },
    updateProduct(id, patch) {
      state.updateProduct(mustProduct(id), patch)
    },
    createOrder(input) {
      for (const line of input.lineItems) {
        const item = mustProduct(line.variationId || line.productId)
        const owner = state.stockOwner(item)
        if (owner.manageStock && owner.backorders === 'no' && (owner.stockQuantity ?? 0) < line.quantity) {
          throw new PermanentError(
            'WOO_OUT_OF_STOCK',
            `fake WooCommerce: ${owner.id} has ${owner.stockQuantity ?? 0} in stock, ${line.quantity} requested`,
          )
        }
      }
      try {
        return state.createOrder({
          status: input.status ?? 'processing',
          setPaid: true,
          lineItems: input.lineItems,
        }).id
      } catch (error) {
        if (error instanceof WooDomainError)
          throw new PermanentError('WOO_INVALID_ORDER', error.message, { cause: error })
        throw error
      }
    },
    setOrderStatus(orderId, status) {
      state.setOrderStatus(mustOrder(orderId), status)
    },
    orderJson: (id) => renderOrder(mustOrder(id), homeUrl),
    addWebhook(input) {
      const id = state.nextWebhookId++
      state.webhooks.set(id, {
        id,
        name: input.name ?? `webhook ${id}`,
        status: 'active',
        topic: input.topic,
        deliveryUrl: input.deliveryUrl,
        secret: input.secret,
        dateCreated: now(),
        dateModified: null,
        failureCount: 0,
        pendingDelivery: false,
      })
      return id
    },
    setWebhookStatus(id, status) {
      const w = state.webhooks.get(id)
      if (!w)
        throw new PermanentError('WOO_WEBHOOK_NOT_FOUND', `fake WooCommerce: webhook ${id} does not exist`)
      w.status = status
      w.dateModified = now()
    },
    webhook: (id) => state.webhooks.get(id),
    flushWebhooks: () => dispatcher.flush(),
    whenIdle: () => dispatcher.idle(),
    setFaults: (faults) => dispatcher.setFaults(faults),
    failNext(count, status = 500) {
      if (!Number.isInteger(count) || count < 0)
        throw new ConfigError(`failNext: count must be >= 0, got ${count}`)
      if (!Number.isInteger(status) || status < 400 || status > 599) {
        throw new ConfigError(`failNext: status must be a 4xx or 5xx code, got ${status}`)
      }
      failure.count = count
      failure.status = status
    },
    get requests() {
      return requests
    },
    reset() {
      dispatcher.dispose()
      dispatcher.log.length = 0
      state.products.clear()
      state.orders.clear()
      state.webhooks.clear()
      requests.length = 0
      failure.count = 0
    },
    async close() {
      dispatcher.dispose()
      await Promise.all(servers.splice(0).map((s) => s.close()))
    },
  }
  return fake
}
