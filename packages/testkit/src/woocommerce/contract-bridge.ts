import { setupServer } from 'msw/node'
import type { ContractFake } from '../contract/contract-fake.js'
import { createFakeWoo, type FakeWoo } from './fake-woo.js'
import { phpJson } from './php-json.js'
import { signWooWebhook } from './signing.js'

/** Options of {@link fakeWooContract}. */
export interface FakeWooContractOptions {
  /** Store URL (the connection's external account id). Default `https://contract-woo.test`. */
  baseUrl?: string
  /** Where the store's webhooks point (the suite posts the captured requests to the hub itself). */
  deliveryUrl?: string
  /** Secret the webhooks are registered with (stored in the connection's credentials). */
  webhookSecret?: string
  /** Topics registered on every reset. */
  topics?: string[]
}

/** The contract bridge, with the underlying fake for extra assertions. */
export interface FakeWooContract extends ContractFake {
  readonly woo: FakeWoo
}

const STOCK_WRITE = /^\/wp-json\/wc\/v3\/products(\/\d+(\/variations(\/\d+|\/batch))?|\/batch)(\?|$)/

/**
 * The bridge between `runProviderContract` and the fake WooCommerce, served over MSW:
 * credentials `{consumerKey, consumerSecret, webhookSecret}`, webhooks registered for
 * `product.*` and `order.*`, deliveries captured as `Request`s (never retried, as WooCommerce),
 * `failNext` as a host answers (500 / 429), `writes()` = successful product writes.
 */
export function fakeWooContract(options: FakeWooContractOptions = {}): FakeWooContract {
  const baseUrl = options.baseUrl ?? 'https://contract-woo.test'
  const deliveryUrl = options.deliveryUrl ?? 'https://hub.example.com/hooks/woocommerce'
  const webhookSecret = options.webhookSecret ?? 'contract-webhook-secret'
  const topics = options.topics ?? [
    'product.created',
    'product.updated',
    'product.deleted',
    'order.created',
    'order.updated',
  ]
  let captured: Request[] = []
  const woo = createFakeWoo({
    baseUrl,
    webhookDelivery: 'manual',
    fetch: async (input, init) => {
      captured.push(new Request(input, init))
      return new Response(null, { status: 200 })
    },
  })
  const server = setupServer(...woo.handlers)
  const register = (): void => {
    for (const topic of topics) woo.addWebhook({ topic, deliveryUrl, secret: webhookSecret })
  }
  register()
  return {
    name: 'testkit fake WooCommerce (MSW)',
    woo,
    start: async () => server.listen({ onUnhandledFrame: 'bypass' }),
    stop: async () => {
      server.close()
      await woo.close()
    },
    reset: async () => {
      woo.reset()
      captured = []
      register()
    },
    connection: async () => ({
      externalAccountId: baseUrl,
      credentials: {
        consumerKey: woo.credentials.consumerKey,
        consumerSecret: woo.credentials.consumerSecret,
        webhookSecret,
      },
    }),
    seedProduct: async ({ title, sku, price, quantity }) => {
      const p = woo.seedProduct({
        name: title,
        sku,
        regularPrice: price,
        manageStock: true,
        stockQuantity: quantity,
      })
      const id = String(p.id)
      return { productId: id, variantId: id, inventoryItemId: id }
    },
    quantity: async (id) => woo.stockOf(Number(id)) ?? 0,
    setQuantity: async (id, quantity) => woo.setStock(Number(id), quantity),
    sell: async (id, quantity) => {
      const item = woo.product(Number(id))
      const productId = item?.type === 'variation' ? item.parentId : Number(id)
      const variationId = item?.type === 'variation' ? item.id : undefined
      woo.createOrder({ lineItems: [{ productId, variationId, quantity }] })
    },
    takeDeliveries: async () => {
      await woo.flushWebhooks()
      const out = captured
      captured = []
      return out
    },
    forgedDelivery: async () => {
      const body = phpJson({ id: 1, name: 'forged', stock_quantity: 999 })
      return new Request(deliveryUrl, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-wc-webhook-source': `${baseUrl}/`,
          'x-wc-webhook-topic': 'product.updated',
          'x-wc-webhook-resource': 'product',
          'x-wc-webhook-event': 'updated',
          'x-wc-webhook-id': '1',
          'x-wc-webhook-delivery-id': '0'.repeat(32),
          'x-wc-webhook-signature': signWooWebhook(body, `not-${webhookSecret}`),
        },
      })
    },
    failNext: (kind, count) => woo.failNext(count, kind === 'throttle' ? 429 : 500),
    writes: () =>
      woo.requests.filter((r) => r.method !== 'GET' && r.status < 400 && STOCK_WRITE.test(r.path)).length,
  }
}
