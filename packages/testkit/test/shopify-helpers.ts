import {
  createFakeShopify,
  type FakeShopify,
  type FakeShopifyOptions,
  type ManualClock,
  manualClock,
} from '../src/shopify/index.js'

/** A fake shop on a manual clock with one expiring access token. */
export function setup(overrides: Partial<FakeShopifyOptions> = {}): {
  fake: FakeShopify
  clock: ManualClock
  token: string
} {
  const clock = manualClock()
  const fake = createFakeShopify({
    shop: 'demo.myshopify.com',
    apiKey: 'key-123',
    apiSecret: 'secret-abc',
    clock,
    seed: 7,
    ...overrides,
  })
  const token = fake.issueAccessToken().access_token
  return { fake, clock, token }
}

/** POSTs a GraphQL operation through the fake's core; returns status, parsed body and raw text. */
export async function gql(
  fake: FakeShopify,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
  version = '2026-10',
  // biome-ignore lint/suspicious/noExplicitAny: tests walk arbitrary GraphQL answers
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const response = await fake.fetch(
    new Request(`https://${fake.shop.domain}/admin/api/${version}/graphql.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-shopify-access-token': token },
      body: JSON.stringify({ query, variables }),
    }),
  )
  const text = await response.text()
  return { status: response.status, body: text ? JSON.parse(text) : null, text, headers: response.headers }
}

/** The fixtures folder shared next to the repository. */
export function fixtureUrl(path: string): URL {
  return new URL(`../../../../shared/fixtures/shopify/${path}`, import.meta.url)
}
