import { createHmac } from 'node:crypto'
import { type PhpParam, parsePhpQuery } from './php-query.js'

/**
 * Sign a webhook body the way WooCommerce does: `base64(HMAC-SHA256(rawBody, secret))`.
 * Pass the exact bytes that go on the wire (PHP-style JSON, see {@link phpJson}).
 */
export function signWooWebhook(body: string | Uint8Array, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64')
}

/** RFC 3986 encoding as PHP's `rawurlencode` does it. */
export function rawUrlEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
  )
}

/** OAuth 1.0a signature methods WooCommerce accepts. */
export type OAuth1Method = 'HMAC-SHA1' | 'HMAC-SHA256'

/**
 * WooCommerce's OAuth 1.0a signature (class-wc-rest-authentication.php): params (as PHP parsed
 * them) sorted with `strcmp`, names and values encoded once and joined with `%3D` / `%26`, array
 * params as `name%255Bkey%255D%3Dvalue`; key `consumer_secret&`.
 */
export function wooOAuth1Signature(input: {
  method: string
  /** Scheme, host and path, no query. */
  baseUrl: string
  /** Every query/form parameter except `oauth_signature`. */
  params: Record<string, PhpParam>
  consumerSecret: string
  signatureMethod: OAuth1Method
}): string {
  const keys = Object.keys(input.params).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
  const parts: string[] = []
  for (const k of keys) {
    const value = input.params[k] ?? ''
    if (typeof value === 'string') parts.push(`${rawUrlEncode(k)}%3D${rawUrlEncode(value)}`)
    else
      for (const [inner, v] of value) parts.push(`${rawUrlEncode(k)}%255B${inner}%255D%3D${rawUrlEncode(v)}`)
  }
  const base = `${input.method.toUpperCase()}&${rawUrlEncode(input.baseUrl)}&${parts.join('%26')}`
  const algorithm = input.signatureMethod === 'HMAC-SHA1' ? 'sha1' : 'sha256'
  return createHmac(algorithm, `${input.consumerSecret}&`).update(base).digest('base64')
}

/**
 * Add OAuth 1.0a query parameters to a URL for a WooCommerce store on plain HTTP. A test helper for
 * the fake (and a reference for clients); `nonce` and `timestamp` are yours to choose.
 */
export function signWooOAuth1Url(input: {
  method: string
  url: string
  consumerKey: string
  consumerSecret: string
  signatureMethod?: OAuth1Method
  nonce: string
  /** Unix seconds. */
  timestamp: number
}): string {
  const url = new URL(input.url)
  const method = input.signatureMethod ?? 'HMAC-SHA256'
  url.searchParams.set('oauth_consumer_key', input.consumerKey)
  url.searchParams.set('oauth_nonce', input.nonce)
  url.searchParams.set('oauth_signature_method', method)
  url.searchParams.set('oauth_timestamp', String(input.timestamp))
  const params = parsePhpQuery(url.search)
  const signature = wooOAuth1Signature({
    method: input.method,
    baseUrl: `${url.origin}${url.pathname}`,
    params,
    consumerSecret: input.consumerSecret,
    signatureMethod: method,
  })
  url.searchParams.set('oauth_signature', signature)
  return url.toString()
}
