import { randomBytes } from 'node:crypto'
import { ConfigError } from '@hub/core'
import type { WooClient } from './woocommerce-client.js'
import type { WooWebhook } from './woocommerce-schemas.js'
import { SOURCE_PARAM } from './woocommerce-webhooks.js'

/** The topics the SDK listens to. */
export const DEFAULT_WEBHOOK_TOPICS = [
  'product.created',
  'product.updated',
  'product.deleted',
  'order.created',
  'order.updated',
] as const

/**
 * A fresh webhook secret: 32 random bytes, base64url. Only `A-Z a-z 0-9 - _`, so WordPress's
 * special-character handling (`&`, `<`, `"`… are HTML-escaped on save and decoded again when
 * signing) can never make our copy and the store's differ.
 */
export function createWebhookSecret(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * The delivery URL to register: your webhook endpoint with `?source=<store URL>`. Deliveries
 * name their store in `X-WC-Webhook-Source`, but pings carry no headers at all; the parameter
 * lets the ingest find the connection and answer a ping 200 (WooCommerce keeps re-sending pings
 * that were not answered 200). WooCommerce refuses private targets and ports other than
 * 80/443/8080 for delivery URLs.
 */
export function webhookDeliveryUrl(endpoint: string, storeUrl: string): string {
  let url: URL
  try {
    url = new URL(endpoint)
  } catch (cause) {
    throw new ConfigError('webhook endpoint is not an absolute URL', { cause })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new ConfigError('webhook endpoint must be http(s)')
  url.searchParams.set(SOURCE_PARAM, storeUrl)
  return url.href
}

/** Options of {@link ensureWebhooks}. */
export interface EnsureWebhooksOptions {
  deliveryUrl: string
  /** The secret stored with the connection's credentials. */
  secret: string
  topics?: readonly string[]
  /** Name prefix shown in WooCommerce's admin. Default `Commerce Hub`. */
  name?: string
  /**
   * Delete and re-create disabled webhooks instead of re-activating them. Re-activation does not
   * reset WooCommerce's failure counter (recorded: the next single failure disables it again);
   * a new webhook starts from zero. Default false.
   */
  recreateDisabled?: boolean
}

/** What {@link ensureWebhooks} did. */
export interface EnsureWebhooksResult {
  created: WooWebhook[]
  reactivated: WooWebhook[]
  unchanged: WooWebhook[]
}

/** Our webhooks (this delivery URL) that are not delivering: `disabled` by WooCommerce after failures, or `paused`. */
export async function findInactiveWebhooks(client: WooClient, deliveryUrl?: string): Promise<WooWebhook[]> {
  const hooks = await client.listWebhooks('all')
  return hooks.filter(
    (h) => h.status !== 'active' && (deliveryUrl === undefined || h.delivery_url === deliveryUrl),
  )
}

/**
 * Put `status: active` back on a webhook (WooCommerce sends a ping then). Sending the secret
 * again keeps it in step with the stored credentials.
 */
export async function reactivateWebhook(client: WooClient, id: number, secret?: string): Promise<WooWebhook> {
  return client.updateWebhook(id, { status: 'active', ...(secret ? { secret } : {}) })
}

/**
 * Make sure one active webhook per topic points at `deliveryUrl`: create the missing ones (with
 * our own secret; WooCommerce answers 201 even when the ping fails), re-activate (or re-create)
 * disabled and paused ones, leave active ones alone. Run it on connect and from the periodic
 * reconcile: WooCommerce never retries a failed delivery and disables a webhook silently.
 */
export async function ensureWebhooks(
  client: WooClient,
  options: EnsureWebhooksOptions,
): Promise<EnsureWebhooksResult> {
  if (!options.secret) throw new ConfigError('ensureWebhooks needs the webhook secret')
  const topics = options.topics ?? DEFAULT_WEBHOOK_TOPICS
  const existing = (await client.listWebhooks('all')).filter((h) => h.delivery_url === options.deliveryUrl)
  const result: EnsureWebhooksResult = { created: [], reactivated: [], unchanged: [] }
  for (const topic of topics) {
    const mine = existing.filter((h) => h.topic === topic)
    const active = mine.find((h) => h.status === 'active')
    if (active) {
      result.unchanged.push(active)
      continue
    }
    const inactive = mine[0]
    if (inactive && !options.recreateDisabled) {
      result.reactivated.push(await reactivateWebhook(client, inactive.id, options.secret))
      continue
    }
    if (inactive) await client.deleteWebhook(inactive.id)
    result.created.push(
      await client.createWebhook({
        name: `${options.name ?? 'Commerce Hub'} ${topic}`,
        topic,
        deliveryUrl: options.deliveryUrl,
        secret: options.secret,
      }),
    )
  }
  return result
}
