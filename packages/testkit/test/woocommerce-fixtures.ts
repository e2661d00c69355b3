import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** Root of the recorded WooCommerce fixtures (`<repo parent>/shared/fixtures/woocommerce`). */
export const FIXTURE_DIR = fileURLToPath(new URL('../../../../shared/fixtures/woocommerce/', import.meta.url))

/** One recorded REST / wc-auth exchange. */
export interface Exchange {
  description: string
  request: {
    base: string
    auth?: string
    method: string
    path: string
    headers: Record<string, string>
    body: string | null
  }
  response: { status: number; headers: Record<string, string>; body: string }
  callback_request_received?: { path: string; body: string; receiver_responded: number }
}

/** One recorded webhook delivery. */
export interface RecordedDelivery {
  seq?: number
  request: { url: string; raw_headers: string[]; body: string }
  receiver_responded: number
}

/** Read a fixture by relative name, e.g. `products/get-simple`. */
export function exchange(name: string): Exchange {
  return JSON.parse(readFileSync(`${FIXTURE_DIR}${name}.json`, 'utf8')) as Exchange
}

/** Deliveries of one `webhooks/deliveries-*.json` file. */
export function deliveries(phase: string): RecordedDelivery[] {
  const file = JSON.parse(readFileSync(`${FIXTURE_DIR}webhooks/deliveries-${phase}.json`, 'utf8')) as {
    deliveries: RecordedDelivery[]
  }
  return file.deliveries
}

/** Every exchange fixture name (deliveries excluded). */
export function allExchangeNames(): string[] {
  const names: string[] = []
  for (const dir of ['errors', 'orders', 'products', 'stock', 'wc-auth', 'webhooks']) {
    for (const file of readdirSync(`${FIXTURE_DIR}${dir}`)) {
      if (file.endsWith('.json') && !file.startsWith('deliveries-')) names.push(`${dir}/${file.slice(0, -5)}`)
    }
  }
  return names.sort()
}

/** Every delivery phase name. */
export function allDeliveryPhases(): string[] {
  return readdirSync(`${FIXTURE_DIR}webhooks`)
    .filter((f) => f.startsWith('deliveries-'))
    .map((f) => f.slice('deliveries-'.length, -5))
    .sort()
}

/** Header map of a recorded delivery. */
export function headerMap(d: RecordedDelivery): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < d.request.raw_headers.length; i += 2) {
    out[(d.request.raw_headers[i] as string).toLowerCase()] = d.request.raw_headers[i + 1] as string
  }
  return out
}

/** Webhook secrets from the fixtures README, by webhook id. */
export const RECORDED_SECRETS: Record<string, string> = {
  '5': 'fixture-secret-product-created',
  '6': 'fixture-secret-product-updated',
  '7': 'fixture-secret-product-deleted',
  '8': 'fixture-secret-order-created',
  '9': 'fixture-secret-order-updated',
  '10': 'fixture-secret-failing',
}

/** Secret placeholders in `create-*.json` request bodies. */
export const SECRET_PLACEHOLDERS: Record<string, string> = {
  '<webhook-secret:product.created>': 'fixture-secret-product-created',
  '<webhook-secret:product.updated>': 'fixture-secret-product-updated',
  '<webhook-secret:product.deleted>': 'fixture-secret-product-deleted',
  '<webhook-secret:order.created>': 'fixture-secret-order-created',
  '<webhook-secret:order.updated>': 'fixture-secret-order-updated',
  '<webhook-secret:failing>': 'fixture-secret-failing',
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

function typeOf(v: Json): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v
}

/**
 * Differences in shape between two JSON values: same keys and value types, arrays of the same
 * length compared element by element. Returns human-readable paths; empty when equal in shape.
 */
export function shapeDiff(expected: Json, actual: Json, path = '$'): string[] {
  const te = typeOf(expected)
  const ta = typeOf(actual)
  if (te !== ta) return [`${path}: expected ${te}, got ${ta}`]
  if (Array.isArray(expected) && Array.isArray(actual)) {
    // `related_ids` is a random pick of other products in WooCommerce: only its element type counts.
    if (path.endsWith('.related_ids'))
      return actual.every((v) => typeof v === 'number') ? [] : [`${path}: not ids`]
    if (expected.length !== actual.length)
      return [`${path}: expected ${expected.length} items, got ${actual.length}`]
    return expected.flatMap((e, i) => shapeDiff(e, actual[i] as Json, `${path}[${i}]`))
  }
  if (te === 'object') {
    const e = expected as Record<string, Json>
    const a = actual as Record<string, Json>
    const out: string[] = []
    for (const k of Object.keys(e)) {
      if (!(k in a)) out.push(`${path}.${k}: missing`)
      else out.push(...shapeDiff(e[k] as Json, a[k] as Json, `${path}.${k}`))
    }
    for (const k of Object.keys(a)) if (!(k in e)) out.push(`${path}.${k}: unexpected`)
    return out
  }
  return []
}

/** Values of the given keys anywhere in a JSON value (for semantic comparisons). */
export function pick(
  value: Json,
  keys: readonly string[],
  path = '$',
  out: Record<string, Json> = {},
): Record<string, Json> {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) pick(v, keys, `${path}[${i}]`, out)
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (keys.includes(k) && (v === null || typeof v !== 'object')) out[`${path}.${k}`] = v
      pick(v, keys, `${path}.${k}`, out)
    }
  }
  return out
}
