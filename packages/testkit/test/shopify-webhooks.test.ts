import { createHmac, timingSafeEqual } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { type FakeShopifyOptions, signShopifyWebhook } from '../src/shopify/index.js'
import { fixtureUrl, gql, setup } from './shopify-helpers.js'

interface Received {
  url: string
  headers: Record<string, string>
  body: string
}

function receiver() {
  const received: Received[] = []
  let status = 200
  const transport = async (request: Request) => {
    const headers: Record<string, string> = {}
    request.headers.forEach((v, k) => {
      headers[k] = v
    })
    received.push({ url: request.url, headers, body: await request.text() })
    return new Response(null, { status })
  }
  return { received, transport, setStatus: (s: number) => (status = s) }
}

function fixture(topic: string) {
  return JSON.parse(readFileSync(fixtureUrl(`webhooks/${topic.replace('/', '_')}.json`), 'utf8')).payload
}

const ALL_TOPICS = [
  'products/create',
  'products/update',
  'products/delete',
  'inventory_levels/update',
  'orders/create',
  'app/uninstalled',
]

function shopWithHooks(extra: Partial<FakeShopifyOptions> = {}) {
  const r = receiver()
  const ctx = setup({
    webhookTransport: r.transport,
    webhooks: ALL_TOPICS.map((topic) => ({ topic, uri: 'https://hub.example/hooks/shopify' })),
    ...extra,
  })
  return { ...ctx, ...r }
}

function verify(body: string, header: string, secret: string): boolean {
  const expected = createHmac('sha256', secret).update(Buffer.from(body, 'utf8')).digest()
  const given = Buffer.from(header, 'base64')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

describe('fake Shopify webhooks: signed deliveries', () => {
  test('signShopifyWebhook is base64 HMAC-SHA256 of the raw body', () => {
    const body = '{"id":788032119674292922}'
    expect(signShopifyWebhook(body, 's3cret')).toBe(
      createHmac('sha256', 's3cret').update(body).digest('base64'),
    )
    expect(verify(body, signShopifyWebhook(body, 's3cret'), 's3cret')).toBe(true)
    expect(verify(body, signShopifyWebhook(body, 'other'), 's3cret')).toBe(false)
  })

  test('a subscription made with webhookSubscriptionCreate gets signed deliveries with every X-Shopify header', async () => {
    const r = receiver()
    const { fake, token, clock } = setup({ webhookTransport: r.transport })
    const [product] = fake.seedProducts(1, 1)
    const create = await gql(
      fake,
      token,
      'mutation { webhookSubscriptionCreate(topic: PRODUCTS_UPDATE, webhookSubscription: { uri: "https://hub.example/hooks" }) { webhookSubscription { id topic uri apiVersion { handle } } userErrors { field message } } }',
    )
    expect(create.body.data.webhookSubscriptionCreate.webhookSubscription).toEqual({
      id: expect.stringMatching(/^gid:\/\/shopify\/WebhookSubscription\/\d+$/),
      topic: 'PRODUCTS_UPDATE',
      uri: 'https://hub.example/hooks',
      apiVersion: { handle: '2026-10' },
    })
    const dup = await gql(
      fake,
      token,
      'mutation { webhookSubscriptionCreate(topic: PRODUCTS_UPDATE, webhookSubscription: { uri: "https://hub.example/hooks" }) { userErrors { field message } } }',
    )
    expect(dup.body.data.webhookSubscriptionCreate.userErrors[0].message).toBe(
      'Address for this topic has already been taken',
    )

    fake.updateProduct(product?.id ?? '', { title: 'New title' })
    await fake.flushWebhooks()
    expect(r.received).toHaveLength(1)
    const [delivery] = r.received
    expect(delivery?.url).toBe('https://hub.example/hooks')
    expect(delivery?.headers).toEqual({
      'content-type': 'application/json',
      'x-shopify-topic': 'products/update',
      'x-shopify-hmac-sha256': expect.any(String),
      'x-shopify-shop-domain': 'demo.myshopify.com',
      'x-shopify-api-version': '2026-10',
      'x-shopify-webhook-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      'x-shopify-event-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      'x-shopify-triggered-at': new Date(clock.now()).toISOString(),
    })
    expect(verify(delivery?.body ?? '', delivery?.headers['x-shopify-hmac-sha256'] ?? '', 'secret-abc')).toBe(
      true,
    )
    expect(JSON.parse(delivery?.body ?? '{}').title).toBe('New title')
  })
})

describe('fake Shopify webhooks: subscription names and automatic delivery', () => {
  test('a named subscription adds X-Shopify-Name; auto delivery sends without an explicit flush', async () => {
    const r = receiver()
    const { fake, token } = setup({ webhookTransport: r.transport, webhookDelivery: 'auto' })
    await gql(
      fake,
      token,
      'mutation { webhookSubscriptionCreate(topic: PRODUCTS_CREATE, webhookSubscription: { uri: "https://hub.example/h", name: "hub-products" }) { userErrors { message } } }',
    )
    fake.createProduct({ title: 'Auto' })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(r.received).toHaveLength(1)
    expect(r.received[0]?.headers['x-shopify-name']).toBe('hub-products')
  })
})

describe('fake Shopify webhooks: payloads shaped like Shopify’s samples, big ids exact', () => {
  test('products/create, products/update and products/delete', async () => {
    const { fake, received } = shopWithHooks()
    const product = fake.createProduct({ title: 'Tee', options: { Size: ['S', 'M'] }, tags: ['a', 'b'] })
    fake.updateProduct(product.id, { vendor: 'Acme' })
    fake.deleteProduct(product.id)
    await fake.flushWebhooks()
    expect(received.map((d) => d.headers['x-shopify-topic'])).toEqual([
      'products/create',
      'products/update',
      'products/delete',
    ])
    const update = JSON.parse(received[1]?.body ?? '{}')
    const sample = fixture('products/update')
    expect(Object.keys(update).sort()).toEqual(Object.keys(sample).sort())
    expect(Object.keys(update.variants[0]).sort()).toEqual(Object.keys(sample.variants[0]).sort())
    expect(update.tags).toBe('a, b')
    expect(update.status).toBe('active')
    expect(Object.keys(JSON.parse(received[2]?.body ?? '{}'))).toEqual(
      Object.keys(fixture('products/delete')),
    )
  })

  test('inventory_levels/update with the InventoryLevel GID quirk; orders/create; app/uninstalled', async () => {
    const { fake, received } = shopWithHooks()
    const [product] = fake.seedProducts(1, 1, { available: 5 })
    const variant = fake.state.variants.get(product?.variantIds[0] ?? '')
    fake.placeOrder([{ variantId: variant?.id ?? '', quantity: 2 }])
    fake.uninstall()
    await fake.flushWebhooks()
    expect(received.map((d) => d.headers['x-shopify-topic'])).toEqual([
      'inventory_levels/update',
      'orders/create',
      'app/uninstalled',
    ])

    const level = JSON.parse(received[0]?.body ?? '{}')
    expect(Object.keys(level).sort()).toEqual(Object.keys(fixture('inventory_levels/update')).sort())
    expect(level.available).toBe(3)
    const raw = received[0]?.body ?? ''
    const itemId = variant?.inventoryItemId ?? ''
    const locationId = fake.state.defaultLocationId
    expect(raw).toContain(`"inventory_item_id":${itemId}`)
    expect(raw).toContain(
      `"admin_graphql_api_id":"gid://shopify/InventoryLevel/${locationId}?inventory_item_id=${itemId}"`,
    )

    const order = JSON.parse(received[1]?.body ?? '{}')
    const orderSample = fixture('orders/create')
    expect(Object.keys(order).sort()).toEqual(Object.keys(orderSample).sort())
    expect(Object.keys(order.line_items[0]).sort()).toEqual(Object.keys(orderSample.line_items[0]).sort())
    expect(received[1]?.body).toContain(`"variant_id":${variant?.id}`)
    expect(order.line_items[0].quantity).toBe(2)

    const shop = JSON.parse(received[2]?.body ?? '{}')
    expect(Object.keys(shop).sort()).toEqual(Object.keys(fixture('app/uninstalled')).sort())
    expect(shop.myshopify_domain).toBe('demo.myshopify.com')
  })

  test('ids above 2^53 reach the receiver digit for digit (never through JS numbers)', async () => {
    const { fake, received } = shopWithHooks({ idStart: 788032119674292922n })
    const product = fake.createProduct({ title: 'Big' })
    await fake.flushWebhooks()
    const body = received[0]?.body ?? ''
    expect(BigInt(product.id) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true)
    expect(String(Number(product.id))).not.toBe(product.id) // a JS number would round it
    expect(body).toContain(`"id":${product.id},`)
    expect(body).toContain(`"admin_graphql_api_id":"gid://shopify/Product/${product.id}"`)
    expect(body).toContain(`"product_id":${product.id},`)
  })
})

describe('fake Shopify webhooks: unreliable delivery switches (seeded)', () => {
  function tenEvents(fake: ReturnType<typeof shopWithHooks>['fake']) {
    const [product] = fake.seedProducts(1, 1)
    const itemId = fake.state.variants.get(product?.variantIds[0] ?? '')?.inventoryItemId ?? ''
    for (let i = 1; i <= 10; i += 1) fake.setAvailable(itemId, i)
  }
  const availables = (received: Received[]) => received.map((d) => JSON.parse(d.body).available as number)

  test('duplicate: same event id twice, different webhook ids', async () => {
    const { fake, received, clock } = shopWithHooks()
    fake.setWebhookChaos({ duplicate: 1 })
    tenEvents(fake)
    await fake.flushWebhooks()
    clock.advance(2000)
    await fake.flushWebhooks()
    expect(received).toHaveLength(20)
    const byEvent = new Map<string, string[]>()
    for (const d of received)
      byEvent.set(d.headers['x-shopify-event-id'] ?? '', [
        ...(byEvent.get(d.headers['x-shopify-event-id'] ?? '') ?? []),
        d.headers['x-shopify-webhook-id'] ?? '',
      ])
    expect(byEvent.size).toBe(10)
    for (const ids of byEvent.values()) expect(new Set(ids).size).toBe(2)
  })

  test('drop loses deliveries; delay holds them until the clock reaches them', async () => {
    const dropped = shopWithHooks()
    dropped.fake.setWebhookChaos({ drop: 1 })
    tenEvents(dropped.fake)
    await dropped.fake.flushWebhooks()
    expect(dropped.received).toHaveLength(0)
    expect(dropped.fake.webhooks.dropped).toHaveLength(10)

    const delayed = shopWithHooks()
    delayed.fake.setWebhookChaos({ delayMs: 10_000 })
    tenEvents(delayed.fake)
    await delayed.fake.flushWebhooks()
    const early = delayed.received.length
    expect(early).toBeLessThan(10)
    delayed.clock.advance(10_000)
    await delayed.fake.flushWebhooks()
    expect(delayed.received).toHaveLength(10)
  })

  test('reorder shuffles deliveries, the same way for the same seed', async () => {
    const a = shopWithHooks({ seed: 3 })
    a.fake.setWebhookChaos({ reorder: true })
    tenEvents(a.fake)
    await a.fake.flushWebhooks()
    const b = shopWithHooks({ seed: 3 })
    b.fake.setWebhookChaos({ reorder: true })
    tenEvents(b.fake)
    await b.fake.flushWebhooks()
    expect(availables(a.received)).not.toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect([...availables(a.received)].sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    expect(availables(b.received)).toEqual(availables(a.received))
  })

  test('a non-2xx answer is retried later with the same ids and body', async () => {
    const { fake, received, setStatus, clock } = shopWithHooks()
    setStatus(500)
    fake.createProduct({ title: 'Retry me' })
    await fake.flushWebhooks()
    setStatus(200)
    await fake.flushWebhooks()
    expect(received).toHaveLength(1)
    clock.advance(60_000)
    await fake.flushWebhooks()
    expect(received).toHaveLength(2)
    expect(received[1]?.headers['x-shopify-event-id']).toBe(received[0]?.headers['x-shopify-event-id'])
    expect(received[1]?.headers['x-shopify-webhook-id']).toBe(received[0]?.headers['x-shopify-webhook-id'])
    expect(received[1]?.body).toBe(received[0]?.body)
  })

  test('a receiver that keeps failing gets 1 attempt + 8 retries, then nothing more', async () => {
    const { fake, received, setStatus, clock } = shopWithHooks()
    setStatus(503)
    fake.createProduct({ title: 'Never accepted' })
    for (let i = 0; i < 12; i += 1) {
      await fake.flushWebhooks()
      clock.advance(4 * 3600 * 1000)
    }
    expect(received).toHaveLength(9)
    expect(fake.webhooks.pending()).toHaveLength(0)
  })
})
