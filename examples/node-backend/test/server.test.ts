import { ConfigError, createKeyring } from '@hub/core'
import { pgDriver } from '@hub/store-postgres'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { ToyStore, toyStoreProvider } from '../../quickstart/src/toy-store-provider.js'
import { type App, createApp } from '../src/app.js'
import { runCli } from '../src/cli.js'
import type { HostProvider } from '../src/provider-wiring.js'
import { DATABASE_URL, NO_DATABASE, randomSchema } from './helpers.js'

const shop = new ToyStore('b.toy.test', 'whsec_b_test')
const adapter = toyStoreProvider(new Map([[shop.domain, shop]]))

/** A provider whose "install callback" creates the connection, like an OAuth or wc-auth callback does. */
const toyWithAuth: HostProvider = {
  adapter,
  authRoutes: {
    '/auth/toy/callback': async (request, { hub, sellerOf }) => {
      const sellerId = sellerOf(request)
      const shopDomain = new URL(request.url).searchParams.get('shop')
      if (!sellerId || !shopDomain) return Response.json({ error: 'BAD_CALLBACK' }, { status: 400 })
      const { secret } = (await request.json()) as { secret: string }
      const connection = await hub.connections.create({
        sellerId,
        provider: 'toy',
        externalAccountId: shopDomain,
        credentials: { webhookSecret: secret },
      })
      return Response.json({ connectionId: connection.id, method: request.method })
    },
  },
}

describe('server wiring: auth routes, operator token, seller resolution', () => {
  let app: App
  let url: string
  const TOKEN = 'op-token-123'

  beforeAll(async () => {
    app = createApp({
      providers: [toyWithAuth],
      port: 0,
      operatorToken: TOKEN,
      resolveSeller: (headers) => (headers.get('x-session') === 'sess-1' ? 'seller_1' : null),
      sweepIntervalMs: 0,
    })
    ;({ url } = await app.start())
  }, 60_000)
  afterAll(() => app?.stop())

  const operator = (path: string, headers: Record<string, string>) => fetch(`${url}${path}`, { headers })

  it('mounts the auth routes a provider gives; the handler creates the connection webhooks then find', async () => {
    const res = await fetch(`${url}/auth/toy/callback?shop=${shop.domain}`, {
      method: 'POST',
      headers: { 'x-session': 'sess-1', 'content-type': 'application/json' },
      body: JSON.stringify({ secret: shop.webhookSecret }),
    })
    expect(res.status).toBe(200)
    const { connectionId, method } = (await res.json()) as { connectionId: string; method: string }
    expect(method).toBe('POST')
    expect((await app.hub.connections.get({ sellerId: 'seller_1' }, connectionId))?.externalAccountId).toBe(
      shop.domain,
    )
    const noSeller = await fetch(`${url}/auth/toy/callback?shop=${shop.domain}`, {
      method: 'POST',
      body: '{}',
    })
    expect(noSeller.status).toBe(400)
    // the connection now receives signed webhooks (an unmapped item: accepted, then dead)
    const body = JSON.stringify({ eventId: 'e1', item: 'x' })
    const hook = await fetch(`${url}/hooks/toy`, {
      method: 'POST',
      headers: { 'x-toy-store': shop.domain, 'x-toy-signature': shop.sign(body) },
      body,
    })
    expect(hook.status).toBe(200)
  })

  it('the operator API requires the token; /health and webhooks do not', async () => {
    expect((await operator('/api/connections', { 'x-session': 'sess-1' })).status).toBe(401)
    expect(
      (await operator('/api/connections', { 'x-session': 'sess-1', authorization: 'Bearer wrong' })).status,
    ).toBe(401)
    const ok = await operator('/api/connections', { 'x-session': 'sess-1', authorization: `Bearer ${TOKEN}` })
    expect(ok.status).toBe(200)
    expect(((await ok.json()) as { connections: unknown[] }).connections).toHaveLength(1)
    expect((await fetch(`${url}/health`)).status).toBe(200)
  })

  it('the seller comes from the injected resolver, not from a header the caller picks', async () => {
    const res = await operator('/api/connections', {
      'x-seller-id': 'seller_1',
      authorization: `Bearer ${TOKEN}`,
    })
    expect(res.status).toBe(400)
    expect(await res.json()).toMatchObject({ error: 'SELLER_REQUIRED' })
  })

  it('a start that fails (port taken) rejects and leaves nothing running', async () => {
    const second = createApp({ providers: [adapter], port: Number(new URL(url).port), sweepIntervalMs: 0 })
    await expect(second.start()).rejects.toThrow(/EADDRINUSE/)
    expect(second.server.listening).toBe(false)
    await expect(second.store.driver.query('SELECT 1')).rejects.toThrow() // database closed
    await second.stop() // stopping again is harmless
  })

  it('the CLI sends the token and reports failures with exit codes', async () => {
    const out: string[] = []
    const err: string[] = []
    const env = {
      baseUrl: url,
      sellerId: undefined,
      token: undefined,
      fetch,
      stdout: (l: string) => out.push(l),
      stderr: (l: string) => err.push(l),
    }
    expect(await runCli(['connections'], env)).toBe(1)
    expect(err.pop()).toContain('HTTP 401')
    expect(await runCli(['health'], env)).toBe(0)
    expect(JSON.parse(out.pop()!)).toMatchObject({ status: 'ok' })
    expect(await runCli([], env)).toBe(2)
    expect(await runCli(['frobnicate'], env)).toBe(2)
    expect(err.pop()).toContain('unknown command "frobnicate"')
    expect(await runCli(['replay-dead'], env)).toBe(2)
    expect(err.pop()).toBe('usage: cli replay-dead <connectionId>')
    expect(await runCli(['items', '--bogus'], env)).toBe(2)
    expect(await runCli(['help'], env)).toBe(0)
    expect(out.pop()).toContain('replay-dead <connectionId>')
    expect(await runCli(['health', '--url', 'http://127.0.0.1:1'], env)).toBe(1)
    expect(err.pop()).toContain('cannot reach')
  })
})

describe('createApp refuses invalid wiring with a ConfigError', () => {
  const withRoutes = (routes: Record<string, () => Promise<Response>>): HostProvider => ({
    adapter,
    authRoutes: routes,
  })
  const handler = async () => new Response('ok')

  it.each([
    ['a reserved path', { '/api/connect': handler }],
    ['the webhook path', { '/hooks/toy': handler }],
    ['a relative path', { 'auth/toy': handler }],
  ])('an auth route on %s', (_, routes) => {
    expect(() => createApp({ providers: [withRoutes(routes)] })).toThrow(ConfigError)
  })

  it('the same auth path twice', () => {
    const other = { ...toyStoreProvider(new Map()), provider: 'toy2' }
    expect(() =>
      createApp({
        providers: [
          withRoutes({ '/auth/cb': handler }),
          { adapter: other, authRoutes: { '/auth/cb': handler } },
        ],
      }),
    ).toThrow(/mounted twice/)
  })

  it('a provider registered twice', () => {
    expect(() => createApp({ providers: [adapter, { adapter }] })).toThrow(/registered twice/)
  })

  it('a persistent database without an encryption key', () => {
    vi.stubEnv('HUB_KEYRING', '')
    vi.stubEnv('HUB_ENCRYPTION_KEY', '')
    try {
      expect(() => createApp({ providers: [], dataDir: '/nonexistent/never-created' })).toThrow(
        /encryption key/,
      )
    } finally {
      vi.unstubAllEnvs()
    }
  })
})

if (DATABASE_URL) {
  describe('createApp on PostgreSQL (DATABASE_URL)', () => {
    it('puts the hub store and the marketplace tables on the same database', async () => {
      const schemas = { hub: randomSchema('hub_t'), marketplace: randomSchema() }
      const app = createApp({
        databaseUrl: DATABASE_URL,
        providers: [adapter],
        keyring: createKeyring({ keys: { k: Buffer.alloc(32, 7) }, currentKeyId: 'k' }),
        port: 0,
        schemas,
        sweepIntervalMs: 0,
      })
      try {
        const { url } = await app.start()
        expect(await (await fetch(`${url}/health`)).json()).toMatchObject({
          status: 'ok',
          database: 'postgres',
        })
        const tables = await app.store.driver.query<{ table_schema: string; n: number }>(
          `SELECT table_schema, count(*)::int AS n FROM information_schema.tables
            WHERE table_schema = ANY($1::text[]) GROUP BY table_schema ORDER BY table_schema`,
          [[schemas.hub, schemas.marketplace]],
        )
        expect(tables.map((t) => t.table_schema).sort()).toEqual([schemas.hub, schemas.marketplace].sort())
      } finally {
        await app.stop()
        const admin = pgDriver({ connectionString: DATABASE_URL!, max: 1 })
        await admin.exec(
          `DROP SCHEMA IF EXISTS "${schemas.hub}" CASCADE; DROP SCHEMA IF EXISTS "${schemas.marketplace}" CASCADE`,
        )
        await admin.close()
      }
    })
  })
} else {
  describe('createApp on PostgreSQL', () => {
    it.skip(NO_DATABASE, () => {})
  })
}
