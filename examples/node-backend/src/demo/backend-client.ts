import type { SyncItem } from '@hub/core'
import type { App } from '../app.js'
import type { FakeStores } from './fake-stores.js'

/** The seller the demo acts for. */
export const SELLER = 'seller_demo'
/** The backend's public address (the tunnel forwards it to 127.0.0.1). */
export const PUBLIC_URL = 'https://hub.demo.test'

/** Sleep. */
export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A JSON call to the backend's operator API, as the seller. */
export async function api<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'x-seller-id': SELLER, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const json = (await response.json()) as T & { error?: string; message?: string }
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${json.error}: ${json.message}`)
  return json
}

/** Every item of the seller, all statuses. */
export async function allItems(app: App): Promise<SyncItem[]> {
  const scope = { sellerId: SELLER }
  const out: SyncItem[] = []
  for (;;) {
    const last = out.at(-1)
    const page = await app.hub.store.listItems(scope, { limit: 500, ...(last ? { after: last.id } : {}) })
    out.push(...page)
    if (page.length < 500) return out
  }
}

/**
 * Wait until nothing is left to do: no item pending, running or waiting for a retry, and both
 * stores have delivered their webhooks, twice in a row. Throws after `timeoutMs`.
 */
export async function settle(
  app: App,
  stores: FakeStores,
  baseUrl: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  let quiet = 0
  while (Date.now() < deadline) {
    await stores.woo.whenIdle()
    await stores.shopify.flushWebhooks()
    const { items } = await api<{ items: SyncItem[] }>(
      baseUrl,
      'GET',
      '/api/items?status=pending,running,failed&limit=1',
    )
    quiet = items.length === 0 ? quiet + 1 : 0
    if (quiet >= 3) return
    await pause(quiet > 0 ? 50 : 100)
  }
  const open = await app.hub.store.listItems(
    { sellerId: SELLER },
    { status: ['pending', 'running', 'failed'], limit: 5 },
  )
  throw new Error(
    `the backend did not go quiet within ${timeoutMs} ms; open items: ${open.map((i) => `${i.operation}(${i.status}, attempt ${i.attempt})`).join(', ')}`,
  )
}
