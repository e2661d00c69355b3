import { timingSafeEqual } from 'node:crypto'
import { type PhpParam, parsePhpQuery } from './php-query.js'
import { RestError } from './rest-response.js'
import { type OAuth1Method, wooOAuth1Signature } from './signing.js'
import type { WooState } from './state.js'
import type { ApiKeyRecord } from './types.js'

/** What authentication made of a request: a key, nobody, or an error WooCommerce reports. */
export type AuthResult = { key: ApiKeyRecord } | { key: null } | { error: RestError }

const OAUTH_REQUIRED = [
  'oauth_consumer_key',
  'oauth_timestamp',
  'oauth_nonce',
  'oauth_signature',
  'oauth_signature_method',
] as const
/** WooCommerce accepts timestamps within ±15 minutes and keeps nonces for as long. */
const OAUTH_WINDOW_SECONDS = 15 * 60

function authError(message: string): { error: RestError } {
  return { error: new RestError('woocommerce_rest_authentication_error', message, 401) }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function basicCredentials(header: string | null): [string, string] | null {
  if (!header?.toLowerCase().startsWith('basic ')) return null
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8')
  const i = decoded.indexOf(':')
  return i < 0 ? null : [decoded.slice(0, i), decoded.slice(i + 1)]
}

function parseOAuthHeader(header: string | null): Record<string, string> {
  const out: Record<string, string> = {}
  if (!header?.toLowerCase().startsWith('oauth ')) return out
  for (const part of header.slice(6).split(',')) {
    const m = /^\s*([^=\s]+)="?([^"]*)"?\s*$/.exec(part)
    if (m?.[1]?.startsWith('oauth_') && m[2] !== undefined) out[m[1]] = decodeURIComponent(m[2])
  }
  return out
}

/** The parts of a request authentication looks at. */
export interface AuthInput {
  method: string
  /** Scheme + host + path as the store sees it (used in the OAuth base string). */
  baseUrl: string
  isSsl: boolean
  query: URLSearchParams
  /** The raw query string (`?…`), parsed the PHP way for OAuth. */
  search: string
  /** Form fields of an `application/x-www-form-urlencoded` body (PHP's `$_POST`). */
  form: Record<string, string>
  authorization: string | null
  nowSeconds: number
}

/**
 * WooCommerce's `WC_REST_Authentication::authenticate`: over HTTPS, query-string keys (first) or
 * Basic; then OAuth 1.0a (query, form fields or `Authorization: OAuth`). Over plain HTTP, Basic and
 * query keys are ignored, so such a request is simply unauthenticated.
 */
export function authenticate(state: WooState, input: AuthInput): AuthResult {
  if (input.isSsl) {
    let pair: [string, string] | null = null
    const ck = input.query.get('consumer_key')
    const cs = input.query.get('consumer_secret')
    if (ck && cs) pair = [ck, cs]
    else pair = basicCredentials(input.authorization)
    if (pair) {
      const key = state.keys.get(pair[0])
      if (key) {
        if (!safeEqual(key.consumerSecret, pair[1])) return authError('Consumer secret is invalid.')
        return { key }
      }
    }
  }
  return oauth(state, input)
}

function oauth(state: WooState, input: AuthInput): AuthResult {
  const params: Record<string, PhpParam> = { ...parsePhpQuery(input.search) }
  Object.assign(params, input.form, parseOAuthHeader(input.authorization))
  const text = (name: string): string => {
    const v = params[name]
    return typeof v === 'string' ? v : ''
  }
  const missing = OAUTH_REQUIRED.filter((name) => !text(name))
  if (missing.length === OAUTH_REQUIRED.length) return { key: null }
  if (missing.length > 0) {
    const noun = missing.length === 1 ? 'parameter' : 'parameters'
    return {
      error: new RestError(
        'woocommerce_rest_authentication_missing_parameter',
        `Missing OAuth ${noun} ${missing.join(', ')}`,
        401,
      ),
    }
  }
  const key = state.keys.get(text('oauth_consumer_key'))
  if (!key) return authError('Consumer key is invalid.')
  const method = text('oauth_signature_method')
  if (method !== 'HMAC-SHA1' && method !== 'HMAC-SHA256') {
    return authError('Invalid signature - signature method is invalid.')
  }
  const provided = text('oauth_signature').replace(/ /g, '+')
  const { oauth_signature: _omit, ...signed } = params
  const expected = wooOAuth1Signature({
    method: input.method,
    baseUrl: input.baseUrl,
    params: signed,
    consumerSecret: key.consumerSecret,
    signatureMethod: method as OAuth1Method,
  })
  if (!safeEqual(expected, provided))
    return authError('Invalid signature - provided signature does not match.')
  const timestamp = Number(text('oauth_timestamp'))
  if (!Number.isFinite(timestamp) || Math.abs(timestamp - input.nowSeconds) > OAUTH_WINDOW_SECONDS) {
    return authError('Invalid timestamp.')
  }
  for (const [nonce, seen] of key.nonces)
    if (seen < input.nowSeconds - OAUTH_WINDOW_SECONDS) key.nonces.delete(nonce)
  const nonce = text('oauth_nonce')
  if (key.nonces.has(nonce)) return authError('Invalid nonce - nonce has already been used.')
  key.nonces.set(nonce, timestamp)
  return { key }
}

/** `check_user_permissions`: read needs `read`/`read_write`, writes need `write`/`read_write`. */
export function checkScope(key: ApiKeyRecord, method: string): RestError | null {
  if (method === 'GET' || method === 'HEAD') {
    if (key.permissions === 'read' || key.permissions === 'read_write') return null
    return new RestError(
      'woocommerce_rest_authentication_error',
      'The API key provided does not have read permissions.',
      401,
    )
  }
  if (method === 'OPTIONS') return null
  if (key.permissions === 'write' || key.permissions === 'read_write') return null
  return new RestError(
    'woocommerce_rest_authentication_error',
    'The API key provided does not have write permissions.',
    401,
  )
}
