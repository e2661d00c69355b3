import type { ConnectInput } from '@hub/core'
import { GraphQLError, isObjectType as isObjectTypeOf } from 'graphql'
import { type HttpHandler, http } from 'msw'
import { type BulkOperationRecord, BulkOperations, type BulkTiming } from './bulk.js'
import { executeBulkDocument } from './bulk-executor.js'
import { type FakeClock, systemClock } from './clock.js'
import type { ResolverContext, ShopInfo } from './context.js'
import { LeakyBucket } from './cost.js'
import { answerGraphQL, type GraphQLRequestContext } from './graphql-endpoint.js'
import { json } from './http-json.js'
import { type LocalServer, serveLocally } from './http-server.js'
import { IdempotencyStore } from './idempotency.js'
import { parseGid } from './ids.js'
import { losslessStringify } from './json-text.js'
import { OAuthServer, type TokenResponse } from './oauth.js'
import { accessTokenResponse, authorizeResponse, type OAuthRouteDeps } from './oauth-routes.js'
import { seededRng } from './rng.js'
import { queryRoot } from './root-resolvers.js'
import {
  isVendoredVersion,
  loadAdminSchema,
  VENDORED_ADMIN_VERSIONS,
  type VendoredAdminVersion,
} from './schema-loader.js'
import {
  type LevelRecord,
  type NewProduct,
  type OrderRecord,
  type ProductRecord,
  type ShopEvent,
  ShopState,
} from './state.js'
import {
  type DeliveryOutcome,
  type WebhookChaos,
  WebhookDispatcher,
  type WebhookTransport,
} from './webhook-delivery.js'
import {
  bulkFinishPayload,
  inventoryLevelPayload,
  orderPayload,
  productDeletePayload,
  productPayload,
  shopPayload,
} from './webhook-payloads.js'
import { WebhookSubscriptions } from './webhook-subscriptions.js'

/** Options of {@link createFakeShopify}. */
export interface FakeShopifyOptions {
  /** `{handle}.myshopify.com`. */
  shop: string
  /** The app's pinned version: webhook `X-Shopify-API-Version` and the bulk executor. Default `2026-10`. */
  apiVersion?: VendoredAdminVersion
  /** The app's client id. */
  apiKey: string
  /** The app's client secret: signs webhooks and OAuth redirects, checks token requests. */
  apiSecret: string
  /** Scopes granted on install. Default `read_products,write_products,read_inventory,write_inventory,read_locations,read_orders`. */
  scopes?: string
  /** Allowed OAuth redirect URIs; any when omitted. */
  redirectUris?: string[]
  /** Clock for the leaky bucket, tokens, bulk timing and timestamps. Default: wall clock. */
  clock?: FakeClock
  /** Seed of the RNG behind tokens, webhook ids and webhook chaos. Default 1. */
  seed?: number
  /** First numeric id handed out. Default 2^53 + 1000, so every id tests big-id handling. */
  idStart?: bigint
  /** Bucket size (default 2000, Standard plan) and restore rate (default 100 points/s). */
  rateLimit?: { maximumAvailable?: number; restoreRate?: number }
  /** HTTP status of THROTTLED answers: 200 (default, as observed) or 429. */
  throttledStatus?: 200 | 429
  /** Bulk operation timing. */
  bulk?: BulkTiming
  /** App-config (TOML) webhook subscriptions, e.g. `{ topic: 'products/update', uri }`. */
  webhooks?: { topic: string; uri: string }[]
  /** Sends webhook deliveries. Default: global `fetch`. */
  webhookTransport?: WebhookTransport
  /**
   * `manual` (default): deliveries wait for {@link FakeShopify.flushWebhooks}. `auto`: due
   * deliveries are sent on the next macrotask after each event (handy for demos); delayed or
   * retried ones still wait for a flush.
   */
  webhookDelivery?: 'manual' | 'auto'
}

/** Fault injection for the GraphQL endpoint. */
export interface FakeFaults {
  /** The next `count` GraphQL requests answer `status` without running. */
  failNext(count: number, status?: number): void
  /** The next `count` GraphQL requests run, but the answer is lost (HTTP 504): a simulated timeout. */
  loseNextResponses(count: number): void
}

const DEFAULT_SCOPES =
  'read_products,write_products,read_inventory,write_inventory,read_locations,read_orders'
const UNAUTHORIZED = '[API] Invalid API key or access token (unrecognized login or wrong password)'

/**
 * A stateful fake Shopify shop: GraphQL Admin API validated against the real schema, cost-based
 * throttling, inventory CAS + idempotency, bulk operations, OAuth with expiring tokens and signed
 * webhooks. One `fetch(Request) → Response` core, served as MSW handlers or on 127.0.0.1.
 */
export class FakeShopify {
  readonly shop: ShopInfo
  readonly apiVersion: VendoredAdminVersion
  readonly state: ShopState
  readonly bucket: LeakyBucket
  readonly bulk: BulkOperations
  readonly subscriptions: WebhookSubscriptions
  readonly idempotency = new IdempotencyStore()
  readonly oauth: OAuthServer
  readonly webhooks: WebhookDispatcher
  readonly clock: FakeClock
  /** Every GraphQL request's HTTP status and cost, in order (for pacing assertions). */
  readonly requestLog: { status: number; requestedQueryCost?: number; throttled: boolean }[] = []
  readonly #options: FakeShopifyOptions
  #throttledStatus: 200 | 429
  #failNext: { count: number; status: number } = { count: 0, status: 503 }
  #loseNext = 0
  #server: LocalServer | undefined
  #flushScheduled = false

  constructor(options: FakeShopifyOptions) {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$/.test(options.shop)) {
      throw new Error(`fake Shopify: shop must look like {handle}.myshopify.com, got "${options.shop}"`)
    }
    this.#options = options
    this.clock = options.clock ?? systemClock
    this.apiVersion = options.apiVersion ?? '2026-10'
    const rng = seededRng(options.seed ?? 1)
    this.state = new ShopState(this.clock, options.idStart ?? 2n ** 53n + 1000n)
    const handle = options.shop.replace(/\.myshopify\.com$/, '')
    this.shop = {
      id: this.state.ids.next(),
      domain: options.shop,
      name: handle,
      email: `owner@${handle}.example`,
    }
    this.bucket = new LeakyBucket(
      this.clock,
      options.rateLimit?.maximumAvailable ?? 2000,
      options.rateLimit?.restoreRate ?? 100,
    )
    this.#throttledStatus = options.throttledStatus ?? 200
    this.bulk = new BulkOperations(this.clock, () => this.state.ids.next(), options.bulk)
    this.subscriptions = new WebhookSubscriptions(this.clock, () => this.state.ids.next())
    this.oauth = new OAuthServer(this.clock, rng)
    this.webhooks = new WebhookDispatcher({
      clock: this.clock,
      rng,
      secret: options.apiSecret,
      shopDomain: options.shop,
      apiVersion: this.apiVersion,
      transport: options.webhookTransport,
    })
    for (const sub of options.webhooks ?? []) this.subscriptions.configure(sub.topic, sub.uri)
    this.state.onEvent((event) => this.#dispatch(event))
    this.bulk.setExecutor((document, mode) => {
      const ctx = this.#requestContext(this.apiVersion, `https://${this.shop.domain}`)
      const isObjectType = (name: string) => isObjectTypeOf(ctx.schema.getType(name))
      try {
        return {
          data: executeBulkDocument(document, queryRoot, { ...ctx.resolverContext, mode }, isObjectType),
        }
      } catch (error) {
        return { errors: [new GraphQLError((error as Error).message)] }
      }
    })
    this.bulk.onFinish((op) => this.#enqueue('bulk_operations/finish', bulkFinishPayload(op)))
  }

  // ---- webhooks ---------------------------------------------------------------------------

  #enqueue(topic: string, payload: Parameters<typeof losslessStringify>[0]): void {
    const targets = this.subscriptions.forTopic(topic)
    if (targets.length === 0) return
    this.webhooks.enqueue(topic, losslessStringify(payload), targets, this.clock.now())
    if (this.#options.webhookDelivery === 'auto' && !this.#flushScheduled) {
      this.#flushScheduled = true
      setTimeout(() => {
        this.#flushScheduled = false
        void this.flushWebhooks()
      }, 0)
    }
  }

  #dispatch(event: ShopEvent): void {
    switch (event.kind) {
      case 'product':
        if (event.action === 'delete') this.#enqueue('products/delete', productDeletePayload(event.productId))
        else this.#enqueue(`products/${event.action}`, productPayload(event.product, this.state))
        return
      case 'inventoryLevel':
        this.#enqueue('inventory_levels/update', inventoryLevelPayload(event.level))
        return
      case 'order':
        this.#enqueue('orders/create', orderPayload(event.order, this.shop, '1354745'))
        return
      case 'uninstalled':
        this.#enqueue('app/uninstalled', shopPayload(this.shop, this.state.defaultLocationId))
        return
    }
  }

  /** Sends every webhook delivery that is due now (after delays), applying the chaos switches. */
  flushWebhooks(): Promise<DeliveryOutcome[]> {
    return this.webhooks.flush()
  }

  /** Sets the duplicate / drop / delay / reorder switches (seeded). */
  setWebhookChaos(chaos: WebhookChaos): void {
    this.webhooks.chaos = chaos
  }

  // ---- admin helpers ----------------------------------------------------------------------

  /**
   * Creates `count` products with `variantsPerProduct` variants each (option "Size"), one image,
   * `available` stock at the default location. Silent by default: no products/create webhooks.
   */
  seedProducts(
    count: number,
    variantsPerProduct = 1,
    options: { available?: number; emitWebhooks?: boolean } = {},
  ): ProductRecord[] {
    const sizes = Array.from({ length: variantsPerProduct }, (_, i) => `Size ${i + 1}`)
    const out: ProductRecord[] = []
    for (let i = 0; i < count; i += 1) {
      out.push(
        this.state.createProduct(
          {
            title: `Product ${i + 1}`,
            handle: `product-${i + 1}`,
            descriptionHtml: `<p>Description of product ${i + 1}</p>`,
            productType: 'Shirts',
            tags: ['seeded', `batch-${Math.floor(i / 100)}`],
            options: { Size: sizes },
            images: [
              {
                url: `https://cdn.shopify.com/s/files/fake/product-${i + 1}.jpg`,
                altText: `Product ${i + 1}`,
              },
            ],
            available: options.available ?? 10,
          },
          { silent: !options.emitWebhooks },
        ),
      )
    }
    return out
  }

  /** Creates one product (raises products/create). */
  createProduct(input: NewProduct): ProductRecord {
    return this.state.createProduct(input)
  }

  /** Updates a product by numeric id or GID (raises products/update). */
  updateProduct(id: string, patch: Parameters<ShopState['updateProduct']>[1]): ProductRecord {
    return this.state.updateProduct(parseGid(id, 'Product') ?? id, patch)
  }

  /** Deletes a product by numeric id or GID (raises products/delete). */
  deleteProduct(id: string): void {
    this.state.deleteProduct(parseGid(id, 'Product') ?? id)
  }

  #level(inventoryItemId: string, locationId?: string): LevelRecord {
    const itemId = parseGid(inventoryItemId, 'InventoryItem') ?? inventoryItemId
    const location = locationId
      ? (parseGid(locationId, 'Location') ?? locationId)
      : this.state.defaultLocationId
    const level = this.state.level(itemId, location)
    if (!level) throw new Error(`fake Shopify: item ${itemId} is not stocked at location ${location}`)
    return level
  }

  /** Sets `available` as a merchant edit would (raises inventory_levels/update). */
  setAvailable(inventoryItemId: string, quantity: number, locationId?: string): void {
    const level = this.#level(inventoryItemId, locationId)
    this.state.adjust(level, 'available', quantity - level.quantities.available)
  }

  /** Current `available` of an item at a location (default location when omitted). */
  getAvailable(inventoryItemId: string, locationId?: string): number {
    return this.#level(inventoryItemId, locationId).quantities.available
  }

  /** All quantities of an item at a location. */
  getQuantities(inventoryItemId: string, locationId?: string): Readonly<LevelRecord['quantities']> {
    return { ...this.#level(inventoryItemId, locationId).quantities }
  }

  /** Places an order (variant ids numeric or GID): available → committed, raises orders/create and inventory_levels/update. */
  placeOrder(lines: { variantId: string; quantity: number }[], locationId?: string): OrderRecord {
    return this.state.placeOrder(
      lines.map((line) => ({
        variantId: parseGid(line.variantId, 'ProductVariant') ?? line.variantId,
        quantity: line.quantity,
      })),
      locationId ? (parseGid(locationId, 'Location') ?? locationId) : undefined,
    )
  }

  /** Ships an order: committed and on_hand go down by each line's quantity. */
  fulfillOrder(orderId: string): void {
    this.state.fulfillOrder(parseGid(orderId, 'Order') ?? orderId)
  }

  /** Adds a location; returns its numeric id. */
  addLocation(name: string): string {
    return this.state.addLocation(name).id
  }

  /** Issues an access token without the OAuth dance (expiring pair by default). */
  issueAccessToken(options: { expiring?: boolean; scope?: string } = {}): TokenResponse {
    return this.oauth.issueToken(
      options.scope ?? this.#options.scopes ?? DEFAULT_SCOPES,
      options.expiring ?? true,
    )
  }

  /**
   * What `hub.connections.create` needs, besides the seller, to connect to this shop without the
   * OAuth dance: a fresh non-expiring token, and the shop's default location.
   *
   * @example
   * await hub.connections.create({ sellerId, ...fake.connectInput() })
   */
  connectInput(): Omit<ConnectInput, 'sellerId'> {
    const token = this.issueAccessToken({ expiring: false })
    return {
      provider: 'shopify',
      externalAccountId: this.shop.domain,
      credentials: { accessToken: token.access_token, scope: token.scope },
      settings: { locationId: this.state.defaultLocationId },
    }
  }

  /** Uninstalls the app: tokens revoked at once, app/uninstalled delivered, API subscriptions removed. */
  uninstall(): void {
    this.oauth.revokeAll()
    this.state.emitUninstalled()
    this.subscriptions.clearApiSubscriptions()
  }

  /** Switches THROTTLED answers between HTTP 200 and 429. */
  setThrottledStatus(status: 200 | 429): void {
    this.#throttledStatus = status
  }

  /** Fault injection on the GraphQL endpoint. */
  readonly faults: FakeFaults = {
    failNext: (count, status = 503) => {
      this.#failNext = { count, status }
    },
    loseNextResponses: (count) => {
      this.#loseNext = count
    },
  }

  // ---- HTTP -------------------------------------------------------------------------------

  #requestContext(version: VendoredAdminVersion, origin: string): GraphQLRequestContext {
    const resolverContext: Omit<ResolverContext, 'mode'> = {
      state: this.state,
      shop: this.shop,
      apiVersion: version,
      origin,
      variables: {},
      bulk: this.bulk,
      subscriptions: this.subscriptions,
      idempotency: this.idempotency,
    }
    return {
      schema: loadAdminSchema(version),
      bucket: this.bucket,
      throttledStatus: this.#throttledStatus,
      resolverContext,
    }
  }

  /** The Request → Response core every transport uses. */
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url)
    const graphqlMatch = /^\/admin\/api\/([^/]+)\/graphql\.json$/.exec(url.pathname)
    if (graphqlMatch && request.method === 'POST')
      return this.#graphql(request, graphqlMatch[1] as string, url.origin)
    if (url.pathname === '/admin/oauth/authorize' && request.method === 'GET')
      return authorizeResponse(url, this.#oauthRoute())
    if (url.pathname === '/admin/oauth/access_token' && request.method === 'POST')
      return accessTokenResponse(request, this.#oauthRoute())
    const bulkMatch = /^\/__fake\/bulk\/(\d+)\.jsonl$/.exec(url.pathname)
    if (bulkMatch && request.method === 'GET') {
      const op = this.bulk.byId(bulkMatch[1] as string)
      if (op?.status !== 'COMPLETED') return new Response('Not Found', { status: 404 })
      return new Response(this.bulk.stream(op as BulkOperationRecord), {
        status: 200,
        headers: { 'content-type': 'application/jsonl' },
      })
    }
    return json(404, { errors: 'Not Found' })
  }

  /**
   * Version handling as Shopify documents it: a served version is used as is; any other
   * well-formed `YYYY-MM` falls forward to the oldest served version; anything else is 404.
   */
  #resolveVersion(requested: string): VendoredAdminVersion | undefined {
    if (isVendoredVersion(requested)) return requested
    if (/^\d{4}-\d{2}$/.test(requested)) return VENDORED_ADMIN_VERSIONS[0]
    return undefined
  }

  async #graphql(request: Request, requestedVersion: string, origin: string): Promise<Response> {
    const version = this.#resolveVersion(requestedVersion)
    if (!version) return json(404, { errors: 'Not Found' })
    const versionHeader = { 'x-shopify-api-version': version }
    if (!this.oauth.authenticate(request.headers.get('x-shopify-access-token'))) {
      return json(401, { errors: UNAUTHORIZED }, versionHeader)
    }
    if (this.#failNext.count > 0) {
      this.#failNext.count -= 1
      this.requestLog.push({ status: this.#failNext.status, throttled: false })
      return json(this.#failNext.status, { errors: 'Service Unavailable' }, versionHeader)
    }
    let payload: Record<string, unknown>
    try {
      const parsed = JSON.parse(await request.text()) as unknown
      payload = parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {}
    } catch {
      return json(400, { errors: { query: 'Required parameter missing or invalid' } }, versionHeader)
    }
    const ctx = this.#requestContext(version, origin)
    const variables = payload.variables
    ctx.resolverContext.variables =
      variables && typeof variables === 'object' ? (variables as Record<string, unknown>) : {}
    const answer = answerGraphQL(ctx, payload)
    const body = answer.body as { errors?: unknown; extensions?: { cost?: { requestedQueryCost?: number } } }
    const throttled =
      Array.isArray(body.errors) &&
      body.errors.some((e) => (e as { extensions?: { code?: string } }).extensions?.code === 'THROTTLED')
    this.requestLog.push({
      status: answer.status,
      requestedQueryCost: body.extensions?.cost?.requestedQueryCost,
      throttled,
    })
    if (this.#loseNext > 0) {
      this.#loseNext -= 1
      return json(504, { errors: 'Gateway Timeout' }, versionHeader)
    }
    return json(answer.status, answer.body, { ...versionHeader, ...(answer.headers ?? {}) })
  }

  #oauthRoute(): OAuthRouteDeps {
    return {
      apiKey: this.#options.apiKey,
      apiSecret: this.#options.apiSecret,
      redirectUris: this.#options.redirectUris,
      defaultScopes: this.#options.scopes ?? DEFAULT_SCOPES,
      shopDomain: this.shop.domain,
      clock: this.clock,
      oauth: this.oauth,
    }
  }

  /** MSW handlers answering for `https://{shop}/*` through {@link fetch}. */
  handlers(): HttpHandler[] {
    return [http.all(`https://${this.shop.domain}/*`, ({ request }) => this.fetch(request))]
  }

  /** Starts a real HTTP server on 127.0.0.1 (random port) over the same core. */
  async listen(): Promise<LocalServer> {
    if (!this.#server) this.#server = await serveLocally((request) => this.fetch(request))
    return this.#server
  }

  /** Stops the local server if one runs. */
  async close(): Promise<void> {
    await this.#server?.close()
    this.#server = undefined
  }
}

/** Creates a {@link FakeShopify}. */
export function createFakeShopify(options: FakeShopifyOptions): FakeShopify {
  return new FakeShopify(options)
}
