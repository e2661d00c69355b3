import { type Clock, PermanentError, RetryableError } from '@hub/core'
import { delay, HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { createShopifyClient, throwOnUserErrors, withPageSizeSplitting } from '../src/shopify-client.js'
import { CostPacer } from '../src/shopify-cost-pacer.js'
import {
  ShopifyGraphqlError,
  ShopifyMaxCostExceededError,
  ShopifyReauthRequiredError,
  ShopifyUserError,
} from '../src/shopify-errors.js'
import type { ShopifyAccessTokenSource } from '../src/shopify-token-manager.js'
import { readFixture } from './fixtures.js'

const SHOP = 'demo-shop.myshopify.com'
const ENDPOINT = `https://${SHOP}/admin/api/2026-10/graphql.json`
const TOKEN = 'shpat_secret_token_value'
const QUERY = 'query { shop { name } }'

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())

/** A clock whose sleep advances time instantly and records every wait. */
function fakeClock(): Clock & { waits: number[] } {
  let now = Date.parse('2026-11-25T12:00:00Z')
  const waits: number[] = []
  return {
    waits,
    now: () => new Date(now),
    sleep: async (ms) => {
      waits.push(ms)
      now += ms
    },
  }
}

function cost(requested: number, available: number, max = 2000, rate = 100) {
  return {
    requestedQueryCost: requested,
    actualQueryCost: requested,
    throttleStatus: { maximumAvailable: max, currentlyAvailable: available, restoreRate: rate },
  }
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('expected a failure')
    },
    (e: Error) => e,
  )
}

describe('requests', () => {
  it('posts the operation to the pinned version with the access token and validates data', async () => {
    let seen: { url: string; token: string | null; body: unknown } | null = null
    server.use(
      http.post(ENDPOINT, async ({ request }) => {
        seen = {
          url: request.url,
          token: request.headers.get('x-shopify-access-token'),
          body: await request.json(),
        }
        return HttpResponse.json({ data: { shop: { name: 'Demo' } }, extensions: { cost: cost(1, 1999) } })
      }),
    )
    const client = createShopifyClient({ shop: SHOP, auth: TOKEN })
    const result = await client.request(QUERY, {
      variables: { a: 1 },
      schema: z.object({ shop: z.object({ name: z.string() }) }),
    })
    expect(result.data.shop.name).toBe('Demo')
    expect(seen).toEqual({ url: ENDPOINT, token: TOKEN, body: { query: QUERY, variables: { a: 1 } } })
    expect(client.throttleStatus()).toEqual({
      maximumAvailable: 2000,
      currentlyAvailable: 1999,
      restoreRate: 100,
    })
    expect(client.apiVersion).toBe('2026-10')
  })

  it('reads the cost block of the recorded Shopify sample response', async () => {
    const sample = readFixture('graphql/product_query_with_cost.json') as { response: object }
    server.use(
      http.post(`https://${SHOP}/admin/api/2026-07/graphql.json`, () => HttpResponse.json(sample.response)),
    )
    const client = createShopifyClient({ shop: SHOP, auth: TOKEN, apiVersion: '2026-07' })
    const result = await client.request('query { product(id: "x") { id } }')
    expect(result.cost?.throttleStatus).toEqual({
      maximumAvailable: 1000,
      currentlyAvailable: 999,
      restoreRate: 50,
    })
    expect(result.data).toEqual({
      product: { id: 'gid://shopify/Product/7608002183224', title: 'Aera', handle: 'aera-helmet' },
    })
  })

  it('rejects a bad shop or version at construction', () => {
    expect(() => createShopifyClient({ shop: 'evil.com', auth: TOKEN })).toThrow('not a shop domain')
    expect(() => createShopifyClient({ shop: SHOP, auth: TOKEN, apiVersion: '../x' })).toThrow(
      'invalid API version',
    )
  })
})

describe('cost-aware pacing', () => {
  it('waits exactly as long as the bucket needs to restore the estimated cost', async () => {
    const clock = fakeClock()
    server.use(
      http.post(ENDPOINT, () =>
        HttpResponse.json({ data: { ok: true }, extensions: { cost: cost(50, 100, 1000, 50) } }),
      ),
    )
    const client = createShopifyClient({ shop: SHOP, auth: TOKEN, clock })
    await client.request(QUERY)
    expect(clock.waits).toEqual([])
    await client.request(QUERY, { estimatedCost: 300 })
    expect(clock.waits).toEqual([4000])
  })

  it('serializes pacing of clients sharing one shop’s bucket, so points are never counted twice', async () => {
    const clock = fakeClock()
    server.use(
      http.post(ENDPOINT, () =>
        HttpResponse.json({ data: { ok: true }, extensions: { cost: cost(1, 0, 1000, 50) } }),
      ),
    )
    const pacer = new CostPacer()
    const a = createShopifyClient({ shop: SHOP, auth: TOKEN, clock, pacer })
    const b = createShopifyClient({ shop: SHOP, auth: TOKEN, clock, pacer })
    await a.request(QUERY)
    await Promise.all([a.request(QUERY, { estimatedCost: 100 }), b.request(QUERY, { estimatedCost: 100 })])
    // Each waits for its own 100 points: the second does not reuse the points the first waited for.
    expect(clock.waits).toEqual([2000, 2000])
  })

  it('keeps a long import below the bucket: zero THROTTLED in steady state against a leaky bucket', async () => {
    const clock = fakeClock()
    const bucket = { max: 2000, rate: 100, available: 2000, at: clock.now().getTime() }
    let throttled = 0
    let served = 0
    server.use(
      http.post(ENDPOINT, () => {
        const now = clock.now().getTime()
        bucket.available = Math.min(bucket.max, bucket.available + ((now - bucket.at) / 1000) * bucket.rate)
        bucket.at = now
        const requested = 752
        const status = { maximumAvailable: bucket.max, restoreRate: bucket.rate }
        if (bucket.available < requested) {
          throttled += 1
          return HttpResponse.json({
            errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }],
            extensions: {
              cost: {
                requestedQueryCost: requested,
                actualQueryCost: null,
                throttleStatus: { ...status, currentlyAvailable: bucket.available },
              },
            },
          })
        }
        bucket.available -= requested
        served += 1
        return HttpResponse.json({
          data: { page: served },
          extensions: {
            cost: {
              requestedQueryCost: requested,
              actualQueryCost: requested,
              throttleStatus: { ...status, currentlyAvailable: bucket.available },
            },
          },
        })
      }),
    )
    const client = createShopifyClient({ shop: SHOP, auth: TOKEN, clock })
    for (let page = 0; page < 60; page += 1) await client.request(QUERY)
    expect(throttled).toBe(0)
    expect(served).toBe(60)
    // 60 × 752 points with 2000 up front at 100 points/s: the pacer waited no more than needed.
    const waited = clock.waits.reduce((a, b) => a + b, 0)
    expect(waited).toBeGreaterThanOrEqual(((60 * 752 - 2000 - 752) / 100) * 1000)
    expect(waited).toBeLessThanOrEqual(((60 * 752 - 2000) / 100) * 1000 + 60)
  })
})

describe('throttling and cost errors', () => {
  it('turns THROTTLED on HTTP 200 (recorded body) into a retryable error with the restore time', async () => {
    const sample = readFixture('graphql/throttled.json') as { response: object }
    server.use(http.post(ENDPOINT, () => HttpResponse.json(sample.response)))
    const error = await failure(createShopifyClient({ shop: SHOP, auth: TOKEN }).request(QUERY))
    expect(error).toBeInstanceOf(RetryableError)
    // (752 requested − 666 available) / 50 per second = 1.72 s
    expect(error).toMatchObject({ code: 'SHOPIFY_THROTTLED', retryAfterMs: 1720 })
  })

  it('waits exactly the restore time the THROTTLED answer implies, never less than 100 ms', async () => {
    const throttled = (requested: number, available: number) =>
      HttpResponse.json({
        errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED' } }],
        extensions: { cost: { ...cost(requested, available), actualQueryCost: null } },
      })
    const clock = fakeClock()
    const client = createShopifyClient({ shop: SHOP, auth: TOKEN, clock })
    server.use(http.post(ENDPOINT, () => throttled(752, 2)))
    expect(await failure(client.request(QUERY))).toMatchObject({ retryAfterMs: 7500 })
    server.use(http.post(ENDPOINT, () => throttled(5, 0)))
    expect(await failure(client.request('query { other }'))).toMatchObject({ retryAfterMs: 100 })
    // The second query was not paced: its cost was unknown, and the first one's is not reused.
    expect(clock.waits).toEqual([])
  })

  it('turns 429 into a retryable error honouring Retry-After, else at least a second', async () => {
    server.use(
      http.post(
        ENDPOINT,
        () => new HttpResponse('Too Many Requests', { status: 429, headers: { 'Retry-After': '2.0' } }),
      ),
    )
    const client = createShopifyClient({ shop: SHOP, auth: TOKEN })
    expect(await failure(client.request(QUERY))).toMatchObject({
      code: 'SHOPIFY_THROTTLED',
      retryAfterMs: 2000,
    })
    server.use(http.post(ENDPOINT, () => new HttpResponse(null, { status: 429 })))
    expect(await failure(client.request(QUERY))).toMatchObject({
      code: 'SHOPIFY_THROTTLED',
      retryAfterMs: 1000,
    })
  })

  it('reports MAX_COST_EXCEEDED as a typed error, and the splitter halves the page until it fits', async () => {
    const sizes: number[] = []
    server.use(
      http.post(ENDPOINT, async ({ request }) => {
        const { variables } = (await request.json()) as { variables: { first: number } }
        sizes.push(variables.first)
        if (variables.first * 5 > 1000) {
          return HttpResponse.json({
            errors: [
              {
                message: `Query cost is ${variables.first * 5}, which exceeds the single query max cost limit (1000).`,
                extensions: { code: 'MAX_COST_EXCEEDED', cost: variables.first * 5, maxCost: 1000 },
              },
            ],
          })
        }
        return HttpResponse.json({ data: { items: variables.first } })
      }),
    )
    const client = createShopifyClient({ shop: SHOP, auth: TOKEN })
    const error = await failure(client.request(QUERY, { variables: { first: 250 } }))
    expect(error).toBeInstanceOf(ShopifyMaxCostExceededError)
    expect(error).toMatchObject({ requestedCost: 1250 })
    const split = await withPageSizeSplitting(250, (first) => client.request(QUERY, { variables: { first } }))
    expect(split.pageSize).toBe(125)
    expect(sizes).toEqual([250, 250, 125])
    await expect(
      withPageSizeSplitting(4, () => Promise.reject(new ShopifyMaxCostExceededError('too big', 5000))),
    ).rejects.toBeInstanceOf(ShopifyMaxCostExceededError)
  })
})

describe('errors', () => {
  it('maps userErrors to ShopifyUserError with code and field', () => {
    expect(() => throwOnUserErrors('inventoryAdjustQuantities', [])).not.toThrow()
    let error: unknown
    try {
      throwOnUserErrors('inventoryAdjustQuantities', [
        {
          field: ['input', 'changes', '0', 'changeFromQuantity'],
          message: 'stale',
          code: 'CHANGE_FROM_QUANTITY_STALE',
        },
      ])
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ShopifyUserError)
    expect(error).toBeInstanceOf(PermanentError)
    expect(error).toMatchObject({
      code: 'CHANGE_FROM_QUANTITY_STALE',
      field: ['input', 'changes', '0', 'changeFromQuantity'],
    })
  })

  it('refreshes the token once on 401 and retries with the new one', async () => {
    const tokensSeen: (string | null)[] = []
    server.use(
      http.post(ENDPOINT, ({ request }) => {
        const token = request.headers.get('x-shopify-access-token')
        tokensSeen.push(token)
        if (token !== 'fresh')
          return HttpResponse.json({ errors: '[API] Invalid API key or access token' }, { status: 401 })
        return HttpResponse.json({ data: { ok: true } })
      }),
    )
    let refreshes = 0
    const source: ShopifyAccessTokenSource = {
      accessToken: async () => 'stale',
      refreshAfterUnauthorized: async (rejected) => {
        expect(rejected).toBe('stale')
        refreshes += 1
        return 'fresh'
      },
    }
    await expect(createShopifyClient({ shop: SHOP, auth: source }).request(QUERY)).resolves.toMatchObject({
      data: { ok: true },
    })
    expect(tokensSeen).toEqual(['stale', 'fresh'])
    expect(refreshes).toBe(1)

    const stillRejected: ShopifyAccessTokenSource = {
      ...source,
      refreshAfterUnauthorized: async () => 'also-bad',
    }
    expect(
      await failure(createShopifyClient({ shop: SHOP, auth: stillRejected }).request(QUERY)),
    ).toBeInstanceOf(ShopifyReauthRequiredError)
    expect(await failure(createShopifyClient({ shop: SHOP, auth: TOKEN }).request(QUERY))).toBeInstanceOf(
      ShopifyReauthRequiredError,
    )
  })

  it('makes 5xx, unreadable 200s, network failures and timeouts retryable', async () => {
    const client = createShopifyClient({ shop: SHOP, auth: TOKEN, timeoutMs: 50 })
    server.use(http.post(ENDPOINT, () => new HttpResponse('<html>Bad gateway</html>', { status: 502 })))
    expect(await failure(client.request(QUERY))).toMatchObject({ code: 'SHOPIFY_UNAVAILABLE' })
    server.use(
      http.post(ENDPOINT, () => new HttpResponse(null, { status: 503, headers: { 'Retry-After': '7' } })),
    )
    expect(await failure(client.request(QUERY))).toMatchObject({
      code: 'SHOPIFY_UNAVAILABLE',
      retryAfterMs: 7000,
    })
    server.use(http.post(ENDPOINT, () => new HttpResponse('<html>maintenance</html>', { status: 200 })))
    expect(await failure(client.request(QUERY))).toMatchObject({ code: 'SHOPIFY_RESPONSE_INVALID' })
    server.use(http.post(ENDPOINT, () => HttpResponse.error()))
    const network = await failure(client.request(QUERY))
    expect(network).toBeInstanceOf(RetryableError)
    expect(network).toMatchObject({ code: 'SHOPIFY_NETWORK' })
    server.use(
      http.post(ENDPOINT, async () => {
        await delay(1000)
        return HttpResponse.json({ data: {} })
      }),
    )
    expect(await failure(client.request(QUERY))).toMatchObject({ code: 'SHOPIFY_TIMEOUT' })
  })

  it('makes other 4xx and GraphQL errors permanent, with Shopify’s message and never the token', async () => {
    const client = createShopifyClient({ shop: SHOP, auth: TOKEN })
    server.use(http.post(ENDPOINT, () => HttpResponse.json({ errors: 'Unavailable Shop' }, { status: 402 })))
    const payment = await failure(client.request(QUERY))
    expect(payment).toBeInstanceOf(PermanentError)
    expect(payment).toMatchObject({ code: 'SHOPIFY_HTTP_402' })
    expect(payment.message).toContain('Unavailable Shop')
    server.use(
      http.post(ENDPOINT, () =>
        HttpResponse.json({
          errors: [{ message: 'Access denied for products field.', extensions: { code: 'ACCESS_DENIED' } }],
        }),
      ),
    )
    const denied = await failure(client.request(QUERY))
    expect(denied).toBeInstanceOf(ShopifyGraphqlError)
    expect(denied).toMatchObject({ code: 'ACCESS_DENIED' })
    server.use(http.post(ENDPOINT, () => HttpResponse.json({ data: { shop: { name: 42 } } })))
    const shape = await failure(
      client.request(QUERY, { schema: z.object({ shop: z.object({ name: z.string() }) }) }),
    )
    expect(shape).toMatchObject({ code: 'SHOPIFY_RESPONSE_INVALID' })
    for (const error of [payment, denied, shape]) expect(error.message).not.toContain(TOKEN)
  })
})
