import { ConfigError, PermanentError, RetryableError } from '@hub/core'
import { delay, HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createWooClient, type WooClient } from '../src/woocommerce-client.js'
import { parseWooGmt, toWooGmt } from '../src/woocommerce-dates.js'
import { WooRequestError, WooRetryableError } from '../src/woocommerce-errors.js'
import { oauthBaseString, oauthSignature, phpQueryParams } from '../src/woocommerce-oauth1.js'
import {
  wooBatchResponseSchema,
  wooOrderSchema,
  wooProductSchema,
  wooRefundSchema,
  wooWebhookSchema,
} from '../src/woocommerce-schemas.js'
import { allExchanges, exchange, type RecordedExchange } from './fixtures.js'

const keys = { consumerKey: `ck_${'x'.repeat(40)}`, consumerSecret: `cs_${'x'.repeat(40)}` }
const HTTPS = 'https://127.0.0.1:8443'
const HTTP = 'http://127.0.0.1:8080'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

interface Seen {
  method: string
  url: URL
  authorization: string | null
  body: string
}

/** Answer every request with `respond`, recording what was sent. */
function intercept(respond: (seen: Seen) => Response | Promise<Response>): Seen[] {
  const seen: Seen[] = []
  server.use(
    http.all('*', async ({ request }) => {
      const entry = {
        method: request.method,
        url: new URL(request.url),
        authorization: request.headers.get('authorization'),
        body: await request.text(),
      }
      seen.push(entry)
      return respond(entry)
    }),
  )
  return seen
}

function recorded(data: RecordedExchange): Response {
  return new HttpResponse(data.response.body, {
    status: data.response.status,
    headers: data.response.headers,
  })
}

function httpsClient(extra: Partial<Parameters<typeof createWooClient>[0]> = {}): WooClient {
  return createWooClient({ storeUrl: HTTPS, keys, policy: { allowPrivate: true }, ...extra })
}

function oauthClient(): WooClient {
  return createWooClient({ storeUrl: HTTP, keys, policy: { allowPrivate: true, allowHttp: true } })
}

/** Call the typed client method that matches a recorded request. */
async function replay(client: WooClient, data: RecordedExchange): Promise<unknown> {
  const { method } = data.request
  const url = new URL(data.request.path, 'http://x')
  const path = url.pathname.replace(/^\/wp-json\/wc\/v3\//, '')
  const query = Object.fromEntries([...url.searchParams].filter(([k]) => !k.startsWith('oauth_')))
  const json = parseBody(data.request.body)
  const ids = (re: RegExp): number[] | null => {
    const m = path.match(re)
    return m ? m.slice(1).map(Number) : null
  }
  const [a = 0, b = 0] = ids(/^\w+\/(\d+)(?:\/\w+\/(\d+))?/) ?? []
  if (method === 'GET') {
    if (path === 'products') {
      const { page = '1', per_page = '10', ...rest } = query
      // the client refuses per_page > 100 itself; replay the recorded 400 through the raw request
      if (Number(per_page) > 100)
        return client.request('GET', path, { schema: wooProductSchema.array(), query })
      return client.listProducts(Number(page), { perPage: Number(per_page), query: rest })
    }
    if (ids(/^products\/(\d+)$/)) return client.getProduct(a)
    if (ids(/^products\/(\d+)\/variations\/(\d+)$/)) return client.getVariation(a, b)
    if (ids(/^products\/(\d+)\/variations$/)) {
      const pages = []
      for await (const page of client.variations(a, { perPage: 10, query })) pages.push(page)
      return pages
    }
    if (ids(/^orders\/(\d+)$/)) return client.getOrder(a)
    if (path === 'orders') return client.orders({ perPage: Number(query.per_page ?? 10) }).next()
    if (ids(/^orders\/(\d+)\/refunds$/)) return client.orderRefunds(a)
    if (ids(/^orders\/(\d+)\/notes$/)) return client.orderNotes(a)
    if (path === 'webhooks') return client.listWebhooks()
    if (ids(/^webhooks\/(\d+)$/)) return client.getWebhook(a)
    return client.request('GET', path, { schema: wooProductSchema })
  }
  if (ids(/^products\/(\d+)$/) && method === 'PUT') {
    const quantity = json?.stock_quantity
    if (json && Object.keys(json).join() === 'stock_quantity' && Number.isInteger(quantity)) {
      return client.setStock({ id: a }, quantity as number)
    }
    return client.request('PUT', path, { schema: wooProductSchema, json: json ?? data.request.body })
  }
  if (ids(/^products\/(\d+)\/variations\/(\d+)$/) && method === 'PUT') {
    return client.setStock({ id: b, parentId: a }, Number(json?.stock_quantity))
  }
  if (path.endsWith('batch')) {
    const update = (json?.update ?? []) as Array<{ id: number; stock_quantity: unknown }>
    if (method === 'POST' && update.length > 0 && update.every((u) => Number.isInteger(u.stock_quantity))) {
      const parent = ids(/^products\/(\d+)\/variations\/batch$/)
      return client.batchUpdateStock(
        update.map((u) => ({ id: u.id, quantity: u.stock_quantity as number })),
        parent ? { parentId: a } : {},
      )
    }
    return client.request(method, path, { schema: wooBatchResponseSchema, json })
  }
  if (path === 'webhooks' && method === 'POST') {
    const body = json as { name: string; topic: string; delivery_url: string; secret: string }
    return client.createWebhook({
      name: body.name,
      topic: body.topic,
      deliveryUrl: body.delivery_url,
      secret: body.secret,
    })
  }
  if (ids(/^webhooks\/(\d+)$/) && method === 'PUT') {
    return client.updateWebhook(a, { status: (json as { status: 'active' }).status })
  }
  if (/^orders\/\d+\/refunds$/.test(path))
    return client.request(method, path, { schema: wooRefundSchema, json })
  if (/^orders(\/\d+)?$/.test(path)) return client.request(method, path, { schema: wooOrderSchema, json })
  if (/^webhooks/.test(path)) return client.request(method, path, { schema: wooWebhookSchema, json })
  return client.request(method, path, { schema: wooProductSchema, json, query })
}

function parseBody(body: string | null): Record<string, unknown> | undefined {
  if (body === null) return undefined
  try {
    return JSON.parse(body) as Record<string, unknown>
  } catch {
    return undefined // the recorded invalid-JSON request: sent as a JSON string instead
  }
}

/** `request()` answers `{data, headers, status}`; the typed methods answer the resource. */
function resource(value: unknown): unknown {
  return value && typeof value === 'object' && 'headers' in value && 'data' in value
    ? (value as { data: unknown }).data
    : value
}

describe('every recorded REST response', () => {
  const cases = allExchanges().filter(({ data }) => data.request.path.startsWith('/wp-json/'))

  it('covers the recordings', () => {
    expect(cases.length).toBeGreaterThan(90)
  })

  for (const { name, data } of cases) {
    it(`${name}: ${data.response.status}`, async () => {
      const seen = intercept(() => recorded(data))
      const client = data.request.base.startsWith('http:') ? oauthClient() : httpsClient()
      const outcome = await replay(client, data).then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      )
      // the client sent what the recording sent
      expect(seen[0]?.method).toBe(data.request.method)
      expect(seen[0]?.url.pathname).toBe(new URL(data.request.path, 'http://x').pathname)
      const status = data.response.status
      if (status >= 200 && status < 300) {
        if (!outcome.ok) throw outcome.error
        const body = JSON.parse(data.response.body) as unknown
        if (body && !Array.isArray(body) && typeof body === 'object' && 'id' in body) {
          expect(resource(outcome.value)).toMatchObject({ id: (body as { id: number }).id })
        }
      } else {
        expect(outcome.ok).toBe(false)
        const error = (outcome as { error: unknown }).error
        expect(error).toBeInstanceOf(WooRequestError)
        const wp = JSON.parse(data.response.body) as { code: string }
        const typed = error as WooRequestError
        expect(typed.status).toBe(status)
        expect(typed.wooCode).toBe(wp.code)
        expect(typed.code).toBe(status === 401 || status === 403 ? 'WOO_AUTH_FAILED' : wp.code)
        expect(typed.message).not.toContain(keys.consumerSecret)
      }
    })
  }
})

describe('authentication', () => {
  const list = exchange('products/list-page1-per_page2.json')

  it('uses Basic over https and keeps keys out of the URL', async () => {
    const seen = intercept(() => recorded(list))
    await httpsClient().listProducts(1, { perPage: 2 })
    const expected = `Basic ${Buffer.from(`${keys.consumerKey}:${keys.consumerSecret}`).toString('base64')}`
    expect(seen[0]?.authorization).toBe(expected)
    expect(seen[0]?.url.href).not.toContain('cs_')
    expect(seen[0]?.url.protocol).toBe('https:')
  })

  it('falls back to query-string keys over https when asked (hosts that strip Authorization)', async () => {
    const seen = intercept(() => recorded(list))
    const client = httpsClient({ auth: 'query' })
    await client.listProducts(1, { perPage: 2 })
    expect(seen[0]?.authorization).toBeNull()
    expect(seen[0]?.url.searchParams.get('consumer_key')).toBe(keys.consumerKey)
    expect(seen[0]?.url.searchParams.get('consumer_secret')).toBe(keys.consumerSecret)
  })

  it('never sends Basic or query keys over plain http', async () => {
    const seen = intercept(() => recorded(list))
    const policy = { allowHttp: true, allowPrivate: true }
    expect(() => createWooClient({ storeUrl: HTTP, keys, policy, auth: 'basic' })).toThrow(ConfigError)
    expect(() => createWooClient({ storeUrl: HTTP, keys, policy, auth: 'query' })).toThrow(ConfigError)
    expect(() => createWooClient({ storeUrl: HTTP, keys })).toThrow(/https/)
    // auto on http means OAuth 1.0a: no Authorization header, no secret anywhere on the wire
    const client = createWooClient({ storeUrl: HTTP, keys, policy })
    expect(client.authMode).toBe('oauth1')
    await client.listProducts(1, { perPage: 2 })
    expect(seen).toHaveLength(1)
    expect(seen[0]?.authorization).toBeNull()
    expect(seen[0]?.url.href).not.toContain(keys.consumerSecret)
    expect(seen[0]?.url.searchParams.get('consumer_secret')).toBeNull()
  })

  it('signs OAuth requests so WooCommerce would accept them', async () => {
    const seen = intercept(() => recorded(exchange('products/list-page1-per_page2-oauth-http.json')))
    const now = Date.UTC(2026, 10, 25, 12)
    const client = createWooClient({
      storeUrl: HTTP,
      keys,
      policy: { allowHttp: true, allowPrivate: true },
      now: () => now,
    })
    const page = await client.listProducts(1, { perPage: 2 })
    expect(page.items).toHaveLength(2)
    const url = seen[0]?.url as URL
    expect(url.searchParams.get('oauth_timestamp')).toBe(String(now / 1000))
    // recompute the signature the way the server does
    const params = phpQueryParams(url.search)
    const given = params.get('oauth_signature')
    params.delete('oauth_signature')
    const base = oauthBaseString('GET', url, params)
    expect(given).toBe(oauthSignature(base, keys.consumerSecret, 'HMAC-SHA256'))
  })

  it('OAuth over an https URL (TLS proxy WordPress does not see) signs with an http base', async () => {
    const seen = intercept(() => recorded(list))
    await httpsClient({ auth: 'oauth1' }).listProducts(1, { perPage: 2 })
    const url = seen[0]?.url as URL
    expect(url.protocol).toBe('https:')
    const params = phpQueryParams(url.search)
    const given = params.get('oauth_signature')
    params.delete('oauth_signature')
    expect(given).toBe(
      oauthSignature(oauthBaseString('GET', url, params, 'http'), keys.consumerSecret, 'HMAC-SHA256'),
    )
    expect(seen[0]?.authorization).toBeNull()
  })

  it('keeps query-string keys out of errors and their causes', async () => {
    intercept(() => HttpResponse.error())
    const error = (await httpsClient({ auth: 'query' })
      .getProduct(18)
      .catch((e: unknown) => e)) as Error
    expect(error).toBeInstanceOf(WooRetryableError)
    expect(`${error.message} ${String(error.cause)} ${JSON.stringify(error)}`).not.toContain(
      keys.consumerSecret,
    )
  })

  it('ping: true with working keys, false when the store refuses them', async () => {
    intercept(() => recorded(exchange('wc-auth/use-granted-key.json')))
    expect(await httpsClient().ping()).toBe(true)
    server.resetHandlers()
    intercept(() => recorded(exchange('wc-auth/use-key-from-failed-callback.json')))
    expect(await httpsClient().ping()).toBe(false)
  })

  it('refuses missing keys', () => {
    expect(() =>
      createWooClient({
        storeUrl: 'https://shop.example.com',
        keys: { consumerKey: '', consumerSecret: '' },
      }),
    ).toThrow(ConfigError)
  })
})

describe('pagination', () => {
  const pages = [1, 2, 3].map((n) => exchange(`products/list-page${n}-per_page2.json`))

  it('walks X-WP-TotalPages and yields every product once', async () => {
    const seen = intercept(({ url }) => {
      const page = Number(url.searchParams.get('page'))
      return recorded(pages[page - 1] ?? exchange('products/list-page-beyond-end.json'))
    })
    const ids: number[] = []
    const meta: Array<[number, number | null, number | null]> = []
    for await (const page of httpsClient().products({ perPage: 2 })) {
      ids.push(...page.items.map((p) => p.id))
      meta.push([page.page, page.total, page.totalPages])
    }
    expect(ids).toHaveLength(6)
    expect(new Set(ids).size).toBe(6)
    expect(meta).toEqual([
      [1, 6, 3],
      [2, 6, 3],
      [3, 6, 3],
    ])
    expect(seen.map((s) => s.url.searchParams.get('per_page'))).toEqual(['2', '2', '2'])
  })

  it("reports the store's clock from the Date header", async () => {
    intercept(() => HttpResponse.json([], { headers: { date: 'Wed, 25 Nov 2026 11:22:04 GMT' } }))
    const page = await httpsClient().listProducts(1)
    expect(page.serverDate?.toISOString()).toBe('2026-11-25T11:22:04.000Z')
  })

  it('resumes from a page and stops on an empty page', async () => {
    intercept(() => recorded(exchange('products/list-page-beyond-end.json')))
    const got = []
    for await (const page of httpsClient().products({ perPage: 2, startPage: 99 })) got.push(page)
    expect(got).toEqual([])
  })

  it('refuses per_page above 100 before sending anything', async () => {
    const seen = intercept(() => recorded(pages[0] as RecordedExchange))
    await expect(httpsClient().listProducts(1, { perPage: 101 })).rejects.toBeInstanceOf(ConfigError)
    expect(seen).toHaveLength(0)
  })

  it('sends modified_after as GMT', async () => {
    const seen = intercept(() => recorded(exchange('products/list-modified_after.json')))
    const got = []
    for await (const page of httpsClient().products({ modifiedAfter: new Date('2026-11-25T11:21:10Z') }))
      got.push(page)
    expect(got[0]?.items.map((p) => p.name)).toEqual(['Fixture Poster'])
    const q = seen[0]?.url.searchParams
    expect(q?.get('modified_after')).toBe('2026-11-25T11:21:10')
    expect(q?.get('dates_are_gmt')).toBe('true')
    expect(q?.get('per_page')).toBe('100')
    // id order: pages do not shift when an item is modified during the walk
    expect(q?.get('orderby')).toBe('id')
    expect(q?.get('order')).toBe('asc')
  })

  it('orders with modified_after', async () => {
    const seen = intercept(() => recorded(exchange('orders/list-orders.json')))
    const orders = []
    for await (const page of httpsClient().orders({ modifiedAfter: new Date(0), status: 'any' }))
      orders.push(...page.items)
    expect(orders.map((o) => o.id)).toEqual([27])
    expect(orders[0]?.line_items.map((l) => [l.product_id, l.variation_id, l.quantity])).toEqual([
      [18, 0, 2],
      [23, 25, 1],
    ])
    expect(seen[0]?.url.searchParams.get('modified_after')).toBe('1970-01-01T00:00:00')
  })
})

describe('typed errors', () => {
  it('429 is retryable and honours Retry-After seconds', async () => {
    intercept(() =>
      HttpResponse.json(
        { code: 'too_many', message: 'slow down' },
        { status: 429, headers: { 'retry-after': '7' } },
      ),
    )
    const error = await httpsClient()
      .getProduct(18)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RetryableError)
    expect(error).toMatchObject({
      code: 'WOO_THROTTLED',
      retryAfterMs: 7000,
      status: 429,
      wooCode: 'too_many',
    })
  })

  it('5xx is retryable, with an HTTP-date Retry-After', async () => {
    const at = new Date(Date.now() + 60_000).toUTCString()
    intercept(
      () => new HttpResponse('<html>bad gateway</html>', { status: 503, headers: { 'retry-after': at } }),
    )
    const error = (await httpsClient()
      .getProduct(18)
      .catch((e: unknown) => e)) as WooRetryableError
    expect(error).toBeInstanceOf(WooRetryableError)
    expect(error.code).toBe('WOO_SERVER_ERROR')
    expect(error.retryAfterMs).toBeGreaterThan(50_000)
    expect(error.retryAfterMs).toBeLessThanOrEqual(60_000)
  })

  it('timeouts and network failures are retryable', async () => {
    intercept(async () => {
      await delay(500)
      return HttpResponse.json({})
    })
    await expect(httpsClient({ timeoutMs: 50 }).getProduct(18)).rejects.toMatchObject({ code: 'WOO_TIMEOUT' })
    server.resetHandlers()
    intercept(() => HttpResponse.error())
    const error = await httpsClient()
      .getProduct(18)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RetryableError)
    expect(error).toMatchObject({ code: 'WOO_NETWORK' })
  })

  it('a 200 that is not JSON (a WAF page) is retryable; a JSON of the wrong shape is permanent', async () => {
    intercept(() => new HttpResponse('<html>challenge</html>', { status: 200 }))
    await expect(httpsClient().getProduct(18)).rejects.toMatchObject({ code: 'WOO_BAD_RESPONSE' })
    server.resetHandlers()
    intercept(() => HttpResponse.json({ nope: true }))
    const error = await httpsClient()
      .getProduct(18)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PermanentError)
    expect(error).toMatchObject({ code: 'WOO_UNEXPECTED_RESPONSE' })
  })

  it('does not follow redirects (they could downgrade to http or change host)', async () => {
    const seen = intercept(({ url }) =>
      url.hostname === '127.0.0.1'
        ? new HttpResponse(null, { status: 301, headers: { location: 'http://evil.example.com/steal' } })
        : HttpResponse.json({ id: 1 }),
    )
    await expect(httpsClient().getProduct(18)).rejects.toMatchObject({ code: 'WOO_REDIRECT' })
    expect(seen).toHaveLength(1)
  })

  it('refuses invalid ids before sending', async () => {
    const seen = intercept(() => HttpResponse.json({}))
    await expect(httpsClient().getProduct(-1)).rejects.toBeInstanceOf(ConfigError)
    await expect(httpsClient().getProduct(1.5)).rejects.toBeInstanceOf(ConfigError)
    expect(seen).toHaveLength(0)
  })
})

describe('stock writes', () => {
  it('PUTs an absolute quantity on the product or the variation', async () => {
    const seen = intercept(() => recorded(exchange('stock/put-variation-stock_quantity.json')))
    const variation = await httpsClient().setStock({ id: 24, parentId: 23 }, 4)
    expect(variation).toMatchObject({ id: 24, stock_quantity: 4, manage_stock: true })
    expect(seen[0]?.method).toBe('PUT')
    expect(seen[0]?.url.pathname).toBe('/wp-json/wc/v3/products/23/variations/24')
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ stock_quantity: 4 })
  })

  it('returns per-item batch errors instead of throwing', async () => {
    intercept(() => recorded(exchange('stock/batch-update-valid-and-missing-id.json')))
    const result = await httpsClient().batchUpdateStock([
      { id: 18, quantity: 6 },
      { id: 999999, quantity: 1 },
    ])
    expect(result.updated.map((p) => [p.id, p.stock_quantity])).toEqual([[18, 6]])
    expect(result.failed).toEqual([
      { id: 999999, code: 'woocommerce_rest_product_invalid_id', message: 'Invalid ID.', status: 400 },
    ])
  })

  it('never sends a non-integer quantity (a batch would silently store 0)', async () => {
    const seen = intercept(() => HttpResponse.json([]))
    await expect(httpsClient().batchUpdateStock([{ id: 21, quantity: Number.NaN }])).rejects.toBeInstanceOf(
      ConfigError,
    )
    await expect(httpsClient().setStock({ id: 21 }, 2.5)).rejects.toBeInstanceOf(ConfigError)
    expect(seen).toHaveLength(0)
  })

  it('splits batches at 100 items', async () => {
    const seen = intercept(() => HttpResponse.json([]))
    const updates = Array.from({ length: 150 }, (_, i) => ({ id: i + 1, quantity: 1 }))
    await httpsClient().batchUpdateStock(updates)
    expect(seen.map((s) => (JSON.parse(s.body) as { update: unknown[] }).update.length)).toEqual([100, 50])
  })
})

describe('webhooks via REST', () => {
  it('creates with our own secret and refuses to create without one', async () => {
    const seen = intercept(() => recorded(exchange('webhooks/create-product-updated.json')))
    const created = await httpsClient().createWebhook({
      name: 'fx product.updated',
      topic: 'product.updated',
      deliveryUrl: 'http://127.0.0.1:9999/hook',
      secret: 'fixture-secret-product-updated',
    })
    expect(created).toMatchObject({ id: 6, status: 'active', topic: 'product.updated' })
    expect(JSON.parse(seen[0]?.body ?? '')).toMatchObject({ secret: 'fixture-secret-product-updated' })
    await expect(
      httpsClient().createWebhook({
        topic: 'product.updated',
        deliveryUrl: 'https://x.example.com',
        secret: '',
      }),
    ).rejects.toBeInstanceOf(ConfigError)
  })

  it('deletes with force=true', async () => {
    const seen = intercept(() => recorded(exchange('webhooks/get-webhook.json')))
    await httpsClient().deleteWebhook(6)
    expect(seen[0]?.method).toBe('DELETE')
    expect(seen[0]?.url.searchParams.get('force')).toBe('true')
  })
})

describe('dates', () => {
  it('round-trips WooCommerce GMT dates', () => {
    expect(parseWooGmt('2026-11-25T11:20:54')?.toISOString()).toBe('2026-11-25T11:20:54.000Z')
    expect(parseWooGmt(null)).toBeNull()
    expect(parseWooGmt('garbage')).toBeNull()
    expect(toWooGmt(new Date('2026-11-25T11:20:54.789Z'))).toBe('2026-11-25T11:20:54')
  })
})
