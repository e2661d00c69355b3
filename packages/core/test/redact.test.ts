import { describe, expect, it } from 'vitest'
import {
  ConfigError,
  HubError,
  type Json,
  type LogFields,
  type Logger,
  PermanentError,
  RetryableError,
} from '../src/index.js'
import {
  CIRCULAR,
  createKeyring,
  createRedactor,
  DEFAULT_SECRET_KEYS,
  MAX_DEPTH,
  REDACTED,
  redactingLogger,
  TRUNCATED,
} from '../src/security/index.js'

const TOKEN = 'shpat_0123456789abcdef0123456789abcdef'
/** A password with characters that change under URL and JSON encoding. */
const PASSWORD = 'p@ss w0rd/"quoted"+&more=1'

function capture(): { logger: Logger; lines: unknown[][] } {
  const lines: unknown[][] = []
  const logger: Logger = {
    debug: (...args) => lines.push(['debug', ...args]),
    info: (...args) => lines.push(['info', ...args]),
    warn: (...args) => lines.push(['warn', ...args]),
    error: (...args) => lines.push(['error', ...args]),
  }
  return { logger, lines }
}

/** Every form a secret must never appear in. */
function forms(secret: string): string[] {
  const bytes = Buffer.from(secret)
  return [
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    bytes.toString('base64'),
    bytes.toString('base64').replace(/=+$/, ''),
    bytes.toString('base64url'),
    JSON.stringify(secret).slice(1, -1),
  ]
}

function expectNoSecret(output: unknown, secret: string): void {
  const text = typeof output === 'string' ? output : JSON.stringify(output)
  for (const form of forms(secret)) expect(text).not.toContain(form)
}

describe('scan: a secret in credentials never reaches diagnostics, errors, headers or logs', () => {
  const keyring = createKeyring({ keys: { k1: Buffer.alloc(32, 7) }, currentKeyId: 'k1' })
  const connection = {
    id: 'conn_1',
    credentials: keyring.encrypt({ accessToken: TOKEN, password: PASSWORD, apiVersion: '2025-01' }, 'conn_1'),
  }
  const secretValues = () => {
    const decrypted = keyring.decrypt(connection.credentials, 'conn_1') as Record<string, string>
    return Object.values(decrypted)
  }
  const redactor = createRedactor({ secretValues })

  for (const secret of [TOKEN, PASSWORD]) {
    it(`hides ${secret.slice(0, 8)}… in every form`, () => {
      const b64 = Buffer.from(secret).toString('base64')
      const diagnostic = {
        request: {
          url: `https://shop.example/admin/api?x=1&q=${encodeURIComponent(secret)}`,
          body: new URLSearchParams({ note: secret }).toString(),
          echoed: [{ deep: { deeper: [`value was ${secret}!`, { blob: `xx${b64}yy` }] } }],
          url64: Buffer.from(secret).toString('base64url'),
          quoted: JSON.stringify({ harmless: secret }),
        },
        // The secret inside a larger base64 blob, at each byte alignment.
        embedded: [0, 1, 2].map((pad) => Buffer.from(`${'#'.repeat(pad)}${secret}:tail`).toString('base64')),
      }
      const thrown = new Error(`request failed for ${secret}`, {
        cause: new Error(encodeURIComponent(secret)),
      })
      const headers = new Headers({
        'X-Custom': `v=${b64}`,
        'X-Shopify-Access-Token': secret,
        Referer: secret,
      })
      const { logger, lines } = capture()
      redactingLogger(logger, redactor).warn(
        { attempt: diagnostic, err: thrown, headers },
        `retry after ${secret}`,
      )

      const outputs = [
        redactor.redactValue(diagnostic),
        redactor.redactError(thrown),
        redactor.redactValue(thrown),
        redactor.redactHeaders(headers),
        lines,
      ]
      for (const output of outputs) expectNoSecret(output, secret)
      // The unaligned base64 cores are gone too: nothing of the blob longer than a few chars survives.
      const shown = JSON.stringify(redactor.redactValue(diagnostic.embedded))
      expect(shown.match(/\[REDACTED\]/g)?.length).toBeGreaterThanOrEqual(3)
      // Harmless context survives.
      expect(JSON.stringify(outputs[0])).toContain('https://shop.example/admin/api?x=1')
      expect(lines[0]?.[0]).toBe('warn')
      expect(lines[0]?.[2]).toBe(`retry after ${REDACTED}`)
    })
  }
})

describe('redactValue: keys', () => {
  const redactor = createRedactor({ secretKeys: ['shopPin'] })

  it('hides values under default secret keys, whatever the case and separators', () => {
    const value = redactor.redactValue({
      password: 'a',
      Access_Token: { nested: 'object' },
      refreshToken: ['x'],
      'X-WC-Webhook-Signature': 'sig',
      consumer_key: 12345,
      shopifyApiSecret: 'fragment',
      shop_pin: 'custom key',
      safe: 'kept',
      statusCode: 500,
    })
    expect(value).toEqual({
      password: REDACTED,
      Access_Token: REDACTED,
      refreshToken: REDACTED,
      'X-WC-Webhook-Signature': REDACTED,
      consumer_key: REDACTED,
      shopifyApiSecret: REDACTED,
      shop_pin: REDACTED,
      safe: 'kept',
      statusCode: 500,
    })
    expect(DEFAULT_SECRET_KEYS).toContain('x-shopify-hmac-sha256')
  })

  it('keeps null and booleans under secret keys, and error-like codes', () => {
    expect(
      redactor.redactValue({
        token: null,
        hasToken: true,
        code: 'THROTTLED',
        status: { code: 429 },
        oauth: { code: 'a1b2c3' },
      }),
    ).toEqual({
      token: null,
      hasToken: true,
      code: 'THROTTLED',
      status: { code: 429 },
      oauth: { code: REDACTED },
    })
  })

  it('redacts keys that carry secrets themselves', () => {
    expect(redactor.redactValue({ [`Bearer ${TOKEN}`]: 1 })).toEqual({ [`Bearer ${REDACTED}`]: 1 })
  })
})

describe('redactText: token shapes', () => {
  const redactor = createRedactor()
  const cases: Array<[string, string]> = [
    ['Authorization: Bearer abc.def-ghi_123', `Authorization: ${REDACTED}`],
    ['sent bearer abcdefgh12345678 twice', `sent bearer ${REDACTED} twice`],
    ['header Basic Y2tfMTIzOmNzXzQ1Ng==, done', `header Basic ${REDACTED}, done`],
    [`token ${TOKEN} used`, `token shpat_${REDACTED} used`],
    ['shpua_abcdef0123456789 and shpca_abcdef0123456789', `shpua_${REDACTED} and shpca_${REDACTED}`],
    ['keys ck_0123456789abcdef0123 / cs_0123456789abcdef0123', `keys ck_${REDACTED} / cs_${REDACTED}`],
    [
      'GET /wp-json/wc/v3/orders?consumer_key=abc&consumer_secret=cs_x&page=2',
      `GET /wp-json/wc/v3/orders?consumer_key=${REDACTED}&consumer_secret=${REDACTED}&page=2`,
    ],
    ['callback?code=0a1b2c3d&shop=x.myshopify.com', `callback?code=${REDACTED}&shop=x.myshopify.com`],
    ['https://user:pa55@example.com/x', `https://${REDACTED}@example.com/x`],
    ['jwt eyJhbGciOi.eyJzdWIiOiIx.c2lnbmF0dXJl end', `jwt ${REDACTED} end`],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY----- ok', `${REDACTED} ok`],
    ['{"password":"hun\\"ter2","user":"bob"}', `{"password":"${REDACTED}","user":"bob"}`],
    ["{ apiKey: 'abc', user: 'bob' }", `{ apiKey: '${REDACTED}', user: 'bob' }`],
    ['note: password: hunter22', `note: password: ${REDACTED}`],
    ['Cookie: a=1; b=2\nNext: line', `Cookie: ${REDACTED}\nNext: line`],
    [
      '{"errors":[{"extensions":{"code":"THROTTLED"}}],"token":null}',
      '{"errors":[{"extensions":{"code":"THROTTLED"}}],"token":null}',
    ],
    [
      'Error: invalid token provided at https://x.example/y',
      'Error: invalid token provided at https://x.example/y',
    ],
  ]
  it.each(cases)('%s', (input, expected) => {
    expect(redactor.redactText(input)).toBe(expected)
    // Redacting twice (engine message, then the logger) changes nothing more.
    expect(redactor.redactText(expected)).toBe(expected)
  })

  it('turns a non-string into text', () => {
    expect(createRedactor({ secretValues: () => ['1234567'] }).redactText(12345678 as never)).toBe(
      `${REDACTED}8`,
    )
  })
})

describe('redactText: known secret values', () => {
  it('ignores values too short to search for and non-strings', () => {
    const redactor = createRedactor({ secretValues: () => ['abc', 42 as never, 'longenough'] })
    expect(redactor.redactText('abc longenough 42')).toBe(`abc ${REDACTED} 42`)
  })

  it('searches for at most 1000 values, and ignores empty extra keys', () => {
    const values = Array.from({ length: 1001 }, (_, i) => `secret-${String(i).padStart(4, '0')}`)
    const redactor = createRedactor({ secretKeys: [''], secretValues: () => values })
    expect(redactor.redactText('secret-0999 secret-1000')).toBe(`${REDACTED} secret-1000`)
    expect(redactor.redactValue({ '': 'kept' })).toEqual({ '': 'kept' })
  })

  it('asks for the values on every call, so the scope can change', () => {
    let current = ['first-secret']
    const redactor = createRedactor({ secretValues: () => current })
    expect(redactor.redactText('first-secret second-secret')).toBe(`${REDACTED} second-secret`)
    expect(redactor.redactText('first-secret')).toBe(REDACTED)
    current = ['second-secret']
    expect(redactor.redactText('first-secret second-secret')).toBe(`first-secret ${REDACTED}`)
  })

  it('matches lowercase percent-encoding and survives a lone surrogate', () => {
    const redactor = createRedactor({ secretValues: () => ['a/b/c/d/e', '\ud800lonely!'] })
    expect(redactor.redactText('x=a%2fb%2Fc%2fd%2fe')).toBe(`x=${REDACTED}`)
    expect(redactor.redactText('a%2fb%2fc%2fd%2fe \ud800lonely!')).toBe(`${REDACTED} ${REDACTED}`)
  })

  it('fails closed when the secret source throws', () => {
    const redactor = createRedactor({
      secretValues: () => {
        throw new Error('vault down')
      },
    })
    expect(redactor.redactText('anything')).toBe(REDACTED)
    expect(redactor.redactValue({ a: 1 })).toBe(REDACTED)
    expect(redactor.redactHeaders({ a: '1' })).toEqual({})
    expect(redactor.redactError(new Error('x'))).toEqual({ code: 'UNEXPECTED_ERROR', message: REDACTED })
  })
})

describe('redactValue: shapes and bounds', () => {
  const redactor = createRedactor()

  it('handles cycles, but not shared references, as circular', () => {
    const shared = { n: 1 }
    const cyclic: Record<string, unknown> = { shared, again: shared }
    cyclic.self = cyclic
    cyclic.list = [cyclic]
    expect(redactor.redactValue(cyclic)).toEqual({
      shared: { n: 1 },
      again: { n: 1 },
      self: CIRCULAR,
      list: [CIRCULAR],
    })
  })

  it('converts non-JSON values', () => {
    const at = new Date('2026-01-02T03:04:05.000Z')
    const value = redactor.redactValue({
      at,
      bad: new Date(Number.NaN),
      url: new URL('https://x.example/cb?access_token=abcdef'),
      buffer: Buffer.from('secret bytes'),
      arrayBuffer: new ArrayBuffer(4),
      map: new Map<unknown, unknown>([
        [1, 'one'],
        ['password', 'x'],
      ]),
      set: new Set(['a']),
      big: 10n,
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      skipped: undefined,
      fn: () => 1,
      sym: Symbol('s'),
      list: [undefined, () => 1, 2],
      custom: { toJSON: () => ({ password: 'x', ok: 1 }) },
      emptyJson: { toJSON: () => undefined },
      selfJson: {
        toJSON() {
          return this
        },
      },
      headers: new Headers({ authorization: 'Bearer abcdefgh123' }),
    })
    expect(value).toEqual({
      at: '2026-01-02T03:04:05.000Z',
      bad: 'Invalid Date',
      url: `https://x.example/cb?access_token=${REDACTED}`,
      buffer: '[Binary 12 bytes]',
      arrayBuffer: '[Binary 4 bytes]',
      map: { 1: 'one', password: REDACTED },
      set: ['a'],
      big: '10',
      nan: 'NaN',
      inf: 'Infinity',
      list: [null, null, 2],
      custom: { password: REDACTED, ok: 1 },
      emptyJson: null,
      selfJson: CIRCULAR,
      headers: { authorization: REDACTED },
    })
    expect(redactor.redactValue(undefined)).toBeNull()
  })

  it('describes errors with code, cause and stack, redacted', () => {
    const error = new RetryableError('THROTTLED', 'slow down, token=abcdef', {
      retryAfterMs: 2000,
      cause: new Error('inner Bearer abcdefgh1234'),
    })
    const value = redactor.redactValue(error) as Record<string, Json>
    expect(value.name).toBe('RetryableError')
    expect(value.message).toBe(`slow down, token=${REDACTED}`)
    expect(value.code).toBe('THROTTLED')
    expect(value.retryAfterMs).toBe(2000)
    expect((value.cause as Record<string, Json>).message).toBe(`inner Bearer ${REDACTED}`)
    expect(value.stack).toContain(`slow down, token=${REDACTED}`)
    expect(redactor.redactValue(new Error('x', { cause: () => 1 }))).toMatchObject({ cause: null })
  })

  it('never lets a throwing getter or proxy escape', () => {
    const tricky = {
      ok: 1,
      get boom(): never {
        throw new Error('getter')
      },
    }
    expect(redactor.redactValue(tricky)).toEqual({ ok: 1, boom: '[Unreadable]' })
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('no keys')
        },
      },
    )
    expect(redactor.redactValue({ hostile })).toBe(REDACTED)
    const error = new Error('x')
    Object.defineProperty(error, 'message', {
      get() {
        throw new Error('no message')
      },
    })
    expect(redactor.redactValue(error)).toMatchObject({ name: 'Error', message: 'undefined' })
  })

  it('keeps __proto__ as a plain key without touching the prototype', () => {
    const value = redactor.redactValue(JSON.parse('{"__proto__":{"polluted":true}}')) as Record<
      string,
      unknown
    >
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype)
    expect(Object.hasOwn(value, '__proto__')).toBe(true)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('bounds depth, node count and string length', () => {
    const small = createRedactor({ maxDepth: 3, maxNodes: 10, maxStringLength: 20 })
    expect(small.redactValue({ a: { b: { c: { d: 1 } } } })).toEqual({ a: { b: { c: MAX_DEPTH } } })
    expect(small.redactValue(Array.from({ length: 50 }, (_, i) => i))).toEqual([
      ...Array.from({ length: 9 }, (_, i) => i),
      `${TRUNCATED} 41 more`,
    ])
    const wide = small.redactValue(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i])))
    expect(Object.keys(wide as object)).toHaveLength(10)
    expect((wide as Record<string, Json>)[TRUNCATED]).toBe('41 more')
    expect(small.redactValue('x'.repeat(30))).toBe(`${'x'.repeat(20)}…${TRUNCATED}`)
    expect(small.redactText('y'.repeat(20))).toBe('y'.repeat(20))
    const headers = small.redactHeaders(
      Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`h${i}`, 'v'])),
    )
    expect(Object.keys(headers)).toHaveLength(11)
    expect(headers[TRUNCATED]).toBe('more headers')
  })

  it('ignores unusable limits', () => {
    const lax = createRedactor({ maxDepth: -1, maxNodes: Number.NaN, maxStringLength: 0 })
    expect(lax.redactValue({ a: { b: 'c'.repeat(100) } })).toEqual({ a: { b: 'c'.repeat(100) } })
  })

  it('cuts a huge string first without leaving part of a secret at the cut', () => {
    const secret = 'S'.repeat(20) + 'ecret-value-xyz'
    const redactor = createRedactor({ maxStringLength: 100, secretValues: () => [secret] })
    for (let offset = 300; offset < 420; offset += 7) {
      const huge = `${'a '.repeat(offset / 2)}${secret}${'b'.repeat(5_000)}`
      const out = redactor.redactText(huge)
      expect(out.endsWith(`…${TRUNCATED}`)).toBe(true)
      expect(out.length).toBeLessThanOrEqual(100 + 1 + TRUNCATED.length)
      expect(out).not.toContain('ecret-value')
    }
    // Many short secrets shrink the text a lot: the cut part must still be safe.
    const dense = `${'a'.repeat(10)}${secret.repeat(40)}`
    expect(redactor.redactText(dense)).not.toContain('ecret-value')
  })
})

describe('redactHeaders', () => {
  const redactor = createRedactor({ secretValues: () => ['supersecret'] })

  it('accepts Node header objects, pairs, Maps and nothing', () => {
    expect(
      redactor.redactHeaders({
        'set-cookie': ['a=1', 'b=2'],
        'content-length': 42,
        'x-missing': undefined,
        'x-note': 'has supersecret inside',
        'X-Shopify-Hmac-Sha256': 'abc=',
      }),
    ).toEqual({
      'set-cookie': REDACTED,
      'content-length': '42',
      'x-note': `has ${REDACTED} inside`,
      'X-Shopify-Hmac-Sha256': REDACTED,
    })
    expect(
      redactor.redactHeaders([['Authorization', 'Basic abcdefgh'] as const, ['accept', '*/*'] as const]),
    ).toEqual({
      Authorization: REDACTED,
      accept: '*/*',
    })
    expect(redactor.redactHeaders(new Map([['cookie', 'x=1']]) as never)).toEqual({ cookie: REDACTED })
    expect(redactor.redactHeaders(null)).toEqual({})
    expect(redactor.redactHeaders(undefined)).toEqual({})
    expect(redactor.redactHeaders('not headers' as never)).toEqual({})
  })
})

describe('redactError', () => {
  const redactor = createRedactor({ secretValues: () => ['topsecret'] })

  it('keeps the code and retry hints of SDK errors', () => {
    expect(
      redactor.redactError(new RetryableError('RATE_LIMITED', 'wait topsecret', { retryAfterMs: 500 })),
    ).toEqual({
      code: 'RATE_LIMITED',
      message: `wait ${REDACTED}`,
      retryable: true,
      retryAfterMs: 500,
    })
    expect(redactor.redactError(new RetryableError('NET', 'down'))).toEqual({
      code: 'NET',
      message: 'down',
      retryable: true,
    })
    expect(redactor.redactError(new PermanentError('INVALID', 'no'))).toMatchObject({ retryable: false })
    expect(redactor.redactError(new ConfigError('bad'))).toMatchObject({
      code: 'CONFIG_INVALID',
      retryable: false,
    })
    expect(redactor.redactError(new HubError('X', 'y'))).toMatchObject({ retryable: false })
  })

  it('summarizes foreign errors and non-errors', () => {
    const node = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    expect(redactor.redactError(node)).toEqual({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' })
    const odd = Object.assign(new Error('x'), { code: 'not a code at all!' })
    expect(redactor.redactError(odd).code).toBe('UNEXPECTED_ERROR')
    expect(redactor.redactError(new TypeError(''))).toEqual({
      code: 'UNEXPECTED_ERROR',
      message: 'TypeError',
    })
    expect(redactor.redactError('plain topsecret')).toEqual({
      code: 'UNEXPECTED_ERROR',
      message: `plain ${REDACTED}`,
    })
    expect(redactor.redactError({ message: 'shaped', code: 'E1' })).toEqual({ code: 'E1', message: 'shaped' })
    expect(redactor.redactError({ detail: 'topsecret' })).toEqual({
      code: 'UNEXPECTED_ERROR',
      message: `{"detail":"${REDACTED}"}`,
    })
    expect(redactor.redactError(undefined)).toEqual({ code: 'UNEXPECTED_ERROR', message: 'undefined' })
    expect(redactor.redactError(null)).toEqual({ code: 'UNEXPECTED_ERROR', message: 'null' })
  })
})

describe('redactingLogger', () => {
  const redactor = createRedactor({ secretValues: () => ['hunter2hunter2'] })

  it('redacts fields and messages at every level, keeping the call shape', () => {
    const { logger, lines } = capture()
    const log = redactingLogger(logger, redactor)
    log.debug({ password: 'x', note: 'hunter2hunter2' })
    log.info({ n: 1 }, 'login with hunter2hunter2')
    log.warn({}, 'w')
    log.error({ at: 'x' }, 'e')
    expect(lines).toEqual([
      ['debug', { password: REDACTED, note: REDACTED }],
      ['info', { n: 1 }, `login with ${REDACTED}`],
      ['warn', {}, 'w'],
      ['error', { at: 'x' }, 'e'],
    ])
  })

  it('accepts pino call styles: a bare message, an error, a non-object', () => {
    const { logger, lines } = capture()
    const log = redactingLogger(logger, redactor)
    log.info('hunter2hunter2 here' as never)
    log.error(new Error('boom hunter2hunter2') as never)
    log.warn([1, 2] as never)
    expect(lines[0]).toEqual(['info', `${REDACTED} here`])
    expect(lines[1]?.[1]).toMatchObject({ err: { name: 'Error', message: `boom ${REDACTED}` } })
    expect(lines[2]).toEqual(['warn', { value: [1, 2] }])
  })

  it('wraps children and redacts their bindings; no child when the logger has none', () => {
    const { logger, lines } = capture()
    const bindings: LogFields[] = []
    const parent: Logger = {
      ...logger,
      child(fields) {
        bindings.push(fields)
        return logger
      },
    }
    const child = redactingLogger(parent, redactor).child?.({ token: 'abc', seller: 's1' })
    child?.info({ secret: 'x' }, 'hunter2hunter2')
    expect(bindings).toEqual([{ token: REDACTED, seller: 's1' }])
    expect(lines).toEqual([['info', { secret: REDACTED }, REDACTED]])
    expect(redactingLogger(logger, redactor).child).toBeUndefined()
  })
})
