import '@shopify/shopify-api/adapters/web-api'
import { createHmac } from 'node:crypto'
import type { Clock } from '@hub/core'
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  type CallbackQuery,
  callbackHmacMessage,
  createShopifyAuth,
  verifyCallbackHmac,
} from '../src/shopify-auth.js'
import { memoryOAuthStateStore } from '../src/shopify-auth-state.js'
import { ShopifyAuthError, ShopifyReauthRequiredError } from '../src/shopify-errors.js'
import { normalizeShopDomain } from '../src/shopify-shop-domain.js'

const SECRET = 'shpss_test_secret'
const SHOP = 'demo-shop.myshopify.com'

const oracle = shopifyApi({
  apiKey: 'client-id',
  apiSecretKey: SECRET,
  hostName: 'hub.example.com',
  apiVersion: ApiVersion.October26,
  isEmbeddedApp: false,
  logger: { level: LogSeverity.Error, log: async () => {} },
})

/** A clock the test moves; the oracle reads Date.now, so the test fakes Date to the same instant. */
function testClock(start: Date): Clock & { set(d: Date): void } {
  let now = start
  return { now: () => now, sleep: async () => {}, set: (d) => (now = d) }
}

function sign(query: CallbackQuery, secret = SECRET): string {
  return createHmac('sha256', secret).update(callbackHmacMessage(query)).digest('hex')
}

const server = setupServer()
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }))
afterEach(() => {
  server.resetHandlers()
  vi.useRealTimers()
})
afterAll(() => server.close())

describe('callback HMAC', () => {
  it('reproduces the signature example of Shopify OAuth docs (secret "hush")', () => {
    const base = {
      code: '0907a61c0c8d55e99db179b68161bc00',
      shop: 'some-shop.myshopify.com',
      timestamp: '1337178173',
    }
    expect(
      verifyCallbackHmac(
        { ...base, hmac: '4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20' },
        'hush',
      ),
    ).toBe(true)
    const withState = { ...base, state: '0.6784241404160823' }
    expect(
      verifyCallbackHmac(
        { ...withState, hmac: '700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf' },
        'hush',
      ),
    ).toBe(true)
    expect(
      verifyCallbackHmac(
        { ...withState, hmac: '4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20' },
        'hush',
      ),
    ).toBe(false)
  })

  it('agrees with @shopify/shopify-api on normal, unusual and hostile callbacks', async () => {
    const now = new Date('2026-11-25T12:00:00Z')
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(now)
    const ts = String(now.getTime() / 1000)
    const base = {
      code: 'abc123',
      shop: SHOP,
      state: 'nonce',
      timestamp: ts,
      host: 'YWRtaW4uc2hvcGlmeS5jb20vc3RvcmUvZGVtbw',
    }
    type Case = { name: string; query: CallbackQuery }
    const signed = (
      q: Record<string, string | string[]>,
      secret = SECRET,
    ): Record<string, string | string[]> => ({
      ...q,
      hmac: sign(q, secret),
    })
    const cases: Case[] = [
      { name: 'normal', query: signed(base) },
      {
        name: 'extra params Shopify may add',
        query: signed({ ...base, embedded: '1', locale: 'en-US', session: 'x' }),
      },
      {
        name: 'spaces, plus, ampersand, equals, unicode',
        query: signed({ ...base, note: 'a b+c&d=e é 😀 %41' }),
      },
      { name: 'array values', query: signed({ ...base, ids: ['1', '2', 'three four'] }) },
      {
        name: 'mixed-case and symbol keys',
        query: signed({ ...base, B: '1', a: '2', _z: '3', é: '4', constructor: '5' }),
      },
      { name: 'signature param is excluded', query: { ...signed(base), signature: 'whatever' } },
      { name: 'wrong secret', query: signed(base, 'other-secret') },
      { name: 'tampered after signing', query: { ...signed(base), shop: 'evil.myshopify.com' } },
      { name: 'missing hmac', query: base },
      { name: 'uppercase hex', query: { ...base, hmac: sign(base).toUpperCase() } },
      { name: 'truncated hmac', query: { ...base, hmac: sign(base).slice(0, 32) } },
      { name: 'base64 hmac', query: { ...base, hmac: Buffer.from(sign(base), 'hex').toString('base64') } },
      { name: 'timestamp 89 s old', query: signed({ ...base, timestamp: String(Number(ts) - 89) }) },
      { name: 'timestamp 91 s old', query: signed({ ...base, timestamp: String(Number(ts) - 91) }) },
      { name: 'timestamp 91 s ahead', query: signed({ ...base, timestamp: String(Number(ts) + 91) }) },
      { name: 'timestamp missing', query: signed({ code: 'abc123', shop: SHOP, state: 'nonce' }) },
      { name: 'timestamp garbage', query: signed({ ...base, timestamp: 'yesterday' }) },
    ]
    const dup = new URLSearchParams([...Object.entries(base), ['scope', 'a'], ['scope', 'b']])
    dup.append('hmac', sign(dup))
    cases.push({ name: 'URLSearchParams with repeated keys', query: dup })
    for (const { name, query } of cases) {
      const clock = testClock(now)
      const auth = createShopifyAuth({
        apiKey: 'client-id',
        apiSecret: SECRET,
        scopes: [],
        redirectUri: 'https://x/cb',
        clock,
      })
      const ours = await auth.validateCallback(query).then(
        () => true,
        (e: unknown) => {
          expect(e, name).toBeInstanceOf(ShopifyAuthError)
          // Past HMAC and timestamp, only our extra checks (state, shop, code) may refuse.
          return !['OAUTH_HMAC_INVALID', 'OAUTH_TIMESTAMP_INVALID'].includes((e as ShopifyAuthError).code)
        },
      )
      const theirs = await oracle.utils.validateHmac(query as Record<string, string>).catch(() => false)
      expect(ours, name).toBe(theirs)
    }
  })

  it('is stricter than the library where Shopify never sends such values', async () => {
    const now = new Date('2026-11-25T12:00:00Z')
    const ts = now.getTime() / 1000
    const auth = createShopifyAuth({
      apiKey: 'k',
      apiSecret: SECRET,
      scopes: [],
      redirectUri: 'https://x/cb',
      clock: testClock(now),
    })
    for (const timestamp of [` ${ts} `, `${ts}.0`, `0x${ts.toString(16)}`, `${ts / 10}e1`]) {
      const q = { code: 'c', shop: SHOP, state: 's', timestamp }
      await expect(auth.validateCallback({ ...q, hmac: sign(q) }), timestamp).rejects.toMatchObject({
        code: 'OAUTH_TIMESTAMP_INVALID',
      })
    }
  })
})

describe('shop domain validation', () => {
  it('accepts only what the official library accepts, mapping the admin URL form the same way', () => {
    const inputs = [
      'demo-shop.myshopify.com',
      'DEMO-shop.myshopify.com',
      'demo-shop.MyShopify.com',
      'a.myshopify.com',
      '1shop.myshopify.com',
      'admin.shopify.com/store/demo-shop',
      'demo-shop.myshopify.com.evil.com',
      'evil.com/demo-shop.myshopify.com',
      'demo-shop.myshopify.com@evil.com',
      'https://demo-shop.myshopify.com',
      '-demo.myshopify.com',
      'demo shop.myshopify.com',
      'demo-shop.myshopify.com\n',
      'demo-shop.myshopify.com\u0000',
      'dem\u212Ao.myshopify.com',
      'admin.shopify.com/store/../evil',
      'admin.shopify.com/store/demo/extra',
      'admin.evil.com/store/demo',
      '.myshopify.com',
      '',
      'x'.repeat(300) + '.myshopify.com',
    ]
    for (const input of inputs) {
      const ours = normalizeShopDomain(input)
      const theirs = oracle.utils.sanitizeShop(input)
      if (ours !== null) expect(theirs?.toLowerCase(), input).toBe(ours)
      else if (input.length <= 255) expect(theirs, JSON.stringify(input)).toBeNull()
    }
    expect(normalizeShopDomain('admin.shopify.com/store/demo-shop')).toBe('demo-shop.myshopify.com')
    expect(normalizeShopDomain('DEMO-shop.myshopify.com')).toBe('demo-shop.myshopify.com')
  })

  it('refuses the library-only forms (other Shopify domains, underscores, trailing slashes)', () => {
    for (const input of [
      'demo.shopify.com',
      'demo.myshopify.io',
      'demo.shop.dev',
      'de_mo.myshopify.com',
      'demo.myshopify.com/',
    ]) {
      expect(oracle.utils.sanitizeShop(input), input).not.toBeNull()
      expect(normalizeShopDomain(input), input).toBeNull()
    }
  })
})

describe('install and callback flow', () => {
  function setup() {
    const clock = testClock(new Date('2026-11-25T12:00:00Z'))
    const auth = createShopifyAuth({
      apiKey: 'client-id',
      apiSecret: SECRET,
      scopes: ['read_products', 'write_inventory'],
      redirectUri: 'https://hub.example.com/auth/callback',
      clock,
      stateStore: memoryOAuthStateStore({ clock }),
    })
    const callback = (state: string, overrides: Record<string, string> = {}) => {
      const q = {
        code: 'code-1',
        shop: SHOP,
        state,
        timestamp: String(Math.floor(clock.now().getTime() / 1000)),
        ...overrides,
      }
      return { ...q, hmac: sign(q) }
    }
    return { auth, clock, callback }
  }

  it('builds the authorize URL for offline access with a fresh state', async () => {
    const { auth } = setup()
    const { url, state } = await auth.beginInstall({ shop: 'Demo-Shop.myshopify.com', bindTo: 'seller-1' })
    const parsed = new URL(url)
    expect(parsed.origin + parsed.pathname).toBe('https://demo-shop.myshopify.com/admin/oauth/authorize')
    expect(Object.fromEntries(parsed.searchParams)).toEqual({
      client_id: 'client-id',
      scope: 'read_products,write_inventory',
      redirect_uri: 'https://hub.example.com/auth/callback',
      state,
    })
    expect(state).toMatch(/^[0-9a-f]{64}$/)
    expect((await auth.beginInstall({ shop: SHOP })).state).not.toBe(state)
    await expect(auth.beginInstall({ shop: 'evil.com' })).rejects.toMatchObject({
      code: 'OAUTH_SHOP_INVALID',
    })
  })

  it('consumes a state once, only for its shop, only before it expires', async () => {
    const { auth, clock, callback } = setup()
    const { state } = await auth.beginInstall({ shop: SHOP, bindTo: 'seller-1' })
    await expect(auth.validateCallback(callback(state))).resolves.toEqual({
      shop: SHOP,
      code: 'code-1',
      host: null,
      bindTo: 'seller-1',
    })
    await expect(auth.validateCallback(callback(state))).rejects.toMatchObject({
      code: 'OAUTH_STATE_INVALID',
    })

    const other = await auth.beginInstall({ shop: 'other-shop.myshopify.com' })
    await expect(auth.validateCallback(callback(other.state))).rejects.toMatchObject({
      code: 'OAUTH_STATE_INVALID',
    })

    const late = await auth.beginInstall({ shop: SHOP })
    clock.set(new Date(clock.now().getTime() + 10 * 60_000 + 1))
    await expect(auth.validateCallback(callback(late.state))).rejects.toMatchObject({
      code: 'OAUTH_STATE_INVALID',
    })
    await expect(auth.validateCallback(callback('never-issued'))).rejects.toMatchObject({
      code: 'OAUTH_STATE_INVALID',
    })
  })

  it('does not burn a state on a forged callback', async () => {
    const { auth, callback } = setup()
    const { state } = await auth.beginInstall({ shop: SHOP })
    await expect(auth.validateCallback({ ...callback(state), hmac: '0'.repeat(64) })).rejects.toMatchObject({
      code: 'OAUTH_HMAC_INVALID',
    })
    await expect(auth.validateCallback(callback(state))).resolves.toMatchObject({ shop: SHOP })
  })

  it('maps the admin.shopify.com/store form in the callback to the shop domain', async () => {
    const { auth, callback } = setup()
    const { state } = await auth.beginInstall({ shop: SHOP })
    await expect(
      auth.validateCallback(callback(state, { shop: 'admin.shopify.com/store/demo-shop' })),
    ).resolves.toMatchObject({ shop: SHOP })
  })
})

describe('token endpoint', () => {
  const tokenUrl = `https://${SHOP}/admin/oauth/access_token`
  const clock = testClock(new Date('2026-11-25T12:00:00Z'))
  const auth = createShopifyAuth({
    apiKey: 'client-id',
    apiSecret: SECRET,
    scopes: [],
    redirectUri: 'https://x/cb',
    clock,
  })

  it('exchanges the code asking for an expiring offline token', async () => {
    let body: unknown
    server.use(
      http.post(tokenUrl, async ({ request }) => {
        body = await request.json()
        return HttpResponse.json({
          access_token: 'shpat_1',
          scope: 'read_products',
          expires_in: 3600,
          refresh_token: 'shprt_1',
          refresh_token_expires_in: 7_776_000,
        })
      }),
    )
    await expect(auth.exchangeCode({ shop: SHOP, code: 'code-1' })).resolves.toEqual({
      accessToken: 'shpat_1',
      scope: 'read_products',
      expiresAt: '2026-11-25T13:00:00.000Z',
      refreshToken: 'shprt_1',
      refreshTokenExpiresAt: '2027-02-23T12:00:00.000Z',
    })
    expect(body).toEqual({ client_id: 'client-id', client_secret: SECRET, code: 'code-1', expiring: '1' })
  })

  it('refreshes with the refresh grant; a missing expires_in still yields an expiry', async () => {
    let body: unknown
    server.use(
      http.post(tokenUrl, async ({ request }) => {
        body = await request.json()
        return HttpResponse.json({
          access_token: 'shpat_2',
          scope: 'read_products',
          refresh_token: 'shprt_2',
        })
      }),
    )
    const next = await auth.refresh({ shop: SHOP, refreshToken: 'shprt_1' })
    expect(body).toEqual({
      client_id: 'client-id',
      client_secret: SECRET,
      grant_type: 'refresh_token',
      refresh_token: 'shprt_1',
    })
    expect(next).toMatchObject({
      accessToken: 'shpat_2',
      refreshToken: 'shprt_2',
      expiresAt: '2026-11-25T13:00:00.000Z',
    })
  })

  it('turns invalid_grant into a re-auth error, 5xx and network failures into retryable ones', async () => {
    server.use(http.post(tokenUrl, () => HttpResponse.json({ error: 'invalid_grant' }, { status: 400 })))
    await expect(auth.refresh({ shop: SHOP, refreshToken: 'old' })).rejects.toBeInstanceOf(
      ShopifyReauthRequiredError,
    )
    await expect(auth.exchangeCode({ shop: SHOP, code: 'used' })).rejects.toMatchObject({
      code: 'OAUTH_CODE_REJECTED',
    })

    server.use(http.post(tokenUrl, () => new HttpResponse('<html>oops</html>', { status: 502 })))
    await expect(auth.refresh({ shop: SHOP, refreshToken: 'r' })).rejects.toMatchObject({
      code: 'SHOPIFY_TOKEN_UNAVAILABLE',
      retryAfterMs: undefined,
    })
    server.use(http.post(tokenUrl, () => HttpResponse.error()))
    await expect(auth.refresh({ shop: SHOP, refreshToken: 'r' })).rejects.toMatchObject({
      code: 'SHOPIFY_NETWORK',
    })
    server.use(http.post(tokenUrl, () => HttpResponse.json({ nope: true })))
    await expect(auth.refresh({ shop: SHOP, refreshToken: 'r' })).rejects.toMatchObject({
      code: 'SHOPIFY_TOKEN_RESPONSE_INVALID',
    })
  })

  it('migrates a non-expiring offline token to an expiring pair by token exchange', async () => {
    let body: unknown
    server.use(
      http.post(tokenUrl, async ({ request }) => {
        body = await request.json()
        return HttpResponse.json({
          access_token: 'shpat_new',
          scope: 'read_products',
          expires_in: 3600,
          refresh_token: 'shprt_new',
          refresh_token_expires_in: 7_776_000,
        })
      }),
    )
    await expect(auth.migrateToExpiring({ shop: SHOP, accessToken: 'shpat_old' })).resolves.toMatchObject({
      accessToken: 'shpat_new',
      refreshToken: 'shprt_new',
      expiresAt: '2026-11-25T13:00:00.000Z',
    })
    expect(body).toEqual({
      client_id: 'client-id',
      client_secret: SECRET,
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: 'shpat_old',
      subject_token_type: 'urn:shopify:params:oauth:token-type:offline-access-token',
      requested_token_type: 'urn:shopify:params:oauth:token-type:offline-access-token',
      expiring: '1',
    })
    server.use(http.post(tokenUrl, () => HttpResponse.json({ error: 'invalid_grant' }, { status: 400 })))
    await expect(auth.migrateToExpiring({ shop: SHOP, accessToken: 'revoked' })).rejects.toBeInstanceOf(
      ShopifyReauthRequiredError,
    )
  })

  it('never puts the client secret in an error message', async () => {
    server.use(http.post(tokenUrl, () => HttpResponse.json({ error: 'invalid_client' }, { status: 401 })))
    const error = await auth.exchangeCode({ shop: SHOP, code: 'c' }).catch((e: Error) => e)
    expect(error).toBeInstanceOf(ShopifyAuthError)
    expect(String((error as Error).message)).not.toContain(SECRET)
  })
})
