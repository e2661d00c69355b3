import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createFakeWoo, type FakeWoo, phpJson, signWooWebhook } from '../src/woocommerce/index.js'
import { wooRequest } from './woocommerce-helpers.js'

interface Received {
  path: string
  headers: Record<string, string>
  body: string
}

/** A real receiver on 127.0.0.1 answering `statusFor(path)`. */
async function receiver(statusFor: (path: string) => number) {
  const received: Received[] = []
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v
      received.push({ path: req.url ?? '', headers, body: Buffer.concat(chunks).toString('utf8') })
      res.writeHead(statusFor(req.url ?? ''))
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

let woo: FakeWoo
afterEach(async () => {
  await woo?.close()
})

describe('fake WooCommerce webhooks over a real local server', () => {
  it('pings unsigned on creation, then delivers signed PHP-style JSON with X-WC-Webhook-* headers', async () => {
    const hooks = await receiver(() => 200)
    woo = createFakeWoo({ webhookDelivery: 'manual', homeUrl: 'http://shop.test' })
    const plain = await woo.listen()
    try {
      // A plain-HTTP store ignores query-string keys (is_ssl() is false), as recorded on :8080.
      const { consumerKey, consumerSecret } = woo.credentials
      const refused = await fetch(
        `${plain.url}/wp-json/wc/v3/webhooks?consumer_key=${consumerKey}&consumer_secret=${consumerSecret}`,
      )
      expect(refused.status).toBe(401)
      await woo.close()
      woo = createFakeWoo({ webhookDelivery: 'manual', homeUrl: 'http://shop.test', https: true })
      const secure = await woo.listen()
      const [pid] = woo.seedProducts(1, { variableEvery: 0, stock: 5 })
      const auth = `Basic ${Buffer.from(`${woo.credentials.consumerKey}:${woo.credentials.consumerSecret}`).toString('base64')}`
      const res = await fetch(`${secure.url}/wp-json/wc/v3/webhooks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify({
          topic: 'product.updated',
          delivery_url: `${hooks.url}/hook`,
          secret: 's3cr&t<',
        }),
      })
      expect(res.status).toBe(201)
      expect(res.headers.get('location')).toMatch(/\/wp-json\/wc\/v3\/webhooks\/\d+$/)
      // The ping arrived inside the request, before the 201.
      expect(hooks.received).toHaveLength(1)
      const ping = hooks.received[0] as Received
      expect(ping.body).toMatch(/^webhook_id=\d+$/)
      expect(ping.headers['content-type']).toBe('application/x-www-form-urlencoded')
      expect(Object.keys(ping.headers).some((h) => h.startsWith('x-wc-'))).toBe(false)

      const put = await fetch(`${secure.url}/wp-json/wc/v3/products/${pid}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify({ stock_quantity: 3, description: 'Ünïcode / slash' }),
      })
      expect(put.status).toBe(200)
      await woo.flushWebhooks()
      const delivery = hooks.received[1] as Received
      expect(delivery.headers['x-wc-webhook-topic']).toBe('product.updated')
      expect(delivery.headers['x-wc-webhook-resource']).toBe('product')
      expect(delivery.headers['x-wc-webhook-event']).toBe('updated')
      expect(delivery.headers['x-wc-webhook-source']).toBe('http://shop.test/')
      expect(delivery.headers['x-wc-webhook-delivery-id']).toMatch(/^[0-9a-f]{32}$/)
      expect(delivery.headers['x-wc-webhook-signature']).toBe(signWooWebhook(delivery.body, 's3cr&t<'))
      expect(delivery.headers['x-wc-webhook-signature']).not.toBe(
        signWooWebhook(JSON.stringify(JSON.parse(delivery.body)), 's3cr&t<'),
      )
      expect(delivery.body).toContain('\\/')
      expect(delivery.body).toContain('\\u00dcn\\u00efcode \\/ slash')
      expect(JSON.parse(delivery.body)).toMatchObject({ id: pid, stock_quantity: 3 })
    } finally {
      await hooks.close()
    }
  })

  it('never retries; disables after the 7th consecutive failure; re-activation keeps the count', async () => {
    const hooks = await receiver((path) => (path === '/ok' ? 200 : 500))
    woo = createFakeWoo({ webhookDelivery: 'manual', https: true })
    try {
      const [pid] = woo.seedProducts(1, { variableEvery: 0 })
      const res = await wooRequest(woo, 'POST', '/webhooks', {
        body: { topic: 'product.updated', delivery_url: `${hooks.url}/fail`, secret: 'x' },
      })
      expect(res.status).toBe(201) // the failed ping is ignored
      const wid = (res.json as { id: number }).id
      for (let n = 1; n <= 6; n++) {
        woo.updateProduct(pid as number, { name: `v${n}` })
        const sent = await woo.flushWebhooks()
        // One delivery, then a ping because the creation ping never got a 200; no retry.
        expect(sent.map((d) => d.kind)).toEqual(['topic', 'ping'])
        expect(woo.webhook(wid)).toMatchObject({ status: 'active', failureCount: n })
      }
      woo.updateProduct(pid as number, { name: 'v7' })
      expect((await woo.flushWebhooks()).map((d) => d.kind)).toEqual(['topic'])
      expect(woo.webhook(wid)?.status).toBe('disabled')
      woo.updateProduct(pid as number, { name: 'v8' })
      expect(await woo.flushWebhooks()).toEqual([])
      const get = await wooRequest(woo, 'GET', `/webhooks/${wid}`)
      expect(get.json).toMatchObject({ status: 'disabled' })
      const before = hooks.received.length
      const reactivated = await wooRequest(woo, 'PUT', `/webhooks/${wid}`, { body: { status: 'active' } })
      expect(reactivated.json).toMatchObject({ status: 'active' })
      expect(hooks.received.slice(before).map((r) => r.body)).toEqual([`webhook_id=${wid}`])
      woo.updateProduct(pid as number, { name: 'v9' })
      await woo.flushWebhooks()
      expect(woo.webhook(wid)?.status).toBe('disabled')
    } finally {
      await hooks.close()
    }
  })

  it('(derived from the code) a webhook whose ping failed pings again after a delivery until a ping succeeds', async () => {
    let healthy = false
    woo = createFakeWoo({
      webhookDelivery: 'manual',
      fetch: async () => new Response(null, { status: healthy ? 200 : 500 }),
    })
    const [pid] = woo.seedProducts(1, { variableEvery: 0 })
    const res = await wooRequest(woo, 'POST', '/webhooks', {
      body: { topic: 'product.updated', delivery_url: 'https://hooks.test/x', secret: 'x' },
    })
    const wid = (res.json as { id: number }).id
    expect(woo.webhook(wid)?.pendingDelivery).toBe(true)
    healthy = true
    woo.setStock(pid as number, 3)
    expect((await woo.flushWebhooks()).map((d) => d.kind)).toEqual(['topic', 'ping'])
    expect(woo.webhook(wid)?.pendingDelivery).toBe(false)
    woo.setStock(pid as number, 4)
    expect((await woo.flushWebhooks()).map((d) => d.kind)).toEqual(['topic'])
  })

  it('with safeRemoteRequests, a delivery to a loopback URL fails like wp_safe_remote_post', async () => {
    let sent = 0
    woo = createFakeWoo({
      webhookDelivery: 'manual',
      safeRemoteRequests: true,
      fetch: async () => {
        sent++
        return new Response(null, { status: 200 })
      },
    })
    const [pid] = woo.seedProducts(1, { variableEvery: 0 })
    const wid = woo.addWebhook({
      topic: 'product.updated',
      deliveryUrl: 'http://127.0.0.1:9999/hook',
      secret: 'x',
    })
    woo.setStock(pid as number, 1)
    const [delivery] = await woo.flushWebhooks()
    expect(delivery).toMatchObject({ status: null, error: 'A valid URL was not provided.' })
    expect(woo.webhook(wid)?.failureCount).toBe(1)
    expect(sent).toBe(0)
  })

  it('webhooks/batch creates (pinging each), updates and force-deletes, with per-item errors', async () => {
    const pings: string[] = []
    woo = createFakeWoo({
      webhookDelivery: 'manual',
      fetch: async (_url, init) => {
        pings.push(String(init?.body))
        return new Response(null, { status: 200 })
      },
    })
    const keep = woo.addWebhook({ topic: 'order.created', deliveryUrl: 'https://hooks.test/a', secret: 'a' })
    const res = await wooRequest(woo, 'POST', '/webhooks/batch', {
      body: {
        create: [
          { topic: 'product.updated', delivery_url: 'https://hooks.test/b', secret: 'b' },
          { topic: 'nope', delivery_url: 'https://hooks.test/c' },
        ],
        update: [
          { id: keep, status: 'paused' },
          { id: 999, status: 'active' },
        ],
        delete: [keep],
      },
    })
    expect(res.status).toBe(200)
    const body = res.json as Record<string, Array<{ id: number; status?: string; error?: { code: string } }>>
    expect(body['create']?.[0]).toMatchObject({ status: 'active', topic: 'product.updated' })
    expect(body['create']?.[1]).toMatchObject({
      id: 0,
      error: { code: 'woocommerce_rest_shop_webhook_invalid_topic' },
    })
    expect(body['update']?.[0]).toMatchObject({ id: keep, status: 'paused' })
    expect(body['update']?.[1]).toMatchObject({
      id: 999,
      error: { code: 'woocommerce_rest_shop_webhook_invalid_id' },
    })
    expect(body['delete']?.[0]).toMatchObject({ id: keep })
    expect(woo.webhook(keep)).toBeUndefined()
    expect(pings).toEqual([`webhook_id=${body['create']?.[0]?.id}`])
  })

  it('coalesces: two writes before the queue runs give one delivery with the final state', async () => {
    const hooks = await receiver(() => 200)
    woo = createFakeWoo({ webhookDelivery: 'manual' })
    try {
      const [pid] = woo.seedProducts(1, { variableEvery: 0 })
      woo.addWebhook({ topic: 'product.updated', deliveryUrl: `${hooks.url}/hook`, secret: 'x' })
      woo.setStock(pid as number, 11)
      woo.setStock(pid as number, 12)
      const sent = await woo.flushWebhooks()
      expect(sent).toHaveLength(1)
      expect(JSON.parse(sent[0]?.body ?? '{}')).toMatchObject({ stock_quantity: 12 })
    } finally {
      await hooks.close()
    }
  })

  it('a paid order sends order.created, order.updated, then product.updated per line (variation in product shape)', async () => {
    const hooks = await receiver(() => 200)
    woo = createFakeWoo({ webhookDelivery: 'manual' })
    try {
      const [simple, variable] = woo.seedProducts(2, { variableEvery: 2, variationsPerProduct: 2, stock: 10 })
      const variation = woo.product(variable as number)?.variationIds[0] as number
      for (const topic of ['order.created', 'order.updated', 'product.updated']) {
        woo.addWebhook({ topic, deliveryUrl: `${hooks.url}/hook`, secret: topic })
      }
      woo.createOrder({
        lineItems: [
          { productId: simple as number, quantity: 2 },
          { productId: variable as number, variationId: variation, quantity: 1 },
        ],
      })
      const sent = await woo.flushWebhooks()
      expect(sent.map((d) => `${d.topic}:${d.resourceId}`)).toEqual([
        `order.created:${sent[0]?.resourceId}`,
        `order.updated:${sent[0]?.resourceId}`,
        `product.updated:${simple}`,
        `product.updated:${variation}`,
      ])
      expect(JSON.parse(sent[3]?.body ?? '{}')).toMatchObject({
        type: 'variation',
        parent_id: variable,
        stock_quantity: 9,
      })
      expect(hooks.received).toHaveLength(4)
    } finally {
      await hooks.close()
    }
  })

  it('auto mode delivers on its own after the coalescing window; whenIdle() waits for it', async () => {
    const hooks = await receiver(() => 200)
    woo = createFakeWoo({ deliveryDelayMs: 5 })
    try {
      const [pid] = woo.seedProducts(1, { variableEvery: 0 })
      woo.addWebhook({ topic: 'product.updated', deliveryUrl: `${hooks.url}/hook`, secret: 'x' })
      woo.setStock(pid as number, 1)
      await woo.whenIdle()
      expect(hooks.received).toHaveLength(1)
    } finally {
      await hooks.close()
    }
  })
})

describe('fake WooCommerce fault switches (seeded)', () => {
  const run = async (seed: number, faults: { drop?: number; duplicate?: number; reorder?: number }) => {
    const fake = createFakeWoo({
      webhookDelivery: 'manual',
      seed,
      faults,
      fetch: async () => new Response('', { status: 200 }),
    })
    const ids = fake.seedProducts(20, { variableEvery: 0 })
    fake.addWebhook({ topic: 'product.updated', deliveryUrl: 'http://hooks.invalid/x', secret: 'x' })
    for (const id of ids) fake.setStock(id, 1)
    const sent = await fake.flushWebhooks()
    await fake.close()
    return { ids, sent }
  }

  it('drop loses deliveries (logged as dropped, never sent)', async () => {
    const { sent } = await run(7, { drop: 1 })
    expect(sent).toHaveLength(20)
    expect(sent.every((d) => d.dropped && d.status === null)).toBe(true)
  })

  it('duplicate sends a delivery twice', async () => {
    const { sent } = await run(7, { duplicate: 1 })
    expect(sent).toHaveLength(40)
    expect(sent[0]?.body).toBe(sent[1]?.body)
  })

  it('reorder swaps deliveries; the same seed gives the same pattern', async () => {
    const a = await run(42, { reorder: 0.5, drop: 0.2, duplicate: 0.2 })
    const b = await run(42, { reorder: 0.5, drop: 0.2, duplicate: 0.2 })
    const c = await run(43, { reorder: 0.5, drop: 0.2, duplicate: 0.2 })
    const pattern = (r: typeof a) => r.sent.map((d) => `${d.resourceId}${d.dropped ? 'x' : ''}`).join(',')
    expect(pattern(a)).toBe(pattern(b))
    expect(pattern(a)).not.toBe(pattern(c))
    const order = a.sent.map((d) => d.resourceId)
    expect(order).not.toEqual([...order].sort((x, y) => (x ?? 0) - (y ?? 0)))
  })
})

describe('fake WooCommerce on MSW', () => {
  const received: string[] = []
  const mswWoo = createFakeWoo({ baseUrl: 'https://msw-shop.test', webhookDelivery: 'manual' })
  const msw = setupServer(
    ...mswWoo.handlers,
    http.post('https://hooks.test/hook', async ({ request }) => {
      received.push(await request.text())
      return HttpResponse.text('ok')
    }),
  )
  // Requests to the local server (127.0.0.1) pass through to the network.
  beforeAll(() => msw.listen({ onUnhandledFrame: 'bypass' }))
  afterAll(async () => {
    msw.close()
    await mswWoo.close()
  })

  it('serves the same core as the local server, and tests intercept its deliveries', async () => {
    const [pid] = mswWoo.seedProducts(1, { variableEvery: 0, stock: 4 })
    const auth = `Basic ${Buffer.from(`${mswWoo.credentials.consumerKey}:${mswWoo.credentials.consumerSecret}`).toString('base64')}`
    const created = await fetch('https://msw-shop.test/wp-json/wc/v3/webhooks', {
      method: 'POST',
      headers: { authorization: auth, 'content-type': 'application/json' },
      body: JSON.stringify({
        topic: 'product.updated',
        delivery_url: 'https://hooks.test/hook',
        secret: 'k',
      }),
    })
    expect(created.status).toBe(201)
    const viaMsw = await fetch(`https://msw-shop.test/wp-json/wc/v3/products/${pid}`, {
      headers: { authorization: auth },
    })
    const local = await mswWoo.listen()
    const viaServer = await fetch(`${local.url}/wp-json/wc/v3/products/${pid}?consumer_key=x`, {
      headers: { authorization: auth },
    })
    // Plain HTTP server: Basic is ignored (is_ssl() false), exactly like the recorded store on :8080.
    expect(viaServer.status).toBe(401)
    expect(viaMsw.status).toBe(200)
    const direct = await mswWoo.handle(
      new Request(`https://msw-shop.test/wp-json/wc/v3/products/${pid}`, {
        headers: { authorization: auth },
      }),
    )
    expect(await direct.text()).toBe(await viaMsw.text())
    mswWoo.setStock(pid as number, 2)
    await mswWoo.flushWebhooks()
    expect(received[0]).toBe('webhook_id=1')
    expect(JSON.parse(received[1] ?? '{}')).toMatchObject({ id: pid, stock_quantity: 2 })
    expect(received[1]).toBe(phpJson(JSON.parse(received[1] ?? '{}')))
  })
})
