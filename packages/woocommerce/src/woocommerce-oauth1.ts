import { createHmac, randomBytes } from 'node:crypto'
import { ConfigError } from '@hub/core'

/** Signature methods WooCommerce accepts; anything else is "signature method is invalid". */
export type OAuthSignatureMethod = 'HMAC-SHA256' | 'HMAC-SHA1'

/** A WooCommerce REST key pair. */
export interface WooKeys {
  consumerKey: string
  consumerSecret: string
}

/** Input of {@link signOAuth1Url}. */
export interface OAuthSignInput {
  /** HTTP method as WooCommerce sees it (`REQUEST_METHOD`; with a method override that is `POST`). */
  method: string
  /** The full request URL; its query takes part in the signature. */
  url: string | URL
  keys: WooKeys
  /** Default `HMAC-SHA256`. */
  signatureMethod?: OAuthSignatureMethod
  /** Unix seconds; WooCommerce accepts ±15 minutes. Default: now. */
  timestamp?: number
  /** Unique per key within 15 minutes (WooCommerce stores used nonces). Default: 32 random hex chars. */
  nonce?: string
  /**
   * Scheme of the signature base URL. WooCommerce uses `is_ssl() ? https : http`, not the
   * scheme the client connected with: behind a TLS proxy WordPress does not recognise, that is
   * `http` for an `https` request. Default: the URL's own scheme.
   */
  baseScheme?: 'http' | 'https'
}

/** A parameter as PHP's `$_GET` holds it: a string, or one level of `name[key]` entries. */
export type PhpQueryParam = string | Array<[string, string]>

/**
 * RFC 3986 percent-encoding, as PHP's `rawurlencode` (only `A-Z a-z 0-9 - _ . ~` stay as is).
 * `encodeURIComponent` leaves `! ' ( ) *` alone, so they are encoded here by hand.
 */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

/**
 * Parse a query string the way PHP fills `$_GET`: `+` and `%XX` decode, `.` and space in a name
 * become `_`, a repeated plain name keeps the last value, and `name[]` / `name[key]` build an
 * array (one level). WooCommerce signs what PHP parsed, not the raw query, so we must too.
 */
function parsePhpQuery(search: string): Map<string, PhpQueryParam> {
  const params = new Map<string, PhpQueryParam>()
  const query = search.startsWith('?') ? search.slice(1) : search
  if (query === '') return params
  for (const pair of query.split('&')) {
    if (pair === '') continue
    const eq = pair.indexOf('=')
    const rawName = phpUrlDecode(eq === -1 ? pair : pair.slice(0, eq))
    const value = eq === -1 ? '' : phpUrlDecode(pair.slice(eq + 1))
    const bracket = rawName.indexOf('[')
    const closing = bracket === -1 ? -1 : rawName.indexOf(']', bracket)
    if (bracket > 0 && closing !== -1) {
      const name = rawName.slice(0, bracket).replace(/[. ]/g, '_')
      const existing = params.get(name)
      const list = Array.isArray(existing) ? existing : []
      const inner = rawName.slice(bracket + 1, closing)
      const key = inner === '' ? String(nextIndex(list)) : inner
      const at = list.findIndex(([k]) => k === key)
      if (at === -1) list.push([key, value])
      else list[at] = [key, value]
      params.set(name, list)
    } else {
      params.set(rawName.replace(/[. ]/g, '_'), value)
    }
  }
  return params
}

function nextIndex(list: Array<[string, string]>): number {
  let max = -1
  for (const [k] of list) if (/^(0|[1-9]\d*)$/.test(k)) max = Math.max(max, Number(k))
  return max + 1
}

function phpUrlDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '))
  } catch {
    throw new ConfigError('request URL has an invalid percent-encoding')
  }
}

/**
 * The signature base string exactly as WooCommerce's `check_oauth_signature` builds it, which
 * differs from RFC 5849 §3.4.1 in three ways (all reproduced here on purpose):
 * 1. parameters are sorted by their *decoded* names (`uksort(..., 'strcmp')`) before encoding;
 * 2. each name and value is percent-encoded ONCE and joined with a literal `%3D` / `%26`, so a
 *    value's own `%` is not encoded again (RFC 5849 encodes the whole parameter string a second
 *    time: `a=b c` is `a%3Db%2520c` there, `a%3Db%20c` here);
 * 3. PHP array parameters (`include[]=1`) appear as `include%255B0%255D%3D1`, inner key raw.
 * The base URI is scheme, host, port and path of the request (no query), `rawurlencode`d.
 */
export function oauthBaseString(
  method: string,
  url: URL,
  params: Map<string, PhpQueryParam>,
  baseScheme?: 'http' | 'https',
): string {
  const base = `${baseScheme ? `${baseScheme}:` : url.protocol}//${url.host}${url.pathname}`
  const names = [...params.keys()].sort(strcmp)
  const parts: string[] = []
  for (const name of names) {
    const value = params.get(name) as PhpQueryParam
    if (typeof value === 'string') {
      parts.push(`${rfc3986(name)}%3D${rfc3986(value)}`)
    } else {
      for (const [inner, v] of value) parts.push(`${rfc3986(name)}%255B${inner}%255D%3D${rfc3986(v)}`)
    }
  }
  return `${method.toUpperCase()}&${rfc3986(base)}&${parts.join('%26')}`
}

function strcmp(a: string, b: string): number {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return Buffer.compare(x, y)
}

/** base64(HMAC(base string, consumer secret + "&")): one-legged OAuth has no token secret. */
export function oauthSignature(
  baseString: string,
  consumerSecret: string,
  method: OAuthSignatureMethod,
): string {
  const algorithm = method === 'HMAC-SHA1' ? 'sha1' : 'sha256'
  return createHmac(algorithm, `${consumerSecret}&`).update(baseString).digest('base64')
}

/** A fresh 32-character hex nonce. */
export function createNonce(): string {
  return randomBytes(16).toString('hex')
}

/**
 * Sign a request the way WooCommerce verifies it over plain HTTP: one-legged OAuth 1.0a with
 * `oauth_consumer_key`, `oauth_nonce`, `oauth_signature_method`, `oauth_timestamp` and
 * `oauth_signature` in the query string (no `oauth_version`, no token). Any `oauth_*` already
 * in the URL (e.g. echoed back in a `Link` header) is dropped first. The JSON body is not signed.
 * Returns a new URL; the input is not modified.
 */
export function signOAuth1Url(input: OAuthSignInput): URL {
  const signatureMethod = input.signatureMethod ?? 'HMAC-SHA256'
  if (signatureMethod !== 'HMAC-SHA256' && signatureMethod !== 'HMAC-SHA1') {
    throw new ConfigError(`unsupported OAuth signature method ${String(signatureMethod)}`)
  }
  const url = new URL(String(input.url))
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((pair) => pair !== '' && !/^oauth_/i.test(phpUrlDecode(pair.split('=')[0] as string)))
  const timestamp = String(input.timestamp ?? Math.floor(Date.now() / 1000))
  const nonce = input.nonce ?? createNonce()
  const oauth: Array<[string, string]> = [
    ['oauth_consumer_key', input.keys.consumerKey],
    ['oauth_nonce', nonce],
    ['oauth_signature_method', signatureMethod],
    ['oauth_timestamp', timestamp],
  ]
  const query = [...kept, ...oauth.map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)].join('&')
  const params = parsePhpQuery(query)
  const signature = oauthSignature(
    oauthBaseString(input.method, url, params, input.baseScheme),
    input.keys.consumerSecret,
    signatureMethod,
  )
  url.search = `${query}&oauth_signature=${rfc3986(signature)}`
  return url
}

/** Exposed for tests and the fake: the parameters WooCommerce would sign for a query string. */
export function phpQueryParams(search: string): Map<string, PhpQueryParam> {
  return parsePhpQuery(search)
}
