import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The recordings from a real WooCommerce store, shared read-only next to the repository. */
export const fixturesDir = fileURLToPath(new URL('../../../../shared/fixtures/woocommerce/', import.meta.url))

/** One recorded REST exchange. */
export interface RecordedExchange {
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
  callback_request_received?: {
    method: string
    path: string
    raw_headers: string[]
    body: string
    receiver_responded: number
  }
}

/** One recorded webhook delivery. */
export interface RecordedDelivery {
  seq?: number
  request: { method: string; url: string; raw_headers: string[]; body: string }
  receiver_responded: number
  signature_valid_with_recorded_secret: boolean | null
}

/** Secrets from the fixtures README, by webhook id. */
export const webhookSecrets: Record<string, string> = {
  '5': 'fixture-secret-product-created',
  '6': 'fixture-secret-product-updated',
  '7': 'fixture-secret-product-deleted',
  '8': 'fixture-secret-order-created',
  '9': 'fixture-secret-order-updated',
  '10': 'fixture-secret-failing',
}

/** Read one recorded exchange, e.g. `products/get-simple.json`. */
export function exchange(name: string): RecordedExchange {
  return JSON.parse(readFileSync(`${fixturesDir}${name}`, 'utf8')) as RecordedExchange
}

/** Every REST exchange file (all folders except webhook deliveries and wc-auth HTML pages). */
export function allExchanges(): Array<{ name: string; data: RecordedExchange }> {
  const out: Array<{ name: string; data: RecordedExchange }> = []
  for (const folder of ['products', 'stock', 'orders', 'errors', 'webhooks', 'wc-auth']) {
    for (const file of readdirSync(`${fixturesDir}${folder}`).sort()) {
      if (!file.endsWith('.json') || file.startsWith('deliveries-')) continue
      out.push({ name: `${folder}/${file}`, data: exchange(`${folder}/${file}`) })
    }
  }
  return out
}

/** Every recorded webhook delivery, with its file name. */
export function allDeliveries(): Array<{ file: string; index: number; delivery: RecordedDelivery }> {
  const out: Array<{ file: string; index: number; delivery: RecordedDelivery }> = []
  for (const file of readdirSync(`${fixturesDir}webhooks`).sort()) {
    if (!file.startsWith('deliveries-')) continue
    const data = JSON.parse(readFileSync(`${fixturesDir}webhooks/${file}`, 'utf8')) as {
      deliveries: RecordedDelivery[]
    }
    data.deliveries.forEach((delivery, index) => {
      out.push({ file, index, delivery })
    })
  }
  return out
}

/** Raw header list → lower-cased header map. */
export function headerMap(raw: string[]): Record<string, string> {
  const headers: Record<string, string> = {}
  for (let i = 0; i + 1 < raw.length; i += 2) headers[(raw[i] as string).toLowerCase()] = raw[i + 1] as string
  return headers
}
