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
 * stores have delivered their webhooks, three times in a row. A slow machine only makes it wait
 * longer: it gives up when the open items stop going down for `stallMs` (a stuck system), and
 * lists some of them.
 */
export async function settle(app: App, stores: FakeStores, stallMs: number): Promise<void> {
  const scope = { sellerId: SELLER }
  let quiet = 0
  let fewest = Number.POSITIVE_INFINITY
  let progressAt = Date.now()
  for (;;) {
    await stores.woo.whenIdle()
    await stores.shopify.flushWebhooks()
    const open = await app.hub.store.listItems(scope, {
      status: ['pending', 'running', 'failed'],
      limit: 1000,
    })
    quiet = open.length === 0 ? quiet + 1 : 0
    if (quiet >= 3) return
    if (open.length < fewest) {
      fewest = open.length
      progressAt = Date.now()
    } else if (Date.now() - progressAt > stallMs) {
      throw new Error(
        `the backend stopped making progress for ${stallMs} ms with ${open.length} open item(s): ${open
          .slice(0, 5)
          .map((i) => `${i.operation}(${i.status}, attempt ${i.attempt})`)
          .join(', ')}`,
      )
    }
    await pause(quiet > 0 ? 50 : 100)
  }
}
