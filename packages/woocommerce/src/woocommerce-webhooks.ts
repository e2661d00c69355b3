import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import {
  type Json,
  type NormalizedProduct,
  type ParsedWebhook,
  PermanentError,
  type ProviderWebhooks,
  type RawWebhookRequest,
  type WebhookConnection,
  WebhookError,
  type WorkItemSpec,
} from '@hub/core'
import { webhookSecretFor } from './woocommerce-credentials.js'
import { parseWooGmt } from './woocommerce-dates.js'
import { normalizeProduct, stockOwnerId } from './woocommerce-normalizers.js'
import {
  type WooOrder,
  type WooProduct,
  wooDeletedSchema,
  wooOrderSchema,
  wooProductSchema,
} from './woocommerce-schemas.js'
import { normalizeStoreUrl } from './woocommerce-url.js'

/** Operation that re-reads a variable product (and its variations) before a `catalog.change`. */
export const WOO_PRODUCT_REFRESH = 'woocommerce.product.refresh'
/** Operation that counts the stock effect of an order exactly once (a ledger keyed by order line). */
export const WOO_INVENTORY_ORDER = 'inventory.order'
/** Query parameter of the delivery URL that names the store, for unsigned pings without headers. */
export const SOURCE_PARAM = 'source'

const PING_BODY = /^webhook_id=(\d+)$/
const VOLATILE_KEYS = new Set(['related_ids', '_links'])

/** Options of {@link createWooWebhooks}. */
export interface WooWebhooksOptions {
  /** HMAC algorithm (WooCommerce's `woocommerce_webhook_hash_algorithm` filter); default `sha256`. */
  algorithm?: 'sha256' | 'sha1' | 'sha512'
}

function header(request: RawWebhookRequest, name: string): string | null {
  const value = request.headers[name] ?? request.headers[name.toLowerCase()]
  return value === undefined || value === '' ? null : value
}

/**
 * A WooCommerce ping: sent when a webhook is created or re-activated, as the form body
 * `webhook_id=N` with no `X-WC-Webhook-*` headers and no signature. Answer 200, store nothing.
 */
export function isPing(request: RawWebhookRequest): boolean {
  if (header(request, 'x-wc-webhook-topic') !== null || header(request, 'x-wc-webhook-signature') !== null) {
    return false
  }
  return request.rawBody.byteLength < 64 && PING_BODY.test(new TextDecoder().decode(request.rawBody).trim())
}

/**
 * The stable event id of a delivery.
 *
 * WooCommerce's `X-WC-Webhook-Delivery-ID` is `wp_hash(webhook_id . time())`: every delivery of
 * one webhook within the same second shares it (recorded: the two `product.updated` deliveries
 * of one order, for products 18 and 25, carry the same id), so it would drop real events. A hash
 * of the raw body fails the other way: WooCommerce renders `related_ids` in a random order
 * (recorded: two deliveries of the same state differ only there), and the engine re-plans stuck
 * events from the stored, re-serialized payload. So the id is derived from what the event IS:
 * the store (`X-WC-Webhook-Source`), the webhook id, the topic, the resource id and its
 * `date_modified_gmt` (the dedupe key the fact sheet recommends), plus a hash of the payload in
 * canonical form without volatile fields. The same state delivered twice dedupes; two different
 * states within one second (same `date_modified_gmt`) do not collide. Deletions carry only
 * `{id}`, so the delivery id (a per-second bucket) stands in for the missing date.
 */
export function wooEventId(input: {
  source: string
  webhookId: string | null
  topic: string
  resourceId: number | null
  modifiedGmt: string | null
  deliveryId: string | null
  payload: unknown
}): string {
  const store = createHash('sha256').update(input.source).digest('hex').slice(0, 12)
  const content = createHash('sha256').update(canonical(input.payload)).digest('hex').slice(0, 16)
  const stamp = input.modifiedGmt ?? input.deliveryId ?? '-'
  return `wc:${store}:${input.webhookId ?? '-'}:${input.topic}:${input.resourceId ?? '-'}:${stamp}:${content}`
}

/** JSON with sorted keys and without fields WooCommerce renders differently each time. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => {
    if (VOLATILE_KEYS.has(key)) return undefined
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {}
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k]
      return sorted
    }
    return v
  })
}

/** Work for a product (or variation) delivery: catalog change plus a reconcile of whoever holds its stock. */
export function productWork(product: WooProduct, currency: string | null = null): WorkItemSpec[] {
  const work: WorkItemSpec[] = []
  const stamp = product.date_modified_gmt ?? '-'
  const owner = stockOwnerId(product)
  if (owner !== null) {
    work.push({
      operation: 'inventory.reconcile',
      idempotencyKey: `inventory.reconcile:${owner}:${stamp}:${product.stock_quantity ?? 'null'}`,
      entityType: 'inventory_item',
      externalId: owner,
      payload: { trigger: 'webhook', productId: product.id, stockQuantity: product.stock_quantity },
    })
  }
  if (product.type === 'variation' || product.type === 'variable') {
    // One delivery holds one variation or a parent without its variations: re-read the whole product.
    const productId = product.type === 'variation' ? product.parent_id : product.id
    if (productId > 0) {
      work.push({
        operation: WOO_PRODUCT_REFRESH,
        idempotencyKey: `${WOO_PRODUCT_REFRESH}:${productId}:${product.id}:${stamp}`,
        entityType: 'product',
        externalId: String(productId),
        payload: { productId },
      })
    }
  } else {
    const normalized = tryNormalize(product, currency)
    if (normalized === null) return work
    work.push({
      operation: 'catalog.change',
      idempotencyKey: `catalog.change:${product.id}:${stamp}:${createHash('sha256').update(canonical(normalized)).digest('hex').slice(0, 16)}`,
      entityType: 'product',
      externalId: String(product.id),
      payload: JSON.parse(JSON.stringify(normalized)) as Json,
    })
  }
  return work
}

/**
 * Work for an order delivery: one `inventory.order` item keyed by order id and modification
 * time. `order.created` and `order.updated` of the same change (recorded: both arrive, with the
 * same `date_modified_gmt`) share the key, so the order is counted once; the handler keeps a
 * per-line ledger so a later change (cancel, refund) counts only its difference.
 */
export function orderWork(order: WooOrder): WorkItemSpec[] {
  const stamp = order.date_modified_gmt ?? order.date_created_gmt ?? '-'
  return [
    {
      operation: WOO_INVENTORY_ORDER,
      idempotencyKey: `${WOO_INVENTORY_ORDER}:${order.id}:${stamp}`,
      entityType: 'order',
      externalId: String(order.id),
      payload: {
        orderId: order.id,
        status: order.status,
        modifiedGmt: order.date_modified_gmt,
        lines: order.line_items.map((l) => ({
          lineId: l.id,
          productId: l.product_id,
          variationId: l.variation_id,
          quantity: l.quantity,
        })),
        refunds: order.refunds.map((r) => r.id),
      },
    },
  ]
}

function tryNormalize(product: WooProduct, currency: string | null): NormalizedProduct | null {
  try {
    return normalizeProduct(product, [], { currency })
  } catch (error) {
    if (error instanceof PermanentError) return null // grouped products: nothing to import
    throw error
  }
}

function parseJsonBody(request: RawWebhookRequest): unknown {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(request.rawBody)
  } catch (cause) {
    throw new WebhookError(400, 'WEBHOOK_MALFORMED', 'webhook body is not UTF-8', { cause })
  }
  if (text.trim() === '') throw new WebhookError(400, 'WEBHOOK_MALFORMED', 'webhook body is empty')
  try {
    return JSON.parse(text)
  } catch (cause) {
    throw new WebhookError(400, 'WEBHOOK_MALFORMED', 'webhook body is not JSON', { cause })
  }
}

/**
 * WooCommerce webhooks as core's {@link ProviderWebhooks}: identify by `X-WC-Webhook-Source`
 * (or the delivery URL's `source` parameter, for pings), verify `base64(HMAC-SHA256(raw body))`
 * with the connection's webhook secret in constant time, and parse `product.*` / `order.*`.
 */
export function createWooWebhooks(options: WooWebhooksOptions = {}): ProviderWebhooks {
  const algorithm = options.algorithm ?? 'sha256'
  return {
    identify(request) {
      const source = header(request, 'x-wc-webhook-source') ?? sourceFromUrl(request.url)
      if (source === null) {
        throw new WebhookError(
          400,
          'WEBHOOK_SOURCE_MISSING',
          'no X-WC-Webhook-Source header or source parameter',
        )
      }
      try {
        return normalizeStoreUrl(source)
      } catch (cause) {
        throw new WebhookError(400, 'WEBHOOK_SOURCE_INVALID', 'X-WC-Webhook-Source is not a store URL', {
          cause,
        })
      }
    },

    async verify(request, target) {
      if (isPing(request)) return
      const signature = header(request, 'x-wc-webhook-signature')
      if (signature === null) {
        throw new WebhookError(401, 'WEBHOOK_SIGNATURE_MISSING', 'X-WC-Webhook-Signature is missing')
      }
      const secret = target ? webhookSecretFor(target.credentials, header(request, 'x-wc-webhook-id')) : null
      if (secret === null) {
        throw new WebhookError(
          401,
          'WEBHOOK_SECRET_UNKNOWN',
          'no webhook secret is stored for this connection',
        )
      }
      // WooCommerce signs with wp_specialchars_decode(secret): accept the decoded form too.
      const candidates = new Set([secret, specialcharsDecode(secret)])
      const given = Buffer.from(signature.trim(), 'base64')
      for (const candidate of candidates) {
        const expected = createHmac(algorithm, candidate).update(request.rawBody).digest()
        if (given.length === expected.length && timingSafeEqual(given, expected)) return
      }
      throw new WebhookError(
        401,
        'WEBHOOK_SIGNATURE_INVALID',
        'X-WC-Webhook-Signature does not match the body',
      )
    },

    parse(request, target) {
      if (isPing(request)) return { kind: 'ping', topic: 'ping' }
      const topic = header(request, 'x-wc-webhook-topic')
      if (topic === null)
        throw new WebhookError(400, 'WEBHOOK_TOPIC_MISSING', 'X-WC-Webhook-Topic is missing')
      const body = parseJsonBody(request)
      if (!body || typeof body !== 'object' || Array.isArray(body)) {
        throw new WebhookError(400, 'WEBHOOK_MALFORMED', 'webhook body is not a JSON object')
      }
      const [resource, event] = topic.split('.')
      let work: WorkItemSpec[] = []
      let resourceId: number | null = null
      let modifiedGmt: string | null = null
      if ((resource === 'product' || resource === 'order') && event === 'deleted') {
        // Deletions carry only {id}; permanent deletes send nothing at all, so the polling
        // reconcile, not this event, is what notices products and orders that are gone.
        resourceId = parseOr400(() => wooDeletedSchema.parse(body).id)
      } else if (resource === 'product') {
        const product = parseOr400(() => wooProductSchema.parse(body))
        resourceId = product.id
        modifiedGmt = product.date_modified_gmt
        work = productWork(product, currencyOf(target))
      } else if (resource === 'order') {
        const order = parseOr400(() => wooOrderSchema.parse(body))
        resourceId = order.id
        modifiedGmt = order.date_modified_gmt
        work = orderWork(order)
      } else {
        const id = (body as { id?: unknown }).id
        resourceId = typeof id === 'number' ? id : null
      }
      const source = header(request, 'x-wc-webhook-source') ?? target.connection.externalAccountId
      const parsed: ParsedWebhook = {
        kind: 'event',
        providerEventId: wooEventId({
          source: normalizeOrRaw(source),
          webhookId: header(request, 'x-wc-webhook-id'),
          topic,
          resourceId,
          modifiedGmt,
          deliveryId: header(request, 'x-wc-webhook-delivery-id'),
          payload: body,
        }),
        topic,
        occurredAt: parseWooGmt(modifiedGmt),
        payload: body as Json,
        work,
      }
      return parsed
    },
  }
}

function parseOr400<T>(fn: () => T): T {
  try {
    return fn()
  } catch (cause) {
    throw new WebhookError(400, 'WEBHOOK_MALFORMED', 'webhook payload does not have the expected shape', {
      cause,
    })
  }
}

function currencyOf(target: WebhookConnection): string | null {
  const currency = target.connection.settings.currency
  return typeof currency === 'string' && currency.length === 3 ? currency : null
}

function sourceFromUrl(url: string): string | null {
  try {
    return new URL(url, 'http://placeholder.invalid').searchParams.get(SOURCE_PARAM) || null
  } catch {
    return null
  }
}

function normalizeOrRaw(source: string): string {
  try {
    return normalizeStoreUrl(source)
  } catch {
    return source
  }
}

/** PHP's `wp_specialchars_decode` with ENT_QUOTES: the five entities WordPress may have stored. */
function specialcharsDecode(value: string): string {
  return value
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#0*39;|&#x0*27;/gi, "'")
    .replace(/&amp;/g, '&')
}
