import { afterEach, describe, expect, it } from 'vitest'
import {
  createFakeWoo,
  type FakeWoo,
  fakeWooContract,
  phpJson,
  signWooWebhook,
} from '../src/woocommerce/index.js'
import { codeOf, wooRequest } from './woocommerce-helpers.js'

let woo: FakeWoo
afterEach(async () => {
  await woo?.close()
})

describe('phpJson', () => {
  it('escapes slashes and non-ASCII like PHP json_encode (surrogate pairs as two escapes, DEL raw)', () => {
    expect(phpJson({ a: 'x/y é 😀 \u007f', b: [1, null, true] })).toBe(
      '{"a":"x\\/y \\u00e9 \\ud83d\\ude00 \u007f","b":[1,null,true]}',
    )
    expect(phpJson('line\nbreak\u0001')).toBe('"line\\nbreak\\u0001"')
  })
})

describe('fake WooCommerce admin and test controls', () => {
  it('failNext answers as a host would, then recovers; the request log has no credentials', async () => {
    woo = createFakeWoo()
    woo.failNext(2, 429)
    const first = await wooRequest(woo, 'GET', '/products', { auth: 'query' })
    expect(first.status).toBe(429)
    expect(first.headers.get('retry-after')).toBe('1')
    expect((await wooRequest(woo, 'GET', '/products')).status).toBe(429)
    expect((await wooRequest(woo, 'GET', '/products')).status).toBe(200)
    woo.failNext(1)
    const fatal = await wooRequest(woo, 'GET', '/products')
    expect(fatal.status).toBe(500)
    expect(codeOf(fatal.json)).toBe('internal_server_error')
    expect(woo.requests.map((r) => r.status)).toEqual([429, 429, 200, 500])
    expect(JSON.stringify(woo.requests)).not.toContain(woo.credentials.consumerSecret)
    expect(() => woo.failNext(1, 200)).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }))
  })

  it('reset forgets the catalog, orders and webhooks but keeps the keys', async () => {
    woo = createFakeWoo({ webhookDelivery: 'manual' })
    woo.seedProducts(3)
    woo.addWebhook({ topic: 'product.updated', deliveryUrl: 'https://hooks.invalid/', secret: 'x' })
    woo.reset()
    const list = await wooRequest(woo, 'GET', '/products')
    expect(list.status).toBe(200)
    expect(list.headers.get('x-wp-total')).toBe('0')
    expect(woo.state.webhooks.size).toBe(0)
  })

  it('supports _fields, as a stock read with few fields does', async () => {
    woo = createFakeWoo()
    const [id] = woo.seedProducts(1, { variableEvery: 0, stock: 4 })
    const res = await wooRequest(
      woo,
      'GET',
      `/products/${id}?_fields=id,stock_quantity,manage_stock,date_modified_gmt`,
    )
    expect(Object.keys(res.json as object).sort()).toEqual([
      'date_modified_gmt',
      'id',
      'manage_stock',
      'stock_quantity',
    ])
    const list = await wooRequest(woo, 'GET', '/products?_fields=id,_links.self')
    expect((list.json as Array<Record<string, unknown>>)[0]).toEqual({
      id,
      _links: { self: [expect.objectContaining({ href: expect.stringContaining(`/products/${id}`) })] },
    })
  })

  it('seeds a few hundred products quickly and deterministically per seed', async () => {
    const started = performance.now()
    woo = createFakeWoo({ seed: 5 })
    const ids = woo.seedProducts(500)
    const again = createFakeWoo({ seed: 5 })
    again.seedProducts(500)
    expect(ids).toHaveLength(500)
    expect(woo.stockOf(ids[0] as number)).toBe(again.stockOf(ids[0] as number))
    expect([...woo.state.products.values()].filter((p) => p.type === 'variation')).toHaveLength(300)
    expect(performance.now() - started).toBeLessThan(2000)
    await again.close()
    expect(() => woo.seedProducts(-1)).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }))
    for (const baseUrl of ['not a url', 'https://shop.test/blog', 'ftp://shop.test']) {
      expect(() => createFakeWoo({ baseUrl })).toThrowError(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      )
    }
  })
})

describe('fakeWooContract bridge', () => {
  it('captures signed deliveries, forges a bad one, counts writes and fails on demand', async () => {
    const bridge = fakeWooContract()
    woo = bridge.woo
    await bridge.start()
    try {
      await bridge.reset()
      const { credentials, externalAccountId } = await bridge.connection()
      const secret = (credentials as { webhookSecret: string }).webhookSecret
      const seeded = await bridge.seedProduct({ title: 'Mug', sku: 'MUG', price: '5.00', quantity: 10 })
      await bridge.sell(seeded.inventoryItemId, 3)
      expect(await bridge.quantity(seeded.inventoryItemId)).toBe(7)
      const sent = await bridge.takeDeliveries()
      expect(sent.map((r) => r.headers.get('x-wc-webhook-topic'))).toEqual([
        'order.created',
        'order.updated',
        'product.updated',
      ])
      for (const r of sent) {
        expect(r.headers.get('x-wc-webhook-source')).toBe(`${externalAccountId}/`)
        expect(r.headers.get('x-wc-webhook-signature')).toBe(signWooWebhook(await r.text(), secret))
      }
      expect(await bridge.takeDeliveries()).toEqual([])
      const forged = await bridge.forgedDelivery()
      expect(forged.headers.get('x-wc-webhook-signature')).not.toBe(
        signWooWebhook(await forged.text(), secret),
      )
      const auth = `Basic ${Buffer.from(`${woo.credentials.consumerKey}:${woo.credentials.consumerSecret}`).toString('base64')}`
      const put = () =>
        fetch(`${externalAccountId}/wp-json/wc/v3/products/${seeded.inventoryItemId}`, {
          method: 'PUT',
          headers: { authorization: auth, 'content-type': 'application/json' },
          body: JSON.stringify({ stock_quantity: 5 }),
        })
      expect((await put()).status).toBe(200)
      bridge.failNext('server-error', 1)
      expect((await put()).status).toBe(500)
      expect(bridge.writes()).toBe(1)
    } finally {
      await bridge.stop()
    }
  })
})
