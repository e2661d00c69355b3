import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { fixtureUrl, gql, setup } from './shopify-helpers.js'

const costFixture = JSON.parse(readFileSync(fixtureUrl('graphql/product_query_with_cost.json'), 'utf8'))
const throttledFixture = JSON.parse(readFileSync(fixtureUrl('graphql/throttled.json'), 'utf8'))

function keysDeep(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return typeof value
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, keysDeep(v)]))
}

describe('fake Shopify: calculated query cost and the leaky bucket', () => {
  test('a single product costs 1 and extensions.cost has the fixture shape', async () => {
    const { fake, token } = setup()
    const [product] = fake.seedProducts(1)
    const r = await gql(
      fake,
      token,
      `{ product(id: "gid://shopify/Product/${product?.id}") { id title handle } }`,
    )
    expect(r.body.extensions.cost).toEqual({
      requestedQueryCost: 1,
      actualQueryCost: 1,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1999, restoreRate: 100 },
    })
    expect(keysDeep(r.body.extensions)).toEqual(keysDeep(costFixture.response.extensions))
  })

  test('connections are requested by first and charged by what came back', async () => {
    const { fake, token } = setup()
    fake.seedProducts(3, 2)
    // requested: 2 + 10 × (1 product + (2 + 5 × 1 variant)) = 82; actual: 2 + 3 × (1 + 2 + 2) = 17
    const r = await gql(
      fake,
      token,
      '{ products(first: 10) { edges { node { id variants(first: 5) { nodes { id } } } } pageInfo { hasNextPage } } }',
    )
    expect(r.body.extensions.cost.requestedQueryCost).toBe(82)
    expect(r.body.extensions.cost.actualQueryCost).toBe(17)
    expect(r.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(2000 - 17)
  })

  test('a mutation costs 10', async () => {
    const { fake, token } = setup()
    const r = await gql(
      fake,
      token,
      'mutation { webhookSubscriptionCreate(topic: PRODUCTS_UPDATE, webhookSubscription: { uri: "https://hub.example/hooks" }) { webhookSubscription { id } userErrors { message } } }',
    )
    expect(r.body.extensions.cost.requestedQueryCost).toBe(10)
    expect(r.body.extensions.cost.actualQueryCost).toBe(10)
  })

  test('more than 1000 requested points answers MAX_COST_EXCEEDED without running', async () => {
    const { fake, token } = setup()
    const r = await gql(
      fake,
      token,
      '{ products(first: 250) { nodes { id variants(first: 250) { nodes { id } } } } }',
    )
    expect(r.status).toBe(200)
    expect(r.body.data).toBeUndefined()
    expect(r.body.errors[0].extensions).toEqual({
      code: 'MAX_COST_EXCEEDED',
      cost: 2 + 250 * 253,
      maxCost: 1000,
    })
    expect(r.body.errors[0].message).toMatch(
      /^Query cost is 63252, which exceeds the single query max cost limit \(1000\)/,
    )
    expect(r.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(2000)
  })

  test('a drained bucket answers THROTTLED on HTTP 200 (fixture shape), or 429 with Retry-After when switched', async () => {
    const { fake, token, clock } = setup()
    fake.seedProducts(1)
    const query = '{ products(first: 250) { nodes { id title } } }' // requested 2 + 250 = 252
    fake.bucket.set(100)
    const r = await gql(fake, token, query)
    expect(r.status).toBe(200)
    expect(r.body.data).toBeUndefined()
    expect(r.body.errors).toEqual(throttledFixture.response.errors)
    expect(r.body.extensions.cost).toEqual({
      requestedQueryCost: 252,
      actualQueryCost: null,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 100, restoreRate: 100 },
    })
    expect(keysDeep(r.body.extensions)).toEqual(keysDeep(throttledFixture.response.extensions))

    fake.setThrottledStatus(429)
    const r429 = await gql(fake, token, query)
    expect(r429.status).toBe(429)
    expect(r429.headers.get('retry-after')).toBe('2')
    expect(r429.body.errors[0].extensions.code).toBe('THROTTLED')

    expect(fake.requestLog.map((entry) => [entry.status, entry.throttled, entry.requestedQueryCost])).toEqual(
      [
        [200, true, 252],
        [429, true, 252],
      ],
    )

    clock.advance(1520) // +152 points at 100/s → 252 available
    const ok = await gql(fake, token, query)
    expect(ok.status).toBe(200)
    expect(ok.body.extensions.cost).toEqual({
      requestedQueryCost: 252,
      actualQueryCost: 3,
      throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 249, restoreRate: 100 },
    })
  })

  test('the bucket refills at 100 points/s up to 2000', async () => {
    const { fake, token, clock } = setup()
    fake.bucket.set(0)
    clock.advance(2500)
    const r = await gql(fake, token, '{ shop { name } }')
    expect(r.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(249)
    clock.advance(60_000)
    const full = await gql(fake, token, '{ shop { name } }')
    expect(full.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(1999)
  })
})
