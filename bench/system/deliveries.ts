import { randomUUID } from 'node:crypto'
import { signWooWebhook } from '@hub/testkit/woocommerce'
import { sleep } from './stats.js'
import { type ReceivedDelivery, WOO_WEBHOOK_SECRET, type World } from './world.js'

/** A signed webhook delivery, ready to send (to the Web handler or over HTTP). */
export interface SignedDelivery {
  provider: 'shopify' | 'woocommerce'
  /** `/hooks/<provider>` */
  path: string
  headers: Record<string, string>
  body: string
}

/** Real deliveries of the fakes, used as templates for any number of distinct ones. */
export interface DeliveryTemplates {
  /** `inventory_levels/update` of one sale, as the fake Shopify signed it. */
  shopify: ReceivedDelivery
  /** `product.updated` of one checkout, as the fake WooCommerce signed it. */
  woo: ReceivedDelivery
}

const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'keep-alive', 'transfer-encoding'])

function cleanHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase())))
}

/**
 * Capture one real delivery of each fake: a Shopify order (its `inventory_levels/update`) and a
 * WooCommerce checkout (its `product.updated`), taken off the hub's server before the hub sees
 * them.
 */
export async function captureTemplates(world: World): Promise<DeliveryTemplates> {
  const received: ReceivedDelivery[] = []
  world.tap = (delivery) => received.push(delivery)
  try {
    const product = world.products[0]!
    world.shopify.placeOrder([{ variantId: product.shopifyVariantId, quantity: 1 }])
    world.woo.createOrder({ lineItems: [{ productId: product.wooId, quantity: 1 }] })
    const find = () => ({
      shopify: received.find((d) => d.headers['x-shopify-topic'] === 'inventory_levels/update'),
      woo: received.find((d) => d.headers['x-wc-webhook-topic'] === 'product.updated'),
    })
    for (let i = 0; i < 5_000 && (!find().shopify || !find().woo); i += 1) await sleep(1)
    await world.woo.whenIdle()
    const { shopify, woo } = find()
    if (!shopify || !woo)
      throw new Error('the fakes sent no inventory_levels/update or product.updated delivery')
    return { shopify, woo }
  } finally {
    world.tap = null
  }
}

const pad = (n: number) => String(n).padStart(2, '0')

/** A WooCommerce GMT timestamp (`2026-11-26T01:02:03`), `seconds` after 2030-01-01. */
function wooGmt(seconds: number): string {
  const d = new Date(Date.UTC(2030, 0, 1) + seconds * 1000)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

/**
 * `count` distinct deliveries from a template. Shopify: the same signed body with a new
 * `X-Shopify-Event-Id` / `X-Shopify-Webhook-Id` (a new merchant action; the signature covers
 * the body only). WooCommerce: the body with a new `date_modified_gmt` (a new product state,
 * so a new event id and new item keys), signed again with the webhook secret. `offset` keeps
 * batches made for the same world distinct.
 */
export function deliveriesFrom(
  templates: DeliveryTemplates,
  provider: SignedDelivery['provider'],
  count: number,
  offset: number,
): SignedDelivery[] {
  const out: SignedDelivery[] = []
  for (let i = 0; i < count; i += 1) {
    if (provider === 'shopify') {
      const t = templates.shopify
      out.push({
        provider,
        path: '/hooks/shopify',
        headers: {
          ...cleanHeaders(t.headers),
          'x-shopify-event-id': randomUUID(),
          'x-shopify-webhook-id': randomUUID(),
        },
        body: t.body.toString('utf8'),
      })
    } else {
      const t = templates.woo
      const stamp = wooGmt(offset + i)
      const body = t.body
        .toString('utf8')
        .replace(/"date_modified_gmt":"[^"]*"/, `"date_modified_gmt":"${stamp}"`)
        .replace(/"date_modified":"[^"]*"/, `"date_modified":"${stamp}"`)
      if (!body.includes(stamp)) throw new Error('the WooCommerce template has no date_modified_gmt')
      out.push({
        provider,
        path: '/hooks/woocommerce',
        headers: {
          ...cleanHeaders(t.headers),
          'x-wc-webhook-signature': signWooWebhook(body, WOO_WEBHOOK_SECRET),
          'x-wc-webhook-delivery-id': randomUUID().replaceAll('-', ''),
        },
        body,
      })
    }
  }
  return out
}

/** Alternate two lists: a, b, a, b, … */
export function interleave<T>(a: readonly T[], b: readonly T[]): T[] {
  const out: T[] = []
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) {
    if (i < a.length) out.push(a[i]!)
    if (i < b.length) out.push(b[i]!)
  }
  return out
}
