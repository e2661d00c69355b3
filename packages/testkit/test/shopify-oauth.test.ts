import { createHmac, timingSafeEqual } from 'node:crypto'
import { describe, expect, test } from 'vitest'
import { gql, setup } from './shopify-helpers.js'

const SECRET = 'secret-abc'

/** Shopify's callback check, written independently of the fake (fact sheet §1). */
function callbackHmacValid(url: URL, secret: string): boolean {
  const params = [...url.searchParams.entries()].filter(([k]) => k !== 'hmac' && k !== 'signature')
  params.sort(([a], [b]) => a.localeCompare(b))
  const message = new URLSearchParams(params).toString()
  const expected = createHmac('sha256', secret).update(message).digest()
  const given = Buffer.from(url.searchParams.get('hmac') ?? '', 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

async function install(fake: ReturnType<typeof setup>['fake']) {
  const authorize = new URL('https://demo.myshopify.com/admin/oauth/authorize')
  authorize.searchParams.set('client_id', 'key-123')
  authorize.searchParams.set('scope', 'read_products,write_inventory')
  authorize.searchParams.set('redirect_uri', 'https://hub.example/auth/callback')
  authorize.searchParams.set('state', 'nonce-42')
  const redirect = await fake.fetch(new Request(authorize))
  return redirect
}

async function tokenRequest(fake: ReturnType<typeof setup>['fake'], body: Record<string, string>) {
  const response = await fake.fetch(
    new Request('https://demo.myshopify.com/admin/oauth/access_token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ client_id: 'key-123', client_secret: SECRET, ...body }),
    }),
  )
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

describe('fake Shopify OAuth', () => {
  test('authorize redirects to redirect_uri with code, hex hmac over sorted params, shop, state, timestamp, host', async () => {
    const { fake, clock } = setup()
    const redirect = await install(fake)
    expect(redirect.status).toBe(302)
    const callback = new URL(redirect.headers.get('location') ?? '')
    expect(callback.origin + callback.pathname).toBe('https://hub.example/auth/callback')
    expect([...callback.searchParams.keys()].sort()).toEqual([
      'code',
      'hmac',
      'host',
      'shop',
      'state',
      'timestamp',
    ])
    expect(callback.searchParams.get('shop')).toBe('demo.myshopify.com')
    expect(callback.searchParams.get('state')).toBe('nonce-42')
    expect(callback.searchParams.get('timestamp')).toBe(String(Math.floor(clock.now() / 1000)))
    expect(Buffer.from(callback.searchParams.get('host') ?? '', 'base64').toString()).toBe(
      'admin.shopify.com/store/demo',
    )
    expect(callback.searchParams.get('hmac')).toMatch(/^[0-9a-f]{64}$/)
    expect(callbackHmacValid(callback, SECRET)).toBe(true)
    callback.searchParams.set('shop', 'evil.myshopify.com')
    expect(callbackHmacValid(callback, SECRET)).toBe(false)
  })

  test('a wrong client_id or an unlisted redirect_uri is refused', async () => {
    const { fake } = setup({ redirectUris: ['https://hub.example/ok'] })
    expect((await install(fake)).status).toBe(400)
  })

  test('code exchange returns an expiring offline token pair; the code is single-use', async () => {
    const { fake } = setup()
    const code = new URL((await install(fake)).headers.get('location') ?? '').searchParams.get('code') ?? ''
    const exchanged = await tokenRequest(fake, { code, expiring: '1' })
    expect(exchanged.status).toBe(200)
    expect(exchanged.body).toEqual({
      access_token: expect.stringMatching(/^shpat_/),
      scope: 'read_products,write_inventory',
      expires_in: 3600,
      refresh_token: expect.stringMatching(/^shprt_/),
      refresh_token_expires_in: 7_776_000,
    })
    const again = await tokenRequest(fake, { code, expiring: '1' })
    expect(again.status).toBe(400)
    expect(again.body.error).toBe('invalid_request')
    const ok = await gql(fake, String(exchanged.body.access_token), '{ shop { name } }')
    expect(ok.status).toBe(200)
  })

  test('without expiring=1 the token is the legacy non-expiring kind', async () => {
    const { fake } = setup()
    const code = new URL((await install(fake)).headers.get('location') ?? '').searchParams.get('code') ?? ''
    const exchanged = await tokenRequest(fake, { code })
    expect(Object.keys(exchanged.body).sort()).toEqual(['access_token', 'scope'])
  })

  test('bad client credentials are refused', async () => {
    const { fake } = setup()
    const r = await tokenRequest(fake, { client_secret: 'wrong', code: 'x' })
    expect(r.status).toBe(400)
    expect(r.body.error).toBe('invalid_client')
  })

  test('access tokens expire after 1 h; refresh rotates the pair; a used refresh token is invalid_grant', async () => {
    const { fake, clock } = setup()
    const first = fake.issueAccessToken()
    if (!('refresh_token' in first)) throw new Error('expected an expiring pair')
    clock.advance(3600 * 1000)
    expect((await gql(fake, first.access_token, '{ shop { name } }')).status).toBe(401)

    const refreshed = await tokenRequest(fake, {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
    })
    expect(refreshed.status).toBe(200)
    expect(refreshed.body.refresh_token).not.toBe(first.refresh_token)
    expect(refreshed.body.expires_in).toBe(3600)
    expect((await gql(fake, String(refreshed.body.access_token), '{ shop { name } }')).status).toBe(200)

    // the replacement was used: the old refresh token is dead
    const reused = await tokenRequest(fake, {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
    })
    expect(reused).toEqual({
      status: 400,
      body: { error: 'invalid_grant', error_description: expect.any(String) },
    })
    const unknown = await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: 'shprt_unknown' })
    expect(unknown.body.error).toBe('invalid_grant')
  })

  test('a lost refresh response can be retried with the same refresh token until the new pair is used', async () => {
    const { fake } = setup()
    const first = fake.issueAccessToken()
    if (!('refresh_token' in first)) throw new Error('expected an expiring pair')
    const lost = await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: first.refresh_token })
    const retried = await tokenRequest(fake, {
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
    })
    expect(retried.status).toBe(200)
    // the pair from the lost response is retired in favour of the retried one
    expect((await gql(fake, String(lost.body.access_token), '{ shop { name } }')).status).toBe(401)
    expect((await gql(fake, String(retried.body.access_token), '{ shop { name } }')).status).toBe(200)
    const late = await tokenRequest(fake, {
      grant_type: 'refresh_token',
      refresh_token: String(lost.body.refresh_token),
    })
    expect(late.body.error).toBe('invalid_grant')
  })

  test('refresh tokens expire after 90 days', async () => {
    const { fake, clock } = setup()
    const first = fake.issueAccessToken()
    if (!('refresh_token' in first)) throw new Error('expected an expiring pair')
    clock.advance(90 * 24 * 3600 * 1000 + 1000)
    const r = await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: first.refresh_token })
    expect(r.body.error).toBe('invalid_grant')
  })

  test('uninstall revokes everything at once: GraphQL 401, refresh invalid_grant', async () => {
    const { fake, token } = setup()
    expect((await gql(fake, token, '{ shop { name } }')).status).toBe(200)
    const pair = fake.issueAccessToken()
    if (!('refresh_token' in pair)) throw new Error('expected an expiring pair')
    fake.uninstall()
    expect((await gql(fake, pair.access_token, '{ shop { name } }')).status).toBe(401)
    const r = await tokenRequest(fake, { grant_type: 'refresh_token', refresh_token: pair.refresh_token })
    expect(r.body.error).toBe('invalid_grant')
  })

  test('acquiring a new expiring token revokes the earlier one (one per app+shop)', async () => {
    const { fake, token } = setup()
    const next = fake.issueAccessToken()
    expect((await gql(fake, token, '{ shop { name } }')).status).toBe(401)
    expect((await gql(fake, next.access_token, '{ shop { name } }')).status).toBe(200)
  })
})
