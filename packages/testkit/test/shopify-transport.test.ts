import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createFakeShopify, manualClock } from '../src/shopify/index.js'

const QUERY = '{ products(first: 5) { nodes { id title variants(first: 3) { nodes { sku } } } } }'

function makeFake() {
  const fake = createFakeShopify({
    shop: 'transport.myshopify.com',
    apiKey: 'k',
    apiSecret: 's',
    clock: manualClock(),
    seed: 1,
  })
  fake.seedProducts(3, 2)
  return { fake, token: fake.issueAccessToken().access_token }
}

async function ask(base: string, token: string, query: string) {
  const response = await fetch(`${base}/admin/api/2026-10/graphql.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-shopify-access-token': token },
    body: JSON.stringify({ query }),
  })
  return { status: response.status, body: await response.json() }
}

describe('fake Shopify served two ways over one core', () => {
  const viaMsw = makeFake()
  const viaHttp = makeFake()
  const msw = setupServer(...viaMsw.fake.handlers())
  let base = ''

  beforeAll(async () => {
    msw.listen({ onUnhandledFrame: 'bypass' })
    base = (await viaHttp.fake.listen()).url
  })
  afterAll(async () => {
    msw.close()
    await viaHttp.fake.close()
  })

  test('the same query gets the same answer from MSW and from the 127.0.0.1 server', async () => {
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const a = await ask('https://transport.myshopify.com', viaMsw.token, QUERY)
    const b = await ask(base, viaHttp.token, QUERY)
    expect(a.status).toBe(200)
    expect(b).toEqual(a)
    expect(a.body.data.products.nodes).toHaveLength(3)
  })

  test('errors and auth behave the same on both', async () => {
    const a = await ask('https://transport.myshopify.com', 'bad', QUERY)
    const b = await ask(base, 'bad', QUERY)
    expect(a.status).toBe(401)
    expect(b).toEqual(a)
    const c = await ask('https://transport.myshopify.com', viaMsw.token, '{ nope }')
    const d = await ask(base, viaHttp.token, '{ nope }')
    expect(c.body.errors[0].extensions.code).toBe('undefinedField')
    expect(d.body.errors).toEqual(c.body.errors)
  })

  test('the bulk result URL points at the server that answered and streams the JSONL', async () => {
    const run = `mutation { bulkOperationRunQuery(query: "{ products { edges { node { id } } } }", groupObjects: false) { bulkOperation { id } userErrors { message } } }`
    await ask(base, viaHttp.token, run)
    let url = ''
    for (let i = 0; i < 5 && !url; i += 1) {
      const poll = await ask(base, viaHttp.token, '{ currentBulkOperation { status url } }')
      url = poll.body.data.currentBulkOperation.url ?? ''
    }
    expect(url.startsWith(`${base}/__fake/bulk/`)).toBe(true)
    const text = await (await fetch(url)).text()
    expect(text.trim().split('\n')).toHaveLength(3)
  })

  test('OAuth authorize redirects are not followed by the server (302 to the app)', async () => {
    const response = await fetch(
      `${base}/admin/oauth/authorize?client_id=k&scope=read_products&redirect_uri=https://app.example/cb&state=x`,
      { redirect: 'manual' },
    )
    expect(response.status).toBe(302)
    expect(response.headers.get('location')).toMatch(/^https:\/\/app\.example\/cb\?code=/)
  })
})
