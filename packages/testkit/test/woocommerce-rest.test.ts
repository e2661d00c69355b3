import { afterEach, describe, expect, it } from 'vitest'
import { createFakeWoo, type FakeWoo, signWooOAuth1Url } from '../src/woocommerce/index.js'
import { codeOf, messageOf, wooRequest } from './woocommerce-helpers.js'

let woo: FakeWoo
afterEach(async () => {
  await woo.close()
})

type Row = { id: number; stock_quantity: number | null; sku: string }

describe('fake WooCommerce: pagination and filters', () => {
  it('pages 250 seeded products by 100 with totals and a Link chain (prev/next only)', async () => {
    woo = createFakeWoo({ webhookDelivery: 'manual' })
    const ids = woo.seedProducts(250)
    expect(ids).toHaveLength(250)
    const seen = new Set<number>()
    let path: string | null = '/products?per_page=100'
    let pages = 0
    while (path && pages < 10) {
      const res = await wooRequest(woo, 'GET', path)
      expect(res.status).toBe(200)
      expect(res.headers.get('x-wp-total')).toBe('250')
      expect(res.headers.get('x-wp-totalpages')).toBe('3')
      for (const p of res.json as Row[]) seen.add(p.id)
      const next = /<([^>]+)>; rel="next"/.exec(res.headers.get('link') ?? '')?.[1]
      expect(res.headers.get('link') ?? '').not.toContain('rel="first"')
      path = next ? next.slice(`${woo.baseUrl}/wp-json/wc/v3`.length) : null
      pages++
    }
    expect(pages).toBe(3)
    expect([...seen].sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b))
  })

  it('refuses per_page above 100 with the recorded rest_invalid_param body', async () => {
    woo = createFakeWoo()
    const res = await wooRequest(woo, 'GET', '/products?per_page=101')
    expect(res.status).toBe(400)
    expect(codeOf(res.json)).toBe('rest_invalid_param')
    expect(res.json).toMatchObject({
      data: { status: 400, params: { per_page: expect.stringContaining('100') } },
    })
    expect((await wooRequest(woo, 'GET', '/products?per_page=0')).status).toBe(400)
    expect((await wooRequest(woo, 'GET', '/products?page=0')).status).toBe(400)
  })

  it('modified_after returns only what changed after the timestamp (second precision)', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z')
    woo = createFakeWoo({ now: () => new Date(now), webhookDelivery: 'manual' })
    const [a, b] = woo.seedProducts(2, { variableEvery: 0 })
    now += 60_000
    woo.setStock(b as number, 7)
    const res = await wooRequest(woo, 'GET', '/products?modified_after=2030-01-01T00:00:30')
    expect((res.json as Row[]).map((p) => p.id)).toEqual([b])
    expect(res.headers.get('x-wp-total')).toBe('1')
    const all = await wooRequest(woo, 'GET', '/products?modified_after=2029-12-31T23:59:59Z')
    expect((all.json as Row[]).map((p) => p.id).sort()).toEqual([a, b].sort())
  })

  it('lists variations separately; a variable parent shows variation ids and a computed stock status', async () => {
    woo = createFakeWoo()
    const [parentId] = woo.seedProducts(1, { variableEvery: 1, variationsPerProduct: 2, stock: 0 })
    const parent = await wooRequest(woo, 'GET', `/products/${parentId}`)
    expect(parent.json).toMatchObject({ type: 'variable', stock_status: 'outofstock', stock_quantity: null })
    const variations = await wooRequest(woo, 'GET', `/products/${parentId}/variations`)
    expect(variations.json as Row[]).toHaveLength(2)
    const vid = (variations.json as Row[])[0]?.id as number
    await wooRequest(woo, 'PUT', `/products/${parentId}/variations/${vid}`, { body: { stock_quantity: 4 } })
    expect(
      ((await wooRequest(woo, 'GET', `/products/${parentId}`)).json as { stock_status: string }).stock_status,
    ).toBe('instock')
    const viaProducts = await wooRequest(woo, 'GET', `/products/${vid}`)
    expect(viaProducts.json).toMatchObject({
      type: 'variation',
      parent_id: parentId,
      stock_quantity: 4,
      total_sales: '0',
    })
  })
})

describe('fake WooCommerce: variation changes and the parent', () => {
  it('an order on a variation moves the parent date_modified (modified_after finds it) without a parent webhook', async () => {
    let now = Date.parse('2030-01-01T00:00:00Z')
    woo = createFakeWoo({
      now: () => new Date(now),
      webhookDelivery: 'manual',
      fetch: async () => new Response(null, { status: 200 }),
    })
    const [parentId] = woo.seedProducts(1, { variableEvery: 1, variationsPerProduct: 2, stock: 5 })
    const vid = woo.product(parentId as number)?.variationIds[0] as number
    woo.addWebhook({ topic: 'product.updated', deliveryUrl: 'https://hooks.invalid/', secret: 'x' })
    now += 60_000
    woo.createOrder({ lineItems: [{ productId: parentId as number, variationId: vid, quantity: 1 }] })
    const changed = await wooRequest(woo, 'GET', '/products?modified_after=2030-01-01T00:00:30Z')
    expect((changed.json as Row[]).map((p) => p.id)).toEqual([parentId])
    const queued = await woo.flushWebhooks()
    expect(queued.map((d) => d.resourceId)).toEqual([vid])
  })
})

describe('fake WooCommerce: authentication as WooCommerce does it', () => {
  it('accepts Basic and query-string keys only over HTTPS', async () => {
    woo = createFakeWoo({ baseUrl: 'https://shop.test', aliases: ['http://shop.test'] })
    expect((await wooRequest(woo, 'GET', '/products', { auth: 'basic' })).status).toBe(200)
    expect((await wooRequest(woo, 'GET', '/products', { auth: 'query' })).status).toBe(200)
    for (const auth of ['basic', 'query', 'none'] as const) {
      const res = await wooRequest(woo, 'GET', '/products', { auth, base: 'http://shop.test' })
      expect(res.status).toBe(401)
      expect(messageOf(res.json)).toBe('Sorry, you cannot list resources.')
    }
  })

  it('can pose as HTTPS behind a recognised proxy, or refuse Basic behind an unrecognised one', async () => {
    woo = createFakeWoo({ baseUrl: 'http://proxied.test', https: true })
    expect((await wooRequest(woo, 'GET', '/products')).status).toBe(200)
    await woo.close()
    woo = createFakeWoo({ baseUrl: 'https://proxied.test', https: false })
    expect((await wooRequest(woo, 'GET', '/products')).status).toBe(401)
  })

  it('answers "Consumer secret is invalid." for a right key with a wrong secret', async () => {
    woo = createFakeWoo()
    const res = await wooRequest(woo, 'GET', '/products', {
      auth: { basic: { ...woo.credentials, consumerSecret: 'cs_wrong' } },
    })
    expect(res.status).toBe(401)
    expect(res.json).toEqual({
      code: 'woocommerce_rest_authentication_error',
      message: 'Consumer secret is invalid.',
      data: { status: 401 },
    })
  })

  it('verifies OAuth 1.0a over HTTP (HMAC-SHA256 and HMAC-SHA1), nonces and timestamps', async () => {
    const now = Date.parse('2030-01-01T00:00:00Z')
    woo = createFakeWoo({ baseUrl: 'http://plain.test', now: () => new Date(now) })
    const { consumerKey, consumerSecret } = woo.credentials
    const ts = Math.floor(now / 1000)
    const send = (url: string) => woo.handle(new Request(url))
    const signed = (nonce: string, extra: Partial<Parameters<typeof signWooOAuth1Url>[0]> = {}) =>
      signWooOAuth1Url({
        method: 'GET',
        url: 'http://plain.test/wp-json/wc/v3/products?per_page=5&search=a b/c',
        consumerKey,
        consumerSecret,
        nonce,
        timestamp: ts,
        ...extra,
      })
    expect((await send(signed('n1'))).status).toBe(200)
    expect((await send(signed('n2', { signatureMethod: 'HMAC-SHA1' }))).status).toBe(200)
    const replay = await send(signed('n1'))
    expect(replay.status).toBe(401)
    expect(messageOf(await replay.json())).toBe('Invalid nonce - nonce has already been used.')
    const stale = await send(signed('n3', { timestamp: ts - 16 * 60 }))
    expect(messageOf(await stale.json())).toBe('Invalid timestamp.')
    const tampered = await send(signed('n4').replace('per_page=5', 'per_page=6'))
    expect(messageOf(await tampered.json())).toBe('Invalid signature - provided signature does not match.')
    const wrongSecret = await send(signed('n5', { consumerSecret: 'cs_nope' }))
    expect(messageOf(await wrongSecret.json())).toBe('Invalid signature - provided signature does not match.')
    const unknownKey = await send(signed('n6', { consumerKey: 'ck_nope' }))
    expect(messageOf(await unknownKey.json())).toBe('Consumer key is invalid.')
    // PHP array parameters are signed as `include%255B0%255D%3D…`, names with a dot as `_`.
    const arrays = await send(
      signWooOAuth1Url({
        method: 'GET',
        url: 'http://plain.test/wp-json/wc/v3/products?include[]=1&include[]=2&a.b=c',
        consumerKey,
        consumerSecret,
        nonce: 'n7',
        timestamp: ts,
      }),
    )
    expect(arrays.status).toBe(200)
    const partial = await send('http://plain.test/wp-json/wc/v3/products?oauth_consumer_key=ck&oauth_nonce=x')
    expect(codeOf(await partial.json())).toBe('woocommerce_rest_authentication_missing_parameter')
  })

  it('accepts OAuth parameters in an Authorization: OAuth header', async () => {
    const now = Date.parse('2030-01-01T00:00:00Z')
    woo = createFakeWoo({ baseUrl: 'http://plain.test', now: () => new Date(now) })
    const signedUrl = new URL(
      signWooOAuth1Url({
        method: 'GET',
        url: 'http://plain.test/wp-json/wc/v3/products',
        ...woo.credentials,
        nonce: 'hdr',
        timestamp: Math.floor(now / 1000),
      }),
    )
    const header = `OAuth ${[...signedUrl.searchParams].map(([k, v]) => `${k}="${encodeURIComponent(v)}"`).join(', ')}`
    const res = await woo.handle(
      new Request('http://plain.test/wp-json/wc/v3/products', { headers: { authorization: header } }),
    )
    expect(res.status).toBe(200)
  })

  it('enforces key scopes with the recorded messages', async () => {
    woo = createFakeWoo()
    const [id] = woo.seedProducts(1, { variableEvery: 0 })
    const read = woo.addKey('read')
    const write = woo.addKey('write')
    expect((await wooRequest(woo, 'GET', `/products/${id}`, { auth: { basic: read } })).status).toBe(200)
    const put = await wooRequest(woo, 'PUT', `/products/${id}`, {
      auth: { basic: read },
      body: { stock_quantity: 1 },
    })
    expect(put.status).toBe(401)
    expect(messageOf(put.json)).toBe('The API key provided does not have write permissions.')
    expect(woo.stockOf(id as number)).not.toBe(1)
    const get = await wooRequest(woo, 'GET', `/products/${id}`, { auth: { basic: write } })
    expect(messageOf(get.json)).toBe('The API key provided does not have read permissions.')
    expect(
      (
        await wooRequest(woo, 'PUT', `/products/${id}`, {
          auth: { basic: write },
          body: { stock_quantity: 1 },
        })
      ).status,
    ).toBe(200)
    expect(woo.stockOf(id as number)).toBe(1)
  })
})

describe('fake WooCommerce: writes, batch and stock', () => {
  it('batch is non-transactional with per-item errors; invalid stock silently becomes 0; limit 100', async () => {
    woo = createFakeWoo({ webhookDelivery: 'manual' })
    const [a, b, c] = woo.seedProducts(3, { variableEvery: 0, stock: 5 })
    const res = await wooRequest(woo, 'POST', '/products/batch', {
      body: {
        create: [
          { name: 'Dup', sku: woo.product(a as number)?.sku },
          { name: 'New', sku: 'NEW-1' },
        ],
        update: [
          { id: a, stock_quantity: 9 },
          { id: 999999, stock_quantity: 1 },
          { id: b, stock_quantity: 'abc' },
        ],
        delete: [c, 888888],
      },
    })
    expect(res.status).toBe(200)
    const body = res.json as Record<
      string,
      Array<{ id: number; error?: { code: string; data: { status: number } } }>
    >
    expect(body['create']?.[0]).toMatchObject({ id: 0, error: { code: 'product_invalid_sku' } })
    expect(body['create']?.[1]?.error).toBeUndefined()
    expect(body['update']?.[1]).toEqual({
      id: 999999,
      error: { code: 'woocommerce_rest_product_invalid_id', message: 'Invalid ID.', data: { status: 400 } },
    })
    expect(body['delete']?.[1]?.error?.data.status).toBe(404)
    expect(woo.stockOf(a as number)).toBe(9)
    expect(woo.stockOf(b as number)).toBe(0)
    expect(woo.product(c as number)).toBeUndefined()
    const tooMany = await wooRequest(woo, 'POST', '/products/batch', {
      body: { update: Array.from({ length: 101 }, () => ({ id: a, stock_quantity: 1 })) },
    })
    expect(tooMany.status).toBe(413)
    expect(codeOf(tooMany.json)).toBe('woocommerce_rest_request_entity_too_large')
  })

  it('honours X-HTTP-Method-Override and _method on POST (hosts that block PUT/DELETE)', async () => {
    woo = createFakeWoo()
    const [a, b] = woo.seedProducts(2, { variableEvery: 0, stock: 1 })
    const viaHeader = await wooRequest(woo, 'POST', `/products/${a}?force=true`, {
      headers: { 'x-http-method-override': 'DELETE' },
    })
    expect(viaHeader.status).toBe(200)
    expect(woo.product(a as number)).toBeUndefined()
    const viaQuery = await wooRequest(woo, 'POST', `/products/${b}?_method=DELETE`)
    expect(viaQuery.status).toBe(200)
    expect(woo.product(b as number)?.status).toBe('trash')
  })

  it('validates single writes: 2.5 and "abc" refused, "3" accepted; PUT on a missing product is 400', async () => {
    woo = createFakeWoo()
    const [id] = woo.seedProducts(1, { variableEvery: 0 })
    for (const bad of [2.5, 'abc']) {
      const res = await wooRequest(woo, 'PUT', `/products/${id}`, { body: { stock_quantity: bad } })
      expect(res.status).toBe(400)
      expect(res.headers.get('allow')).toBe('GET, POST, PUT, PATCH, DELETE')
    }
    expect(
      (await wooRequest(woo, 'PUT', `/products/${id}`, { body: { stock_quantity: '3' } })).json,
    ).toMatchObject({
      stock_quantity: 3,
    })
    const missing = await wooRequest(woo, 'PUT', '/products/999999', { body: { stock_quantity: 1 } })
    expect(missing.status).toBe(400)
    expect(codeOf(missing.json)).toBe('woocommerce_rest_product_invalid_id')
    const badJson = await wooRequest(woo, 'PUT', `/products/${id}`, { body: '{"stock_quantity": 1,' })
    expect(codeOf(badJson.json)).toBe('rest_invalid_json')
  })

  it('a PUT of stock_quantity overwrites a concurrent order decrement (no compare-and-swap)', async () => {
    woo = createFakeWoo({ webhookDelivery: 'manual' })
    const [id] = woo.seedProducts(1, { variableEvery: 0, stock: 10 })
    const read = (await wooRequest(woo, 'GET', `/products/${id}`)).json as Row
    expect(read.stock_quantity).toBe(10)
    // A customer buys 2 between our read and our write.
    const order = await wooRequest(woo, 'POST', '/orders', {
      body: { status: 'processing', set_paid: true, line_items: [{ product_id: id, quantity: 2 }] },
    })
    expect(order.status).toBe(201)
    expect(woo.stockOf(id as number)).toBe(8)
    // Our write, computed from the stale read (10 - 1 sold elsewhere), silently loses the order's decrement.
    await wooRequest(woo, 'PUT', `/products/${id}`, { body: { stock_quantity: 9 } })
    expect(woo.stockOf(id as number)).toBe(9)
    // Cancelling restores the 2 units on top of the overwritten value.
    await wooRequest(woo, 'PUT', `/orders/${(order.json as Row).id}`, { body: { status: 'cancelled' } })
    expect(woo.stockOf(id as number)).toBe(11)
  })

  it('orders decrement stock atomically under concurrency; pending orders do not; cancel restores', async () => {
    woo = createFakeWoo({ webhookDelivery: 'manual' })
    const [id] = woo.seedProducts(1, { variableEvery: 0, stock: 100 })
    const orders = await Promise.all(
      Array.from({ length: 40 }, () =>
        wooRequest(woo, 'POST', '/orders', {
          body: { status: 'processing', set_paid: true, line_items: [{ product_id: id, quantity: 2 }] },
        }),
      ),
    )
    expect(orders.every((o) => o.status === 201)).toBe(true)
    expect(woo.stockOf(id as number)).toBe(20)
    await wooRequest(woo, 'POST', '/orders', { body: { line_items: [{ product_id: id, quantity: 5 }] } })
    expect(woo.stockOf(id as number)).toBe(20)
    const firstOrderId = (orders[0]!.json as Row).id
    woo.setOrderStatus(firstOrderId, 'cancelled')
    expect(woo.stockOf(id as number)).toBe(22)
    const notes = await wooRequest(woo, 'GET', `/orders/${firstOrderId}/notes`)
    expect(JSON.stringify(notes.json)).toContain('Stock levels increased')
  })

  it('the checkout helper refuses out-of-stock lines with a typed error', async () => {
    woo = createFakeWoo({ webhookDelivery: 'manual' })
    const [id] = woo.seedProducts(1, { variableEvery: 0, stock: 1 })
    expect(() => woo.createOrder({ lineItems: [{ productId: id as number, quantity: 2 }] })).toThrowError(
      expect.objectContaining({ code: 'WOO_OUT_OF_STOCK' }),
    )
    expect(woo.stockOf(id as number)).toBe(1)
    woo.createOrder({ lineItems: [{ productId: id as number, quantity: 1 }] })
    expect(woo.stockOf(id as number)).toBe(0)
  })

  it('a variation whose parent manages stock sells from the parent ("manage_stock": "parent")', async () => {
    woo = createFakeWoo({ webhookDelivery: 'manual' })
    const parent = woo.seedProduct({
      type: 'variable',
      name: 'Parent',
      manageStock: true,
      stockQuantity: 10,
      attributes: [{ id: 0, name: 'Size', position: 0, visible: true, variation: true, options: ['S'] }],
    })
    const v = woo.seedProduct({
      parentId: parent.id,
      regularPrice: '5.00',
      variationAttributes: [{ id: 0, name: 'Size', option: 'S' }],
    })
    const json = (await wooRequest(woo, 'GET', `/products/${parent.id}/variations/${v.id}`)).json
    expect(json).toMatchObject({ manage_stock: 'parent', stock_quantity: 10 })
    woo.createOrder({ lineItems: [{ productId: parent.id, variationId: v.id, quantity: 3 }] })
    expect(woo.stockOf(parent.id)).toBe(7)
    expect(woo.stockOf(v.id)).toBe(7)
  })
})
