import { ConfigError, type LogFields, type Logger } from '@hub/core'
import { describe, expect, it } from 'vitest'
import {
  buildAuthorizeUrl,
  completeWcAuthReturn,
  confirmWcAuthByTestRequest,
  createWcAuthCallbackHandler,
  createWcAuthState,
  parseWcAuthReturn,
  type WcAuthKeyStore,
  type WcAuthKeys,
} from '../src/woocommerce-auth.js'
import { WooUrlError } from '../src/woocommerce-url.js'
import { exchange, headerMap } from './fixtures.js'

const success = exchange('wc-auth/access-granted-success.json')
const failed = exchange('wc-auth/access-granted-callback-500.json')
const grant = exchange('wc-auth/authorize-grant-screen.json')

function memoryKeyStore(pending: string[] = ['seller-1']) {
  const events: string[] = []
  const provisional = new Map<string, WcAuthKeys>()
  const confirmed = new Map<string, WcAuthKeys>()
  const store: WcAuthKeyStore = {
    isPending: (userId) => pending.includes(userId),
    async saveProvisional(keys) {
      events.push(`provisional:${keys.userId}`)
      provisional.set(keys.userId, keys)
    },
    async confirm(userId, via) {
      events.push(`confirm:${userId}:${via}`)
      const keys = provisional.get(userId)
      if (keys) confirmed.set(userId, keys)
      provisional.delete(userId)
    },
    async discard(userId, reason) {
      events.push(`discard:${userId}:${reason}`)
      provisional.delete(userId)
    },
  }
  return { store, events, provisional, confirmed }
}

function recordingLogger() {
  const lines: string[] = []
  const log = (fields: LogFields, message?: string) => lines.push(JSON.stringify({ fields, message }))
  const logger: Logger = { debug: log, info: log, warn: log, error: log }
  return { logger, lines }
}

function callbackRequest(body: string, headers?: Record<string, string>, method = 'POST'): Request {
  return new Request('https://hub.example.com/wc-auth/callback', {
    method,
    headers: headers ?? headerMap(success.callback_request_received?.raw_headers ?? []),
    body: method === 'GET' ? null : body,
  })
}

describe('buildAuthorizeUrl', () => {
  it('builds the recorded authorize URL', () => {
    const url = buildAuthorizeUrl({
      storeUrl: 'http://127.0.0.1:8080',
      appName: 'Hub',
      userId: 'seller-1',
      returnUrl: 'http://127.0.0.1:9999/return',
      callbackUrl: 'https://127.0.0.1:9443/cb',
      policy: { allowHttp: true, allowPrivate: true },
    })
    expect(url).toBe(`${grant.request.base}${grant.request.path}`)
  })

  it('refuses http callbacks, bad scope, empty fields and unsafe stores', () => {
    const ok = {
      storeUrl: 'https://shop.example.com',
      appName: 'Hub',
      userId: createWcAuthState(),
      returnUrl: 'https://hub.example.com/return',
      callbackUrl: 'https://hub.example.com/cb',
    }
    expect(buildAuthorizeUrl(ok)).toMatch(
      /^https:\/\/shop\.example\.com\/wc-auth\/v1\/authorize\?app_name=Hub&scope=read_write&/,
    )
    expect(() => buildAuthorizeUrl({ ...ok, callbackUrl: 'http://hub.example.com/cb' })).toThrow(ConfigError)
    expect(() => buildAuthorizeUrl({ ...ok, callbackUrl: 'hub.example.com/cb' })).toThrow(ConfigError)
    expect(() => buildAuthorizeUrl({ ...ok, scope: 'bogus' as 'read' })).toThrow(ConfigError)
    expect(() => buildAuthorizeUrl({ ...ok, appName: '  ' })).toThrow(ConfigError)
    expect(() => buildAuthorizeUrl({ ...ok, userId: '' })).toThrow(ConfigError)
    expect(() => buildAuthorizeUrl({ ...ok, returnUrl: 'ftp://x.example.com/' })).toThrow(ConfigError)
    expect(() => buildAuthorizeUrl({ ...ok, storeUrl: 'https://127.0.0.1' })).toThrow(WooUrlError)
    expect(() => buildAuthorizeUrl({ ...ok, storeUrl: 'http://shop.example.com' })).toThrow(WooUrlError)
  })

  it('creates unguessable states', () => {
    const a = createWcAuthState()
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(createWcAuthState()).not.toBe(a)
  })
})

describe('wc-auth callback handler', () => {
  it('stores the recorded callback as provisional and answers exactly 200', async () => {
    const { store, events, provisional } = memoryKeyStore()
    const { logger, lines } = recordingLogger()
    const handler = createWcAuthCallbackHandler({ store, logger })
    const response = await handler(callbackRequest(success.callback_request_received?.body ?? ''))
    expect(response.status).toBe(200)
    expect(events).toEqual(['provisional:seller-1'])
    expect(provisional.get('seller-1')).toEqual({
      keyId: 4,
      userId: 'seller-1',
      consumerKey: `ck_${'a'.repeat(40)}`,
      consumerSecret: `cs_${'a'.repeat(40)}`,
      permissions: 'read_write',
    })
    const logged = lines.join('\n')
    expect(logged).not.toContain('cs_')
    expect(logged).not.toContain(`ck_${'a'.repeat(40)}`)
    expect(logged).toContain('"keyId":4')
  })

  it('accepts the documented numeric user_id too', async () => {
    const { store, provisional } = memoryKeyStore(['42'])
    const body = JSON.parse(failed.callback_request_received?.body ?? '{}') as Record<string, unknown>
    const response = await createWcAuthCallbackHandler({ store })(
      callbackRequest(JSON.stringify({ ...body, user_id: 42 })),
    )
    expect(response.status).toBe(200)
    expect(provisional.get('42')?.keyId).toBe(5)
  })

  it('answers 500 when storing fails, so WooCommerce deletes the key', async () => {
    const { store } = memoryKeyStore()
    store.saveProvisional = async () => {
      throw new Error(`db down cs_${'d'.repeat(40)}`)
    }
    const { logger, lines } = recordingLogger()
    const response = await createWcAuthCallbackHandler({ store, logger })(
      callbackRequest(failed.callback_request_received?.body ?? ''),
    )
    expect(response.status).toBe(500)
    expect(lines.join('\n')).not.toContain('cs_')
  })

  const validBody = JSON.parse(success.callback_request_received?.body ?? '{}') as Record<string, unknown>
  const badBodies: Array<[string, string, number]> = [
    ['not JSON', 'key_id=4', 400],
    ['empty', '', 400],
    ['JSON array', '[]', 400],
    ['missing consumer_secret', JSON.stringify({ ...validBody, consumer_secret: undefined }), 400],
    ['malformed consumer_key', JSON.stringify({ ...validBody, consumer_key: 'ck_short' }), 400],
    ['uppercase hex', JSON.stringify({ ...validBody, consumer_secret: `cs_${'A'.repeat(40)}` }), 400],
    ['bad permissions', JSON.stringify({ ...validBody, key_permissions: 'admin' }), 400],
    ['string key_id', JSON.stringify({ ...validBody, key_id: '4' }), 400],
    ['read-only key', JSON.stringify({ ...validBody, key_permissions: 'read' }), 400],
    ['unknown user_id', JSON.stringify({ ...validBody, user_id: 'someone-else' }), 403],
  ]
  for (const [name, body, status] of badBodies) {
    it(`refuses ${name} with ${status} and stores nothing`, async () => {
      const { store, events } = memoryKeyStore()
      const { logger, lines } = recordingLogger()
      const response = await createWcAuthCallbackHandler({ store, logger })(callbackRequest(body))
      expect(response.status).toBe(status)
      expect(events).toEqual([])
      expect(lines.join('\n')).not.toContain('cs_aaaa')
    })
  }

  it('refuses non-POST (405) and oversized bodies (413)', async () => {
    const { store } = memoryKeyStore()
    const handler = createWcAuthCallbackHandler({ store, maxBodyBytes: 100 })
    expect((await handler(callbackRequest('', {}, 'GET'))).status).toBe(405)
    expect((await handler(callbackRequest(success.callback_request_received?.body ?? '', {}))).status).toBe(
      413,
    )
  })
})

describe('provisional keys lifecycle', () => {
  const keys: WcAuthKeys = {
    keyId: 4,
    userId: 'seller-1',
    consumerKey: `ck_${'a'.repeat(40)}`,
    consumerSecret: `cs_${'a'.repeat(40)}`,
    permissions: 'read_write',
  }

  it('confirms on success=1 from the recorded redirect', async () => {
    const { store, events, confirmed } = memoryKeyStore()
    await store.saveProvisional(keys)
    const outcome = await completeWcAuthReturn(success.response.headers.Location ?? '', store)
    expect(outcome).toEqual({ success: true, userId: 'seller-1' })
    expect(events).toContain('confirm:seller-1:return_url')
    expect(confirmed.get('seller-1')?.keyId).toBe(4)
  })

  it('discards on success=0 (the recorded deny link)', async () => {
    const { store, events, confirmed } = memoryKeyStore()
    await store.saveProvisional(keys)
    const deny = JSON.parse(grant.response.body) as { links: Record<string, string> }
    await completeWcAuthReturn(deny.links['wc-auth-deny'] ?? '', store)
    expect(events.at(-1)).toBe('discard:seller-1:merchant denied access')
    expect(confirmed.size).toBe(0)
  })

  it('rejects a return URL without success/user_id', () => {
    expect(() => parseWcAuthReturn('https://hub.example.com/return')).toThrow(ConfigError)
    expect(() => parseWcAuthReturn('https://hub.example.com/return?success=yes&user_id=x')).toThrow(
      ConfigError,
    )
  })

  it('confirms or discards by a test request', async () => {
    const { store, events } = memoryKeyStore()
    expect(await confirmWcAuthByTestRequest(keys, store, async () => true)).toBe(true)
    expect(await confirmWcAuthByTestRequest(keys, store, async () => false)).toBe(false)
    expect(events).toEqual(['confirm:seller-1:test_request', 'discard:seller-1:key rejected by the store'])
  })
})
