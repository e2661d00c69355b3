import { createHmac, timingSafeEqual } from 'node:crypto'
import {
  ConfigError,
  type Json,
  type ParsedWebhook,
  type ProviderWebhooks,
  type RawWebhookRequest,
  type WebhookConnection,
  WebhookError,
  type WorkItemSpec,
} from '@hub/core'
import type { z } from 'zod'
import { inventoryItemIdFromLevelGid } from './shopify-ids.js'
import { JsonSyntaxError, parseJsonLossless } from './shopify-json.js'
import { normalizeShopDomain } from './shopify-shop-domain.js'
import {
  compliancePayloadSchema,
  inventoryLevelDisconnectPayloadSchema,
  inventoryLevelPayloadSchema,
  objectPayloadSchema,
  orderPayloadSchema,
  productDeletePayloadSchema,
  productPayloadSchema,
  shopPayloadSchema,
} from './shopify-webhook-payloads.js'

/** Operation names the Shopify webhooks enqueue. */
export const SHOPIFY_OPERATIONS = {
  /** Core operation: fresh read, apply the external delta, push the marketplace quantity. */
  inventoryReconcile: 'inventory.reconcile',
  /**
   * Adapter operation: re-read the product over GraphQL and hand it to the core's
   * `catalog.change`. Webhook product payloads are not normalized directly: they may be stale,
   * lack `inventory_item_id` (Shopify's own sample does) and the shop currency.
   */
  catalogRefresh: 'catalog.refresh',
  /** Adapter operation: mark the connection revoked (the token is already dead on arrival). */
  connectionRevoke: 'connection.revoke',
  /** Adapter operation: import the catalog (pages or a bulk operation). */
  catalogImport: 'catalog.import',
  /** Adapter operation: subscribe the shop's webhooks (payload `{ uri, topics? }`). */
  webhooksRegister: 'webhooks.register',
} as const

/** The mandatory privacy-law topics: a bad signature must be answered with 401 (app review checks it). */
export const COMPLIANCE_TOPICS: readonly string[] = [
  'customers/data_request',
  'customers/redact',
  'shop/redact',
]

/** Options of {@link createShopifyWebhooks}. */
export interface ShopifyWebhooksOptions {
  /** The app's client secret: Shopify signs webhooks with it. */
  apiSecret: string
  /**
   * The client secret before the last rotation. Shopify may keep signing with it for about an
   * hour after a rotation, so deliveries signed with either secret are accepted while it is set.
   */
  previousApiSecret?: string | null
}

/** Headers of a Shopify delivery (classic `X-Shopify-*` or the newer un-prefixed `Shopify-*`). */
function header(request: RawWebhookRequest, name: string): string | undefined {
  const value = request.headers[`x-shopify-${name}`] ?? request.headers[`shopify-${name}`]
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

/** Strict canonical base64 of a 32-byte digest: what Shopify sends and what the official library compares. */
const BASE64_SHA256 = /^[A-Za-z0-9+/]{43}=$/

/**
 * Constant-time check of a base64 HMAC-SHA256 over the raw bytes against every secret. All secrets
 * are always computed, so timing does not tell which one matched.
 */
export function verifyShopifyWebhookSignature(
  rawBody: Uint8Array,
  signature: string,
  secrets: readonly string[],
): boolean {
  if (!BASE64_SHA256.test(signature)) return false
  const given = Buffer.from(signature, 'base64')
  let ok = false
  for (const secret of secrets) {
    if (secret.length === 0) continue
    const expected = createHmac('sha256', secret).update(rawBody).digest()
    ok = timingSafeEqual(expected, given) || ok
  }
  return ok
}

/** The shop domain a delivery is for, from `X-Shopify-Shop-Domain`. Throws `WebhookError(400)`. */
export function identifyShopifyWebhook(request: RawWebhookRequest): string {
  const raw = header(request, 'shop-domain')
  if (raw === undefined)
    throw new WebhookError(400, 'WEBHOOK_SHOP_MISSING', 'missing X-Shopify-Shop-Domain header')
  const shop = normalizeShopDomain(raw)
  if (shop === null)
    throw new WebhookError(400, 'WEBHOOK_SHOP_INVALID', 'X-Shopify-Shop-Domain is not a shop domain')
  return shop
}

/** The topic of a delivery (`products/update`), lower case. Throws `WebhookError(400)`. */
export function shopifyWebhookTopic(request: RawWebhookRequest): string {
  const topic = header(request, 'topic')?.toLowerCase()
  if (topic === undefined || !/^[a-z_]+\/[a-z_]+$/.test(topic)) {
    throw new WebhookError(400, 'WEBHOOK_TOPIC_INVALID', 'missing or malformed X-Shopify-Topic header')
  }
  return topic
}

/**
 * The dedupe id of a delivery: `X-Shopify-Event-Id` (shared by every delivery of one merchant
 * action), else `X-Shopify-Webhook-Id`. Throws `WebhookError(400)` when neither is present.
 */
export function shopifyWebhookEventId(request: RawWebhookRequest): string {
  const id = header(request, 'event-id') ?? header(request, 'webhook-id')
  if (id === undefined) {
    throw new WebhookError(
      400,
      'WEBHOOK_EVENT_ID_MISSING',
      'missing X-Shopify-Event-Id and X-Shopify-Webhook-Id',
    )
  }
  if (id.length > 200) throw new WebhookError(400, 'WEBHOOK_EVENT_ID_INVALID', 'event id too long')
  return id
}

/** Decode the raw body as strict UTF-8 and parse it without losing big integer ids. */
export function parseShopifyWebhookBody(rawBody: Uint8Array): Json {
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(rawBody)
  } catch (error) {
    throw new WebhookError(400, 'WEBHOOK_ENCODING_INVALID', 'webhook body is not valid UTF-8', {
      cause: error,
    })
  }
  try {
    return parseJsonLossless(text)
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error
    throw new WebhookError(400, 'WEBHOOK_PAYLOAD_INVALID', `webhook body is not JSON: ${error.message}`, {
      cause: error,
    })
  }
}

function check<S extends z.ZodType>(schema: S, payload: Json, topic: string): z.infer<S> {
  const result = schema.safeParse(payload)
  if (!result.success) {
    const issue = result.error.issues[0]
    const where = issue?.path.join('.') || '(root)'
    throw new WebhookError(
      400,
      'WEBHOOK_PAYLOAD_INVALID',
      `${topic} payload invalid at ${where}: ${issue?.message}`,
    )
  }
  return result.data
}

/**
 * The InventoryItem id of an `inventory_levels/*` payload: `inventory_item_id`, else the
 * `inventory_item_id` query parameter of the InventoryLevel GID. Throws when they disagree.
 */
export function inventoryItemIdOfLevelPayload(payload: Json): string {
  const level = check(inventoryLevelPayloadSchema, payload, 'inventory_levels')
  const fromGid = inventoryItemIdFromLevelGid(level.admin_graphql_api_id)
  const id = level.inventory_item_id ?? fromGid
  if (id === null || id === undefined) {
    throw new WebhookError(400, 'WEBHOOK_PAYLOAD_INVALID', 'inventory level payload has no inventory item id')
  }
  if (fromGid !== null && fromGid !== id) {
    throw new WebhookError(
      400,
      'WEBHOOK_PAYLOAD_INVALID',
      'inventory_item_id disagrees with admin_graphql_api_id',
    )
  }
  return id
}

function routeWork(topic: string, payload: Json, eventId: string, shop: string): WorkItemSpec[] {
  const key = (operation: string, id: string) => `shopify:${eventId}:${operation}:${id}`
  switch (topic) {
    case 'inventory_levels/update':
    case 'inventory_levels/connect': {
      const itemId = inventoryItemIdOfLevelPayload(payload)
      const level = check(inventoryLevelPayloadSchema, payload, topic)
      return [
        {
          operation: SHOPIFY_OPERATIONS.inventoryReconcile,
          idempotencyKey: key(SHOPIFY_OPERATIONS.inventoryReconcile, itemId),
          entityType: 'inventory_item',
          externalId: itemId,
          payload: { locationId: level.location_id, available: level.available ?? null },
        },
      ]
    }
    case 'inventory_levels/disconnect':
      check(inventoryLevelDisconnectPayloadSchema, payload, topic)
      return []
    case 'products/create':
    case 'products/update': {
      const { id, updated_at } = check(productPayloadSchema, payload, topic)
      return [
        {
          operation: SHOPIFY_OPERATIONS.catalogRefresh,
          idempotencyKey: key(SHOPIFY_OPERATIONS.catalogRefresh, id),
          entityType: 'product',
          externalId: id,
          payload: { topic, updatedAt: updated_at ?? null },
        },
      ]
    }
    case 'products/delete':
      // The core has no catalog deletion yet: the event is kept in the inbox, nothing runs.
      check(productDeletePayloadSchema, payload, topic)
      return []
    case 'app/uninstalled': {
      check(shopPayloadSchema, payload, topic)
      return [
        {
          operation: SHOPIFY_OPERATIONS.connectionRevoke,
          idempotencyKey: key(SHOPIFY_OPERATIONS.connectionRevoke, shop),
          entityType: 'connection',
          externalId: shop,
          payload: { reason: 'app/uninstalled' },
        },
      ]
    }
    case 'orders/create':
    case 'orders/updated':
    case 'orders/cancelled':
      // Shopify moves stock itself and reports it as inventory_levels/update: no work from orders.
      check(orderPayloadSchema, payload, topic)
      return []
    default:
      if (COMPLIANCE_TOPICS.includes(topic)) check(compliancePayloadSchema, payload, topic)
      else check(objectPayloadSchema, payload, topic)
      return []
  }
}

function occurredAt(request: RawWebhookRequest): Date | null {
  const raw = header(request, 'triggered-at')
  if (raw === undefined) return null
  const date = new Date(raw)
  return Number.isNaN(date.getTime()) ? null : date
}

/**
 * Shopify webhook handling for the ingest pipeline ({@link ProviderWebhooks}): identify by shop
 * domain, verify the base64 HMAC of the raw bytes (current and previous secret), parse losslessly
 * and route topics to work items.
 */
export function createShopifyWebhooks(options: ShopifyWebhooksOptions): ProviderWebhooks {
  if (typeof options.apiSecret !== 'string' || options.apiSecret.length === 0) {
    throw new ConfigError('Shopify webhooks need the app client secret (apiSecret)')
  }
  const secrets = [options.apiSecret, ...(options.previousApiSecret ? [options.previousApiSecret] : [])]
  return {
    identify: identifyShopifyWebhook,
    async verify(request: RawWebhookRequest, _target: WebhookConnection | null): Promise<void> {
      const signature = header(request, 'hmac-sha256')
      if (signature === undefined) {
        throw new WebhookError(401, 'WEBHOOK_SIGNATURE_MISSING', 'missing X-Shopify-Hmac-Sha256 header')
      }
      if (request.rawBody.byteLength === 0) {
        throw new WebhookError(401, 'WEBHOOK_BODY_EMPTY', 'empty webhook body')
      }
      if (!verifyShopifyWebhookSignature(request.rawBody, signature, secrets)) {
        throw new WebhookError(401, 'WEBHOOK_SIGNATURE_INVALID', 'webhook signature does not match')
      }
    },
    parse(request: RawWebhookRequest, _target: WebhookConnection): ParsedWebhook {
      const topic = shopifyWebhookTopic(request)
      const providerEventId = shopifyWebhookEventId(request)
      const shop = identifyShopifyWebhook(request)
      const payload = parseShopifyWebhookBody(request.rawBody)
      const work = routeWork(topic, payload, providerEventId, shop)
      return { kind: 'event', providerEventId, topic, occurredAt: occurredAt(request), payload, work }
    },
  }
}
