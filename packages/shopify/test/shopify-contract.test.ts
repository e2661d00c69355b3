import { type ContractFake, runProviderContract } from '@hub/testkit/contract'
import { createFakeShopify, type FakeShopify, signShopifyWebhook } from '@hub/testkit/shopify'
import { http } from 'msw'
import { setupServer } from 'msw/node'
import { createShopifyAdapter } from '../src/shopify-adapter.js'

const SHOP = 'contract-shop.myshopify.com'
const API_KEY = 'contract-client-id'
const SECRET = 'shpss_contract_secret_value'
const HOOK_URI = 'https://hub.example.com/hooks/shopify'
const TOPICS = [
  'inventory_levels/update',
  'products/create',
  'products/update',
  'orders/create',
  'app/uninstalled',
]

/** The bridge between the provider contract suite and the testkit's fake Shopify, served over MSW. */
function fakeShopifyContract(): ContractFake {
  let fake: FakeShopify
  let deliveries: Request[] = []
  let writes = 0
  const fresh = () => {
    deliveries = []
    writes = 0
    fake = createFakeShopify({
      shop: SHOP,
      apiKey: API_KEY,
      apiSecret: SECRET,
      webhooks: TOPICS.map((topic) => ({ topic, uri: HOOK_URI })),
      webhookTransport: async (request) => {
        deliveries.push(request)
        return new Response(null, { status: 200 })
      },
    })
    const adjust = fake.state.adjust.bind(fake.state)
    fake.state.adjust = (...args: Parameters<typeof adjust>) => {
      if (args[2] !== 0) writes += 1
      return adjust(...args)
    }
  }
  fresh()
  const server = setupServer(http.all(`https://${SHOP}/*`, ({ request }) => fake.fetch(request)))
  const variantOf = (inventoryItemId: string) =>
    [...fake.state.variants.values()].find((v) => v.inventoryItemId === inventoryItemId)!
  return {
    name: 'testkit fake Shopify (MSW)',
    start: async () => server.listen({ onUnhandledFrame: 'bypass' }),
    stop: async () => server.close(),
    reset: async () => fresh(),
    connection: async () => {
      const token = fake.issueAccessToken()
      const now = Date.now()
      const expiring = 'refresh_token' in token
      return {
        externalAccountId: SHOP,
        credentials: {
          accessToken: token.access_token,
          scope: token.scope,
          expiresAt: expiring ? new Date(now + token.expires_in * 1000).toISOString() : null,
          refreshToken: expiring ? token.refresh_token : null,
          refreshTokenExpiresAt: expiring
            ? new Date(now + token.refresh_token_expires_in * 1000).toISOString()
            : null,
        },
      }
    },
    seedProduct: async ({ title, sku, price, quantity }) => {
      const product = fake.createProduct({ title, variants: [{ sku, price, available: quantity }] })
      const variant = fake.state.variants.get(product.variantIds[0]!)!
      return { productId: product.id, variantId: variant.id, inventoryItemId: variant.inventoryItemId }
    },
    quantity: async (inventoryItemId) => fake.getAvailable(inventoryItemId),
    setQuantity: async (inventoryItemId, quantity) => fake.setAvailable(inventoryItemId, quantity),
    sell: async (inventoryItemId, quantity) => {
      fake.placeOrder([{ variantId: variantOf(inventoryItemId).id, quantity }])
    },
    takeDeliveries: async () => {
      await fake.flushWebhooks()
      const out = deliveries
      deliveries = []
      return out
    },
    forgedDelivery: async () => {
      const body = JSON.stringify({ id: 1, title: 'forged', variants: [] })
      return new Request(HOOK_URI, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-shopify-topic': 'products/update',
          'x-shopify-shop-domain': SHOP,
          'x-shopify-hmac-sha256': signShopifyWebhook(body, 'not-the-app-secret'),
          'x-shopify-event-id': 'forged-1',
        },
      })
    },
    failNext: (kind, count) => {
      // Throttling as Shopify does it: an empty bucket answers THROTTLED with its cost status.
      if (kind === 'server-error') fake.faults.failNext(count, 503)
      else fake.bucket.set(0)
    },
    writes: () => writes,
  }
}

runProviderContract(createShopifyAdapter({ apiKey: API_KEY, apiSecret: SECRET }), fakeShopifyContract())
