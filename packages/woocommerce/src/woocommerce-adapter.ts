import {
  ConfigError,
  type ExecutionContext,
  type ExecutionResult,
  type Json,
  type OperationHandler,
  PermanentError,
  PROVIDER_SPEC_VERSION,
  type ProviderAdapter,
  type WorkItemSpec,
} from '@hub/core'
import { createWooClient, type WooAuthMode, type WooClient } from './woocommerce-client.js'
import { parseWooCredentials, WOO_SECRET_KEYS } from './woocommerce-credentials.js'
import { WooRequestError } from './woocommerce-errors.js'
import { createWooInventory } from './woocommerce-inventory.js'
import { type NormalizeOptions, normalizeProduct, type WooWeightUnit } from './woocommerce-normalizers.js'
import type { WooProduct } from './woocommerce-schemas.js'
import { normalizeStoreUrl, type StoreUrlPolicy } from './woocommerce-url.js'
import { ensureWebhooks } from './woocommerce-webhook-registration.js'
import {
  createWooWebhooks,
  orderWork,
  productWork,
  WOO_INVENTORY_ORDER,
  WOO_PRODUCT_REFRESH,
} from './woocommerce-webhooks.js'

/** Operation that polls orders changed since the last checkpoint (WooCommerce never retries a delivery). */
export const WOO_ORDERS_POLL = 'woocommerce.orders.poll'
/** Operation that polls products (and variations) changed since the last checkpoint. */
export const WOO_PRODUCTS_POLL = 'woocommerce.products.poll'
/** Operation that registers missing webhooks and re-activates disabled ones. Payload `{deliveryUrl}`. */
export const WOO_WEBHOOKS_ENSURE = 'woocommerce.webhooks.ensure'

/** Options of {@link woocommerce}. */
export interface WooAdapterOptions {
  /**
   * Host-wide URL policy. Leave it strict in production; fakes on `127.0.0.1` over http need
   * `{ allowHttp: true, allowPrivate: true }`. Never read from per-connection (seller) data.
   */
  policy?: StoreUrlPolicy
  /** A fetch for all store requests (e.g. bound to a connection-pinning agent). */
  fetch?: typeof fetch
  /** Per-request timeout, ms (default 30 000). */
  timeoutMs?: number
  /** Products per page when importing (1–100, default 50: variable products add requests). */
  importPageSize?: number
  /** The store's weight unit, when connection settings do not say (`settings.weightUnit`). */
  weightUnit?: WooWeightUnit
}

/**
 * The WooCommerce provider: `createHub({ providers: [woocommerce()] })`.
 *
 * Connection: `externalAccountId` is the normalized store URL, credentials are
 * {@link WooCredentials} (keys from wc-auth plus the webhook secret), settings may carry
 * `auth` (`basic` | `query`, for hosts that strip `Authorization`), `currency` and `weightUnit`.
 *
 * Capabilities: no inventory compare-and-swap (pushes use a stored plan, see
 * {@link createWooInventory}), no webhook retries (hence the `modified_after` polls), no bulk
 * export, order webhooks yes.
 */
export function woocommerce(options: WooAdapterOptions = {}): ProviderAdapter {
  const pageSize = options.importPageSize ?? 50
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    throw new ConfigError('woocommerce importPageSize must be an integer from 1 to 100')
  }

  const clientFor = (ctx: ExecutionContext): WooClient => {
    const auth = ctx.connection.settings.auth
    return createWooClient({
      storeUrl: ctx.connection.externalAccountId,
      keys: parseWooCredentials(ctx.credentials),
      ...(auth === 'basic' || auth === 'query' || auth === 'oauth1' ? { auth: auth as WooAuthMode } : {}),
      ...(options.policy ? { policy: options.policy } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    })
  }

  const normalizeOptions = (ctx: ExecutionContext): NormalizeOptions => {
    const { currency, weightUnit } = ctx.connection.settings
    const unit = ['kg', 'g', 'lbs', 'oz'].includes(String(weightUnit))
      ? (weightUnit as WooWeightUnit)
      : undefined
    return {
      currency: typeof currency === 'string' && currency.length === 3 ? currency : null,
      weightUnit: unit ?? options.weightUnit ?? 'kg',
    }
  }

  async function allVariations(
    client: WooClient,
    product: WooProduct,
    signal: AbortSignal,
  ): Promise<WooProduct[]> {
    if (product.type !== 'variable') return []
    const out: WooProduct[] = []
    for await (const page of client.variations(product.id, { signal })) out.push(...page.items)
    return out
  }

  /**
   * `catalog.import`: page through the products (constant memory), normalize each with its
   * variations and enqueue one `catalog.submit` per product. The next page is checkpointed after
   * each page's items are enqueued, so a retry of the item resumes where it stopped; enqueueing
   * is idempotent per product version, so a page read twice creates nothing twice.
   */
  const importCatalog: OperationHandler = async (ctx) => {
    const client = clientFor(ctx)
    const stream = `catalog.import:${ctx.item.id}`
    const saved = await ctx.checkpoints.get(stream)
    const startPage = saved?.cursor ? Number(saved.cursor) : 1
    let submitted = 0
    const skipped: Json[] = []
    for await (const page of client.products({ perPage: pageSize, startPage, signal: ctx.signal })) {
      const work: WorkItemSpec[] = []
      for (const product of page.items) {
        try {
          const normalized = normalizeProduct(
            product,
            await allVariations(client, product, ctx.signal),
            normalizeOptions(ctx),
          )
          work.push({
            operation: 'catalog.submit',
            idempotencyKey: `catalog.submit:${product.id}:${product.date_modified_gmt ?? '-'}`,
            entityType: 'product',
            externalId: String(product.id),
            payload: JSON.parse(JSON.stringify(normalized)) as Json,
          })
        } catch (error) {
          // Only products that cannot be normalized are skipped; a failing request fails the item.
          if (!(error instanceof PermanentError) || error instanceof WooRequestError) throw error
          skipped.push({ id: product.id, reason: error.code })
        }
      }
      if (work.length > 0) await ctx.enqueue(work)
      submitted += work.length
      await ctx.checkpoints.save(stream, String(page.page + 1), null)
    }
    return { result: { submitted, skipped } }
  }

  /** Re-read a variable product (or a variation's parent) and hand it to the core's `catalog.change`. */
  const refreshProduct: OperationHandler = async (ctx): Promise<ExecutionResult> => {
    const productId = Number((ctx.item.payload as { productId?: unknown } | null)?.productId)
    if (!Number.isSafeInteger(productId) || productId <= 0) {
      throw new ConfigError(`${WOO_PRODUCT_REFRESH} needs a positive productId`)
    }
    const client = clientFor(ctx)
    let product: WooProduct
    try {
      product = await client.getProduct(productId, ctx.signal)
    } catch (error) {
      if (error instanceof WooRequestError && error.status === 404) return { result: { gone: true } }
      throw error
    }
    const normalized = normalizeProduct(
      product,
      await allVariations(client, product, ctx.signal),
      normalizeOptions(ctx),
    )
    await ctx.enqueue([
      {
        operation: 'catalog.change',
        idempotencyKey: `catalog.change:${product.id}:refresh:${ctx.item.id}`,
        entityType: 'product',
        externalId: String(product.id),
        payload: JSON.parse(JSON.stringify(normalized)) as Json,
      },
    ])
    return { result: { variants: normalized.variants.length } }
  }

  /**
   * `inventory.order`: an order changed. Its stock effect already happened in WooCommerce
   * (atomically, by SQL), so the order is turned into a fresh reconcile of every stock owner it
   * touches: the reconcile reads the real quantity and counts the difference to the baseline
   * exactly once, however many times and in whatever order the order's deliveries arrive.
   */
  const orderChanged: OperationHandler = async (ctx) => {
    const payload = ctx.item.payload as {
      orderId?: number
      modifiedGmt?: string | null
      lines?: Array<{ productId?: number; variationId?: number }>
    } | null
    const lines = Array.isArray(payload?.lines) ? payload.lines : []
    const owners = new Set<string>()
    for (const line of lines) {
      for (const id of [line.variationId, line.productId]) {
        if (typeof id !== 'number' || id <= 0) continue
        const mapping = await ctx.mappings.get('inventory_item', String(id))
        if (mapping) {
          owners.add(String(id))
          break
        }
      }
    }
    const stamp = `${payload?.orderId ?? ctx.item.externalId}:${payload?.modifiedGmt ?? '-'}`
    if (owners.size > 0) {
      await ctx.enqueue(
        [...owners].map((owner) => ({
          operation: 'inventory.reconcile',
          idempotencyKey: `inventory.reconcile:${owner}:order:${stamp}`,
          entityType: 'inventory_item',
          externalId: owner,
          payload: { trigger: 'order', order: stamp },
        })),
      )
    }
    return { result: { reconciles: [...owners] } }
  }

  /**
   * Orders changed since the checkpoint: the safety net for lost, coalesced or disabled webhooks.
   * The watermark only moves after a full pass, to the store's clock at the start of the pass
   * minus {@link POLL_OVERLAP_MS}: anything modified while we walked the pages is seen again
   * next time (re-planning is idempotent), and a crash mid-pass simply repeats the pass.
   */
  const pollOrders: OperationHandler = async (ctx) => {
    const client = clientFor(ctx)
    const stream = 'orders.modified'
    const since = (await ctx.checkpoints.get(stream))?.watermark ?? new Date(0)
    let passStart: Date | null = null
    let count = 0
    for await (const page of client.orders({ modifiedAfter: since, status: 'any', signal: ctx.signal })) {
      passStart ??= page.serverDate ?? ctx.clock.now()
      await ctx.enqueue(page.items.flatMap((order) => orderWork(order)))
      count += page.items.length
    }
    await ctx.checkpoints.save(stream, null, nextWatermark(since, passStart ?? ctx.clock.now()))
    return { result: { orders: count } }
  }

  /** Products and variations changed since the checkpoint (a variation change may not touch its parent). */
  const pollProducts: OperationHandler = async (ctx) => {
    const client = clientFor(ctx)
    const stream = 'products.modified'
    const since = (await ctx.checkpoints.get(stream))?.watermark ?? new Date(0)
    const currency = normalizeOptions(ctx).currency ?? null
    let passStart: Date | null = null
    let count = 0
    for await (const page of client.products({ modifiedAfter: since, signal: ctx.signal })) {
      passStart ??= page.serverDate ?? ctx.clock.now()
      const work: WorkItemSpec[] = []
      for (const product of page.items) {
        work.push(...productWork(product, currency))
        if (product.type === 'variable') {
          for await (const vpage of client.variations(product.id, {
            modifiedAfter: since,
            signal: ctx.signal,
          })) {
            for (const variation of vpage.items) work.push(...productWork(variation, currency))
          }
        }
      }
      if (work.length > 0) await ctx.enqueue(work)
      count += page.items.length
    }
    await ctx.checkpoints.save(stream, null, nextWatermark(since, passStart ?? ctx.clock.now()))
    return { result: { products: count } }
  }

  const ensureHooks: OperationHandler = async (ctx) => {
    const deliveryUrl = (ctx.item.payload as { deliveryUrl?: unknown } | null)?.deliveryUrl
    if (typeof deliveryUrl !== 'string') throw new ConfigError(`${WOO_WEBHOOKS_ENSURE} needs a deliveryUrl`)
    const secret = parseWooCredentials(ctx.credentials).webhookSecret
    if (!secret) throw new ConfigError('the connection has no webhookSecret to register webhooks with')
    const result = await ensureWebhooks(clientFor(ctx), { deliveryUrl, secret })
    return {
      result: {
        created: result.created.map((h) => h.id),
        reactivated: result.reactivated.map((h) => h.id),
        unchanged: result.unchanged.map((h) => h.id),
      },
    }
  }

  return {
    specificationVersion: PROVIDER_SPEC_VERSION,
    provider: 'woocommerce',
    capabilities: {
      inventoryCompareAndSwap: false,
      webhookRetries: false,
      bulkImport: false,
      orderWebhooks: true,
    },
    webhooks: createWooWebhooks(),
    inventory: createWooInventory(clientFor),
    operations: {
      'catalog.import': importCatalog,
      [WOO_PRODUCT_REFRESH]: refreshProduct,
      [WOO_INVENTORY_ORDER]: orderChanged,
      [WOO_ORDERS_POLL]: pollOrders,
      [WOO_PRODUCTS_POLL]: pollProducts,
      [WOO_WEBHOOKS_ENSURE]: ensureHooks,
    },
    /**
     * The store URL as `webhooks.identify` returns it (`X-WC-Webhook-Source` is `home_url('/')`):
     * lower-case scheme and host, no default port, trailing slash. No URL policy here: the
     * client applies it to every request.
     */
    normalizeAccountId(externalAccountId) {
      try {
        return normalizeStoreUrl(externalAccountId)
      } catch (cause) {
        throw new ConfigError(`"${externalAccountId}" is not a WooCommerce store URL`, { cause })
      }
    },
    secretKeys: WOO_SECRET_KEYS,
  }
}

/** Overlap of consecutive polls, covering clock granularity (WooCommerce dates have seconds). */
export const POLL_OVERLAP_MS = 2_000

function nextWatermark(previous: Date, passStart: Date): Date {
  const next = new Date(passStart.getTime() - POLL_OVERLAP_MS)
  return next > previous ? next : previous
}
