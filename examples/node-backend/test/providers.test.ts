import { createHmac } from 'node:crypto'
import { ConfigError } from '@hub/core'
import { callbackHmacMessage } from '@hub/shopify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type App, createApp } from '../src/app.js'
import { linkOf, navigate } from '../src/demo/browser.js'
import { type FakeStores, startFakeStores } from '../src/demo/fake-stores.js'
import { createTunnel } from '../src/demo/tunnel.js'
import { readProviderConfig } from '../src/providers/provider-config.js'
import { SHOPIFY_ROUTES } from '../src/providers/shopify-wiring.js'
import { WOO_ROUTES } from '../src/providers/woocommerce-wiring.js'
import { hostProviders } from '../src/providers.js'

const PUBLIC_URL = 'https://hub.test.example'
const SELLER = 'seller_auth'

describe('provider configuration from the environment', () => {
  const base = { HUB_PUBLIC_URL: PUBLIC_URL, SHOPIFY_API_KEY: 'key', SHOPIFY_API_SECRET: 'secret' }

  it('enables nothing without provider variables, each provider by its own', () => {
    expect(hostProviders({})).toEqual([])
    expect(hostProviders(base).map((p) => p.adapter.provider)).toEqual(['shopify'])
    const both = hostProviders({ ...base, WOO_APP_NAME: 'Hub' })
    expect(both.map((p) => p.adapter.provider)).toEqual(['shopify', 'woocommerce'])
    expect(both.flatMap((p) => Object.keys(p.authRoutes ?? {}))).toEqual([
      SHOPIFY_ROUTES.install,
      SHOPIFY_ROUTES.callback,
      WOO_ROUTES.connect,
      WOO_ROUTES.callback,
      WOO_ROUTES.return,
    ])
  })

  it.each([
    [{ SHOPIFY_API_KEY: 'key', HUB_PUBLIC_URL: PUBLIC_URL }, /set together/],
    [{ SHOPIFY_API_KEY: 'key', SHOPIFY_API_SECRET: 'secret' }, /HUB_PUBLIC_URL is required/],
    [{ ...base, HUB_PUBLIC_URL: 'not a url' }, /absolute URL/],
    [{ ...base, HUB_PUBLIC_URL: 'https://hub.test/?x=1' }, /query/],
    [{ WOO_APP_NAME: 'Hub', HUB_PUBLIC_URL: 'http://hub.test' }, /must be https/],
    [{ ...base, SHOPIFY_SCOPES: 'read_products,DROP TABLE' }, /SHOPIFY_SCOPES/],
    [{ ...base, SHOPIFY_API_ORIGIN: 'ftp://x' }, /SHOPIFY_API_ORIGIN/],
    [{ WOO_APP_NAME: 'Hub', HUB_PUBLIC_URL: PUBLIC_URL, WOO_ALLOW_INSECURE_STORES: 'yes' }, /1\/true/],
    [{ WOO_APP_NAME: 'Hub', HUB_PUBLIC_URL: PUBLIC_URL, WOO_CONFIRM_AFTER_MS: '-5' }, /WOO_CONFIRM_AFTER_MS/],
  ])('refuses invalid settings with a ConfigError naming the variable (%#)', (env, message) => {
    expect(() => readProviderConfig(env)).toThrow(ConfigError)
    expect(() => hostProviders(env)).toThrow(message)
  })
})

describe('Shopify OAuth and WooCommerce wc-auth against the fakes over HTTP', () => {
  const tunnel = createTunnel(PUBLIC_URL)
  let stores: FakeStores
  let app: App
  let url: string

  const sellerHeaders = (target: URL): Record<string, string> =>
    target.origin === tunnel.publicUrl
      ? { 'x-seller-id': SELLER }
      : target.origin === stores.wooServer.url
        ? { cookie: stores.woo.loginCookie }
        : {}
  const connections = async () => {
    const res = await fetch(`${url}/api/connections`, { headers: { 'x-seller-id': SELLER } })
    return ((await res.json()) as { connections: { id: string; provider: string; status: string }[] })
      .connections
  }
  const json = async (response: Response) => (await response.json()) as Record<string, unknown>
  /** Start a Shopify install and stop at Shopify's redirect back: the genuine callback URL. */
  const genuineCallback = async () => {
    const start = await fetch(`${url}${SHOPIFY_ROUTES.install}?shop=${stores.shop}`, {
      headers: { 'x-seller-id': SELLER },
      redirect: 'manual',
    })
    expect(start.status).toBe(302)
    const authorize = await fetch(start.headers.get('location')!, { redirect: 'manual' })
    expect(authorize.status).toBe(302)
    const callback = new URL(authorize.headers.get('location')!)
    expect(callback.origin + callback.pathname).toBe(`${PUBLIC_URL}${SHOPIFY_ROUTES.callback}`)
    return callback
  }
  const signed = (params: Record<string, string>) => {
    const query = new URLSearchParams(params)
    query.set('hmac', createHmac('sha256', stores.apiSecret).update(callbackHmacMessage(query)).digest('hex'))
    return query
  }
  const waitFor = async <T>(check: () => Promise<T | null>, what: string): Promise<T> => {
    for (let i = 0; i < 200; i++) {
      const value = await check()
      if (value !== null) return value
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`timed out waiting for ${what}`)
  }

  beforeAll(async () => {
    stores = await startFakeStores({ products: 3, tunnel })
    app = createApp({
      providers: hostProviders({
        HUB_PUBLIC_URL: PUBLIC_URL,
        SHOPIFY_API_KEY: stores.apiKey,
        SHOPIFY_API_SECRET: stores.apiSecret,
        SHOPIFY_API_ORIGIN: stores.shopifyServer.url,
        WOO_APP_NAME: 'Hub test',
        WOO_ALLOW_INSECURE_STORES: '1',
        WOO_CONFIRM_AFTER_MS: '2000',
      }),
      port: 0,
      sweepIntervalMs: 0,
      worker: { pollMs: 50 },
    })
    ;({ url } = await app.start())
    tunnel.connect(url)
  }, 60_000)
  afterAll(async () => {
    await app?.stop()
    await stores?.close()
  })

  it('Shopify: a forged HMAC is 401 and a forged or replayed state 403; nothing is stored and the genuine callback still works', async () => {
    const callback = await genuineCallback()
    const tampered = new URL(callback)
    tampered.searchParams.set('shop', 'other-shop.myshopify.com')
    const forged = await fetch(tunnel.toLocal(tampered.href))
    expect(forged.status).toBe(401)
    expect(await json(forged)).toMatchObject({ error: 'OAUTH_HMAC_INVALID' })
    const noHmac = new URL(callback)
    noHmac.searchParams.delete('hmac')
    expect((await fetch(tunnel.toLocal(noHmac.href))).status).toBe(401)

    // Correctly signed (the attacker knows the secret, say) but a state this backend never issued.
    const { hmac: _genuine, ...params } = Object.fromEntries(callback.searchParams)
    const unknownState = signed({ ...params, state: 'f'.repeat(64) })
    const stale = await fetch(`${url}${SHOPIFY_ROUTES.callback}?${unknownState}`)
    expect(stale.status).toBe(403)
    expect(await json(stale)).toMatchObject({ error: 'OAUTH_STATE_INVALID' })
    const oldTimestamp = signed({ ...params, timestamp: String(Math.floor(Date.now() / 1000) - 3600) })
    expect(await json(await fetch(`${url}${SHOPIFY_ROUTES.callback}?${oldTimestamp}`))).toMatchObject({
      error: 'OAUTH_TIMESTAMP_INVALID',
    })
    expect(await connections()).toEqual([])

    // The failures consumed nothing: the genuine callback connects, once.
    const ok = await fetch(tunnel.toLocal(callback.href))
    expect(ok.status).toBe(200)
    const replay = await fetch(tunnel.toLocal(callback.href))
    expect(replay.status).toBe(403)
    expect(await json(replay)).toMatchObject({ error: 'OAUTH_STATE_INVALID' })
    expect((await connections()).filter((c) => c.provider === 'shopify')).toHaveLength(1)
  })

  it('Shopify: install needs a seller and a shop domain; anything else is a typed 400', async () => {
    const noSeller = await fetch(`${url}${SHOPIFY_ROUTES.install}?shop=${stores.shop}`, {
      redirect: 'manual',
    })
    expect(noSeller.status).toBe(400)
    expect(await json(noSeller)).toMatchObject({ error: 'SELLER_REQUIRED' })
    const badShop = await fetch(`${url}${SHOPIFY_ROUTES.install}?shop=evil.example.com`, {
      headers: { 'x-seller-id': SELLER },
      redirect: 'manual',
    })
    expect(badShop.status).toBe(400)
    expect(await json(badShop)).toMatchObject({ error: 'OAUTH_SHOP_INVALID' })
    const post = await fetch(`${url}${SHOPIFY_ROUTES.callback}`, { method: 'POST' })
    expect(post.status).toBe(405)
  })

  it('Shopify: the full install over HTTP connects the seller, registers webhooks and imports the catalog', async () => {
    // The connection from the first test needs re-authorization; work that meets it is held.
    const scope = { sellerId: SELLER }
    const [before] = (await app.hub.connections.list(scope)).filter((c) => c.provider === 'shopify')
    await app.hub.connections.setStatus(scope, before!.id, 'error', 'token revoked')
    const { items } = await app.hub.enqueue(scope, before!.id, 'manual', [
      { operation: 'catalog.import', idempotencyKey: 'held-while-in-error', entityType: 'catalog' },
    ])
    await waitFor(async () => {
      const item = await app.hub.store.getItem(scope, items[0]!.id)
      return item?.status === 'blocked' ? item : null
    }, 'the item to be blocked')

    const landing = await navigate(`${PUBLIC_URL}${SHOPIFY_ROUTES.install}?shop=${stores.shop}`, {
      tunnel,
      headersFor: sellerHeaders,
    })
    expect(landing.hops.map((h) => h.status)).toEqual([302, 302, 200])
    const body = await json(landing.response)
    // A reinstall keeps the connection (same id) with the new token.
    expect(body).toMatchObject({ provider: 'shopify', shop: stores.shop, created: false })
    const shopify = (await connections()).find((c) => c.provider === 'shopify')
    expect(shopify).toMatchObject({ id: before!.id, status: 'active' })
    await waitFor(async () => {
      const item = await app.hub.store.getItem(scope, items[0]!.id)
      return item?.status === 'succeeded' ? item : null
    }, 'the held item to run after the reinstall')
    await waitFor(async () => {
      const topics = stores.shopify.subscriptions.list().map((s) => s.topic)
      return topics.some((t) => /inventory_levels[/_]update/i.test(t)) ? topics : null
    }, 'webhook subscriptions')
    expect(stores.shopify.subscriptions.list().every((s) => s.uri === `${PUBLIC_URL}/hooks/shopify`)).toBe(
      true,
    )
    const requests = await waitFor(async () => {
      const all = await app.marketplace.listRequests(scope)
      const mine = all.filter((r) => r.connectionId === shopify!.id)
      return mine.length === 3 ? mine : null
    }, 'the Shopify import')
    expect(requests.map((r) => r.product.title).sort()).toEqual([
      'Demo product 1',
      'Demo product 2',
      'Demo product 3',
    ])
  })

  it('WooCommerce: connect needs a seller and a valid store URL', async () => {
    const noSeller = await fetch(`${url}${WOO_ROUTES.connect}?store_url=${stores.wooServer.url}`, {
      redirect: 'manual',
    })
    expect(await json(noSeller)).toMatchObject({ error: 'SELLER_REQUIRED' })
    for (const bad of ['', 'ftp://shop.test', 'https://user:pw@shop.test']) {
      const res = await fetch(`${url}${WOO_ROUTES.connect}?store_url=${encodeURIComponent(bad)}`, {
        headers: { 'x-seller-id': SELLER },
        redirect: 'manual',
      })
      expect(res.status).toBe(400)
      expect(await json(res)).toMatchObject({ error: 'STORE_URL_INVALID' })
    }
  })

  it('WooCommerce: malformed or unknown key callbacks are refused (non-200, so the store deletes the key); nothing is stored', async () => {
    const post = (body: string) =>
      fetch(`${url}${WOO_ROUTES.callback}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      })
    const notJson = await post('{"key_id": 1,')
    expect(notJson.status).toBe(400)
    expect(await json(notJson)).toEqual({ result: 'invalid_json' })
    const wrongShape = await post(JSON.stringify({ key_id: 'x', user_id: 'u', consumer_key: 'ck_1' }))
    expect(wrongShape.status).toBe(400)
    expect(await json(wrongShape)).toEqual({ result: 'invalid_body' })
    const unknown = await post(
      JSON.stringify({
        key_id: 7,
        user_id: 'never-issued',
        consumer_key: `ck_${'a'.repeat(40)}`,
        consumer_secret: `cs_${'b'.repeat(40)}`,
        key_permissions: 'read_write',
      }),
    )
    expect(unknown.status).toBe(403)
    expect((await fetch(`${url}${WOO_ROUTES.callback}`)).status).toBe(405)
    const returnBad = await fetch(`${url}${WOO_ROUTES.return}?success=maybe`)
    expect(returnBad.status).toBe(400)
    expect(await json(returnBad)).toMatchObject({ error: 'WC_AUTH_RETURN_INVALID' })
    const returnUnknown = await fetch(`${url}${WOO_ROUTES.return}?success=1&user_id=never-issued`)
    expect(returnUnknown.status).toBe(403)
    expect((await connections()).filter((c) => c.provider === 'woocommerce')).toEqual([])
  })

  it('WooCommerce: a denied grant stores nothing', async () => {
    const grant = await navigate(
      `${PUBLIC_URL}${WOO_ROUTES.connect}?store_url=${encodeURIComponent(stores.wooServer.url)}`,
      { tunnel, headersFor: sellerHeaders },
    )
    const deny = linkOf(await grant.response.text(), 'wc-auth-deny')
    expect(deny).toContain(`${PUBLIC_URL}${WOO_ROUTES.return}?success=0`)
    const landing = await navigate(deny!, { tunnel, headersFor: sellerHeaders })
    expect(await json(landing.response)).toMatchObject({
      provider: 'woocommerce',
      status: 'denied',
      connectionId: null,
    })
    expect((await connections()).filter((c) => c.provider === 'woocommerce')).toEqual([])
  })

  it('WooCommerce: the full wc-auth flow answers the key callback exactly 200, confirms on return, registers webhooks and imports', async () => {
    const keysBefore = stores.woo.state.keys.size
    const grant = await navigate(
      `${PUBLIC_URL}${WOO_ROUTES.connect}?store_url=${encodeURIComponent(stores.wooServer.url)}`,
      { tunnel, headersFor: sellerHeaders },
    )
    expect(grant.hops.map((h) => h.status)).toEqual([302, 200])
    const approve = linkOf(await grant.response.text(), 'wc-auth-approve')
    const landing = await navigate(approve!, { tunnel, headersFor: sellerHeaders })
    // access_granted → (the store POSTs the key to our callback, which answers 200) → 302 → our return.
    expect(landing.hops.map((h) => h.status)).toEqual([302, 200])
    const body = await json(landing.response)
    expect(body).toMatchObject({ provider: 'woocommerce', status: 'active' })
    // The store kept the key: it deletes it when the callback answers anything but 200.
    expect(stores.woo.state.keys.size).toBe(keysBefore + 1)
    const woo = (await connections()).find((c) => c.provider === 'woocommerce')
    expect(woo).toMatchObject({ id: body.connectionId, status: 'active' })
    await waitFor(async () => (stores.woo.state.webhooks.size >= 5 ? true : null), 'WooCommerce webhooks')
    for (const hook of stores.woo.state.webhooks.values()) {
      expect(hook.deliveryUrl.startsWith(`${PUBLIC_URL}/hooks/woocommerce?source=`)).toBe(true)
    }
    await waitFor(async () => {
      const all = await app.marketplace.listRequests({ sellerId: SELLER })
      return all.filter((r) => r.connectionId === woo!.id).length === 3 ? true : null
    }, 'the WooCommerce import')
  })

  it('WooCommerce: keys whose browser never came back are confirmed by a test request', async () => {
    const seller = 'seller_no_return'
    const headersFor = (target: URL): Record<string, string> =>
      target.origin === tunnel.publicUrl
        ? { 'x-seller-id': seller }
        : target.origin === stores.wooServer.url
          ? { cookie: stores.woo.loginCookie }
          : {}
    const grant = await navigate(
      `${PUBLIC_URL}${WOO_ROUTES.connect}?store_url=${encodeURIComponent(stores.wooServer.url)}`,
      { tunnel, headersFor },
    )
    const approve = linkOf(await grant.response.text(), 'wc-auth-approve')!
    // The store posts the key, then redirects; the browser is closed before it follows.
    const granted = await fetch(approve, { headers: headersFor(new URL(approve)), redirect: 'manual' })
    expect(granted.status).toBe(302)
    const scope = { sellerId: seller }
    const [pending] = await app.hub.connections.list(scope)
    expect(pending).toMatchObject({ provider: 'woocommerce', status: 'pending' })
    const active = await waitFor(async () => {
      const c = await app.hub.connections.get(scope, pending!.id)
      return c?.status === 'active' ? c : null
    }, 'the test request')
    expect(active.id).toBe(pending!.id)
    // The late browser still lands on a clear answer.
    const late = await fetch(tunnel.toLocal(granted.headers.get('location')!))
    expect(await json(late)).toMatchObject({ status: 'active', connectionId: pending!.id })
  })
})
