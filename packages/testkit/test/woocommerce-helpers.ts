import type { FakeWoo, FakeWooKey } from '../src/woocommerce/index.js'

/** How a test request authenticates. */
export type TestAuth = 'basic' | 'query' | 'none' | { basic: FakeWooKey } | { query: FakeWooKey }

/** Send a REST request straight to the fake's core (no network). */
export async function wooRequest(
  woo: FakeWoo,
  method: string,
  path: string,
  options: { body?: unknown; auth?: TestAuth; base?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const auth = options.auth ?? 'basic'
  const url = new URL(`${options.base ?? woo.baseUrl}/wp-json/wc/v3${path}`)
  const headers = new Headers(options.headers)
  const creds = typeof auth === 'object' ? ('basic' in auth ? auth.basic : auth.query) : woo.credentials
  if (auth === 'basic' || (typeof auth === 'object' && 'basic' in auth)) {
    headers.set(
      'authorization',
      `Basic ${Buffer.from(`${creds.consumerKey}:${creds.consumerSecret}`).toString('base64')}`,
    )
  }
  if (auth === 'query' || (typeof auth === 'object' && 'query' in auth)) {
    url.searchParams.set('consumer_key', creds.consumerKey)
    url.searchParams.set('consumer_secret', creds.consumerSecret)
  }
  let body: string | undefined
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body)
    headers.set('content-type', 'application/json')
  }
  const res = await woo.handle(new Request(url, { method, headers, body }))
  const text = await res.text()
  let json: unknown = null
  try {
    json = JSON.parse(text)
  } catch {
    json = null
  }
  return { status: res.status, headers: res.headers, json, text }
}

/** The error code of a WordPress error body. */
export function codeOf(json: unknown): string | undefined {
  return typeof json === 'object' && json !== null ? (json as { code?: string }).code : undefined
}

/** The message of a WordPress error body. */
export function messageOf(json: unknown): string | undefined {
  return typeof json === 'object' && json !== null ? (json as { message?: string }).message : undefined
}
