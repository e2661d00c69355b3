import { createHmac } from 'node:crypto'
import type { Connection, Json, RawWebhookRequest, WebhookConnection } from '@hub/core'
import { WebhookError } from '@hub/core'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createWooClient } from '../src/woocommerce-client.js'
import {
  createWebhookSecret,
  ensureWebhooks,
  findInactiveWebhooks,
  reactivateWebhook,
  webhookDeliveryUrl,
} from '../src/woocommerce-webhook-registration.js'
import {
  createWooWebhooks,
  isPing,
  WOO_INVENTORY_ORDER,
  WOO_PRODUCT_REFRESH,
} from '../src/woocommerce-webhooks.js'
import { allDeliveries, exchange, headerMap, type RecordedDelivery, webhookSecrets } from './fixtures.js'

const STORE = 'http://127.0.0.1:8080/'
const webhooks = createWooWebhooks()

function connection(credentials: Json): WebhookConnection {
  const now = new Date()
  const row: Connection = {
    id: 'conn-1',
    sellerId: 'seller-1',
    provider: 'woocommerce',
    externalAccountId: STORE,
    status: 'active',
    statusReason: null,
    policy: { inboundCatalog: true, inboundInventory: true, outboundInventory: true },
    credentials: null,
    settings: { currency: 'USD' },
    createdAt: now,
    updatedAt: now,
  }
  return { connection: row, credentials }
}

const target = connection({ webhookSecrets })

function toRequest(delivery: RecordedDelivery, patch: Partial<RawWebhookRequest> = {}): RawWebhookRequest {
  return {
    method: delivery.request.method,
    url: delivery.request.url,
    headers: headerMap(delivery.request.raw_headers),
    rawBody: new TextEncoder().encode(delivery.request.body),
    ...patch,
  }
}

async function refusal(fn: () => unknown): Promise<WebhookError> {
  try {
    await fn()
  } catch (error) {
    if (error instanceof WebhookError) return error
    throw error
  }
  throw new Error('expected a WebhookError')
}

const deliveries = allDeliveries()
const signed = deliveries.filter(
  ({ delivery }) => headerMap(delivery.request.raw_headers)['x-wc-webhook-signature'],
)
const pings = deliveries.filter(
  ({ delivery }) => !headerMap(delivery.request.raw_headers)['x-wc-webhook-signature'],
)

describe('every recorded delivery', () => {
  it('has signed deliveries and pings to check', () => {
    expect(signed.length).toBeGreaterThanOrEqual(45)
    expect(pings.length).toBeGreaterThanOrEqual(10)
  })

  for (const { file, index, delivery } of signed) {
    it(`verifies and parses ${file}#${index}`, async () => {
      const request = toRequest(delivery)
      expect(webhooks.identify(request)).toBe(STORE)
      await expect(webhooks.verify(request, target)).resolves.toBeUndefined()
      const parsed = webhooks.parse(request, target)
      expect(parsed.kind).toBe('event')
      if (parsed.kind !== 'event') return
      expect(parsed.topic).toBe(request.headers['x-wc-webhook-topic'])
      expect(parsed.providerEventId).toMatch(/^wc:[0-9a-f]{12}:\d+:[a-z]+\.[a-z]+:\d+:/)
      // a tampered body or a wrong secret is refused
      const tampered = { ...request, rawBody: new TextEncoder().encode(`${delivery.request.body} `) }
      expect((await refusal(() => webhooks.verify(tampered, target))).status).toBe(401)
      expect(
        (await refusal(() => webhooks.verify(request, connection({ webhookSecret: 'wrong' })))).status,
      ).toBe(401)
    })
  }

  for (const { file, index, delivery } of pings) {
    it(`answers the ping ${file}#${index}`, async () => {
      const request = toRequest(delivery, {
        url: `/hook?source=${encodeURIComponent('http://127.0.0.1:8080')}`,
      })
      expect(isPing(request)).toBe(true)
      expect(webhooks.identify(request)).toBe(STORE)
      await expect(webhooks.verify(request, null)).resolves.toBeUndefined()
      expect(webhooks.parse(request, target)).toEqual({ kind: 'ping', topic: 'ping' })
    })
  }
})

function find(file: string, seq: number): RecordedDelivery {
  const hit = deliveries.find((d) => d.file === file && d.delivery.seq === seq)
  if (!hit) throw new Error(`no delivery ${file} seq ${seq}`)
  return hit.delivery
}

describe('event ids', () => {
  it('differ for the two deliveries that share one X-WC-Webhook-Delivery-ID', () => {
    const a = find('deliveries-orders-create.json', 31)
    const b = find('deliveries-orders-create.json', 32)
    expect(headerMap(a.request.raw_headers)['x-wc-webhook-delivery-id']).toBe(
      headerMap(b.request.raw_headers)['x-wc-webhook-delivery-id'],
    )
    const ida = webhooks.parse(toRequest(a), target)
    const idb = webhooks.parse(toRequest(b), target)
    expect(ida.kind === 'event' && idb.kind === 'event' && ida.providerEventId !== idb.providerEventId).toBe(
      true,
    )
  })

  it('are equal for the same state rendered twice (related_ids shuffled)', () => {
    const a = find('deliveries-stock-unmanaged.json', 23)
    const b = find('deliveries-stock-unmanaged.json', 24)
    expect(a.request.body).not.toBe(b.request.body)
    const pa = webhooks.parse(toRequest(a), target)
    const pb = webhooks.parse(toRequest(b), target)
    expect(pa.kind === 'event' && pb.kind === 'event' && pa.providerEventId === pb.providerEventId).toBe(true)
  })

  it('survive re-serialization of the stored payload (the engine re-plans from it)', () => {
    const delivery = find('deliveries-stock-put-product.json', 16)
    const first = webhooks.parse(toRequest(delivery), target)
    if (first.kind !== 'event') throw new Error('expected an event')
    const replanned = webhooks.parse(
      toRequest(delivery, { rawBody: new TextEncoder().encode(JSON.stringify(first.payload)) }),
      target,
    )
    expect(replanned.kind === 'event' && replanned.providerEventId).toBe(first.providerEventId)
    expect(replanned.kind === 'event' && replanned.work).toEqual(first.work)
  })

  it('differ between stores', () => {
    const delivery = find('deliveries-product-delete-trash.json', 44)
    const other = toRequest(delivery)
    other.headers = { ...other.headers, 'x-wc-webhook-source': 'https://other.example.com/' }
    const a = webhooks.parse(toRequest(delivery), target)
    const b = webhooks.parse(other, target)
    expect(a.kind === 'event' && b.kind === 'event' && a.providerEventId !== b.providerEventId).toBe(true)
  })
})

describe('routing to work items', () => {
  it('a managed simple product: catalog.change with the normalized product, and a reconcile', () => {
    const parsed = webhooks.parse(toRequest(find('deliveries-orders-create.json', 31)), target)
    if (parsed.kind !== 'event') throw new Error('expected an event')
    expect(parsed.occurredAt?.toISOString()).toBe('2026-11-25T11:22:04.000Z')
    const ops = parsed.work.map((w) => [w.operation, w.entityType, w.externalId])
    expect(ops).toEqual([
      ['inventory.reconcile', 'inventory_item', '18'],
      ['catalog.change', 'product', '18'],
    ])
    expect(parsed.work[1]?.payload).toMatchObject({
      externalId: '18',
      currency: 'USD',
      variants: [{ quantity: 4 }],
    })
  })

  it('a variation: reconcile the variation, refresh the parent product', () => {
    const parsed = webhooks.parse(toRequest(find('deliveries-orders-create.json', 32)), target)
    if (parsed.kind !== 'event') throw new Error('expected an event')
    expect(parsed.work.map((w) => [w.operation, w.entityType, w.externalId])).toEqual([
      ['inventory.reconcile', 'inventory_item', '25'],
      [WOO_PRODUCT_REFRESH, 'product', '23'],
    ])
  })

  it('an unmanaged product: catalog only', () => {
    const parsed = webhooks.parse(
      toRequest(find('deliveries-products-modify-for-modified_after.json', 15)),
      target,
    )
    if (parsed.kind !== 'event') throw new Error('expected an event')
    expect(parsed.work.map((w) => w.operation)).toEqual(['catalog.change'])
  })

  it('order.created and order.updated of one change share one inventory.order key', () => {
    const created = webhooks.parse(toRequest(find('deliveries-orders-create.json', 29)), target)
    const updated = webhooks.parse(toRequest(find('deliveries-orders-create.json', 30)), target)
    if (created.kind !== 'event' || updated.kind !== 'event') throw new Error('expected events')
    expect(created.providerEventId).not.toBe(updated.providerEventId)
    expect(created.work).toHaveLength(1)
    expect(created.work[0]).toMatchObject({
      operation: WOO_INVENTORY_ORDER,
      entityType: 'order',
      externalId: '27',
      idempotencyKey: 'inventory.order:27:2026-11-25T11:22:04',
      payload: {
        orderId: 27,
        status: 'processing',
        lines: [
          { lineId: 3, productId: 18, variationId: 0, quantity: 2 },
          { lineId: 4, productId: 23, variationId: 25, quantity: 1 },
        ],
      },
    })
    expect(updated.work[0]?.idempotencyKey).toBe(created.work[0]?.idempotencyKey)
    // the cancel is a later change: a new key
    const cancel = webhooks.parse(toRequest(find('deliveries-orders-cancel.json', 33)), target)
    expect(cancel.kind === 'event' && cancel.work[0]?.idempotencyKey).toBe(
      'inventory.order:27:2026-11-25T11:22:14',
    )
  })

  it('product.deleted is recorded but plans nothing (polling finds deletions)', () => {
    const parsed = webhooks.parse(toRequest(find('deliveries-product-delete-trash.json', 44)), target)
    expect(parsed).toMatchObject({ kind: 'event', topic: 'product.deleted', work: [] })
  })

  it('other topics are recorded without work', () => {
    const delivery = find('deliveries-product-delete-trash.json', 44)
    const request = toRequest(delivery)
    request.headers = { ...request.headers, 'x-wc-webhook-topic': 'coupon.created' }
    expect(webhooks.parse(request, target)).toMatchObject({ kind: 'event', work: [] })
  })
})

describe('malformed deliveries', () => {
  const base = find('deliveries-stock-put-product.json', 16)
  const secret = webhookSecrets['6'] as string
  const sign = (body: string) => createHmac('sha256', secret).update(body).digest('base64')
  const withBody = (body: string, signature = sign(body)): RawWebhookRequest => {
    const request = toRequest(base, { rawBody: new TextEncoder().encode(body) })
    request.headers = { ...request.headers, 'x-wc-webhook-signature': signature }
    return request
  }
  const without = (name: string): RawWebhookRequest => {
    const request = toRequest(base)
    const { [name]: _dropped, ...rest } = request.headers
    return { ...request, headers: rest }
  }

  it('missing source: 400 from identify', async () => {
    expect((await refusal(() => webhooks.identify(without('x-wc-webhook-source')))).status).toBe(400)
    const bad = toRequest(base)
    bad.headers = { ...bad.headers, 'x-wc-webhook-source': 'ftp://nope' }
    expect((await refusal(() => webhooks.identify(bad))).status).toBe(400)
  })

  it('missing or wrong signature, unknown connection, no secret: 401', async () => {
    expect((await refusal(() => webhooks.verify(without('x-wc-webhook-signature'), target))).code).toBe(
      'WEBHOOK_SIGNATURE_MISSING',
    )
    expect((await refusal(() => webhooks.verify(withBody(base.request.body, 'AAAA'), target))).status).toBe(
      401,
    )
    expect(
      (await refusal(() => webhooks.verify(withBody(base.request.body, '!!not base64'), target))).status,
    ).toBe(401)
    expect((await refusal(() => webhooks.verify(toRequest(base), null))).status).toBe(401)
    expect(
      (await refusal(() => webhooks.verify(toRequest(base), connection({ consumerKey: 'x' })))).status,
    ).toBe(401)
  })

  it('a wrong webhook id picks a secret that does not match: 401', async () => {
    const request = toRequest(base)
    request.headers = { ...request.headers, 'x-wc-webhook-id': '9' }
    expect((await refusal(() => webhooks.verify(request, target))).status).toBe(401)
  })

  it('empty, non-JSON, non-object and wrong-shape bodies with a valid signature: 400 from parse', async () => {
    for (const body of ['', '   ', 'not json', '[1,2]', '"str"', '{"id":"x"}', '{"name":"no id"}']) {
      const request = withBody(body)
      await expect(webhooks.verify(request, target)).resolves.toBeUndefined()
      expect((await refusal(() => webhooks.parse(request, target))).status).toBe(400)
    }
    const invalidUtf8 = toRequest(base, { rawBody: new Uint8Array([0xff, 0xfe, 0x7b]) })
    expect((await refusal(() => webhooks.parse(invalidUtf8, target))).status).toBe(400)
  })

  it('missing topic: 400 from parse', async () => {
    expect((await refusal(() => webhooks.parse(without('x-wc-webhook-topic'), target))).status).toBe(400)
  })

  it('a ping-shaped body that carries a signature is not a ping', async () => {
    const request = withBody('webhook_id=6', 'AAAA')
    expect(isPing(request)).toBe(false)
    expect((await refusal(() => webhooks.verify(request, target))).status).toBe(401)
  })

  it('accepts a secret WordPress stored HTML-escaped', async () => {
    const raw = 'a&b<c'
    const body = base.request.body
    const request = toRequest(base)
    request.headers = {
      ...request.headers,
      'x-wc-webhook-signature': createHmac('sha256', raw).update(body).digest('base64'),
    }
    await expect(
      webhooks.verify(request, connection({ webhookSecret: 'a&amp;b&lt;c' })),
    ).resolves.toBeUndefined()
  })
})

describe('registration via REST', () => {
  const server = setupServer()
  beforeAll(() => server.listen({ onUnhandledFrame: 'error' }))
  afterEach(() => server.resetHandlers())
  afterAll(() => server.close())

  const client = () =>
    createWooClient({
      storeUrl: 'https://127.0.0.1:8443',
      keys: { consumerKey: `ck_${'x'.repeat(40)}`, consumerSecret: `cs_${'x'.repeat(40)}` },
      policy: { allowPrivate: true },
    })

  it('detects the recorded disabled webhook and re-activates it', async () => {
    const disabled = exchange('webhooks/failing-webhook-after-put-7.json')
    const reactivated = exchange('webhooks/failing-webhook-reactivate.json')
    const puts: string[] = []
    server.use(
      http.get('https://127.0.0.1:8443/wp-json/wc/v3/webhooks', () =>
        HttpResponse.json([JSON.parse(disabled.response.body)], { headers: { 'x-wp-totalpages': '1' } }),
      ),
      http.put('https://127.0.0.1:8443/wp-json/wc/v3/webhooks/10', async ({ request }) => {
        puts.push(await request.text())
        return new HttpResponse(reactivated.response.body, { headers: reactivated.response.headers })
      }),
    )
    const inactive = await findInactiveWebhooks(client(), 'http://127.0.0.1:9999/hook500')
    expect(inactive.map((h) => [h.id, h.status])).toEqual([[10, 'disabled']])
    expect(await findInactiveWebhooks(client(), 'http://elsewhere.example.com/')).toEqual([])
    const back = await reactivateWebhook(client(), 10, 'fixture-secret-failing')
    expect(back.status).toBe('active')
    expect(JSON.parse(puts[0] ?? '')).toEqual({ status: 'active', secret: 'fixture-secret-failing' })
  })

  it('ensureWebhooks creates missing topics, re-activates disabled ones, keeps active ones', async () => {
    const deliveryUrl = webhookDeliveryUrl(
      'https://hub.example.com/hooks/woocommerce',
      'https://shop.example.com/',
    )
    expect(deliveryUrl).toBe(
      'https://hub.example.com/hooks/woocommerce?source=https%3A%2F%2Fshop.example.com%2F',
    )
    const listed = [
      { id: 1, name: 'a', status: 'active', topic: 'product.updated', delivery_url: deliveryUrl },
      { id: 2, name: 'b', status: 'disabled', topic: 'order.updated', delivery_url: deliveryUrl },
      {
        id: 3,
        name: 'c',
        status: 'active',
        topic: 'order.created',
        delivery_url: 'https://other.example.com/',
      },
    ]
    const created: Array<Record<string, string>> = []
    const updated: number[] = []
    let nextId = 10
    server.use(
      http.get('https://127.0.0.1:8443/wp-json/wc/v3/webhooks', () =>
        HttpResponse.json(listed, { headers: { 'x-wp-totalpages': '1' } }),
      ),
      http.post('https://127.0.0.1:8443/wp-json/wc/v3/webhooks', async ({ request }) => {
        const body = (await request.json()) as Record<string, string>
        created.push(body)
        return HttpResponse.json({ id: nextId++, status: 'active', ...body }, { status: 201 })
      }),
      http.put('https://127.0.0.1:8443/wp-json/wc/v3/webhooks/:id', ({ params }) => {
        updated.push(Number(params.id))
        return HttpResponse.json({ ...listed[1], status: 'active' })
      }),
    )
    const secret = createWebhookSecret()
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const result = await ensureWebhooks(client(), { deliveryUrl, secret })
    expect(result.unchanged.map((h) => h.id)).toEqual([1])
    expect(result.reactivated.map((h) => h.id)).toEqual([2])
    expect(updated).toEqual([2])
    expect(created.map((c) => c.topic)).toEqual(['product.created', 'product.deleted', 'order.created'])
    expect(created.every((c) => c.secret === secret && c.delivery_url === deliveryUrl)).toBe(true)
  })

  it('re-creates a disabled webhook when asked (re-activation keeps the failure count)', async () => {
    const deliveryUrl = 'https://hub.example.com/hooks'
    const calls: string[] = []
    server.use(
      http.get('https://127.0.0.1:8443/wp-json/wc/v3/webhooks', () =>
        HttpResponse.json([{ id: 2, status: 'disabled', topic: 'order.updated', delivery_url: deliveryUrl }]),
      ),
      http.delete('https://127.0.0.1:8443/wp-json/wc/v3/webhooks/2', ({ request }) => {
        calls.push(`delete ${new URL(request.url).searchParams.get('force')}`)
        return HttpResponse.json({
          id: 2,
          status: 'disabled',
          topic: 'order.updated',
          delivery_url: deliveryUrl,
        })
      }),
      http.post('https://127.0.0.1:8443/wp-json/wc/v3/webhooks', () => {
        calls.push('create')
        return HttpResponse.json({
          id: 11,
          status: 'active',
          topic: 'order.updated',
          delivery_url: deliveryUrl,
        })
      }),
    )
    const result = await ensureWebhooks(client(), {
      deliveryUrl,
      secret: 's',
      topics: ['order.updated'],
      recreateDisabled: true,
    })
    expect(calls).toEqual(['delete true', 'create'])
    expect(result.created.map((h) => h.id)).toEqual([11])
  })
})
