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
  const status: SyncItem['status'][] = ['pending', 'running', 'failed']
  let quiet = 0
  let fewest = Number.POSITIVE_INFINITY
  let progressAt = Date.now()
  let countedAt = 0
  for (;;) {
    await stores.woo.whenIdle()
    await stores.shopify.flushWebhooks()
    // A one-row read each time; the open items are counted (a bigger read) every 2 s only.
    const any = await app.hub.store.listItems(scope, { status, limit: 1 })
    quiet = any.length === 0 ? quiet + 1 : 0
    if (quiet >= 3) return
    if (any.length > 0 && Date.now() - countedAt >= 2_000) {
      countedAt = Date.now()
      const open = await app.hub.store.listItems(scope, { status, limit: 1000 })
      if (open.length < fewest) {
        fewest = open.length
        progressAt = Date.now()
      } else if (Date.now() - progressAt > stallMs) {
        const some = open.slice(0, 5).map((i) => `${i.operation}(${i.status}, attempt ${i.attempt})`)
        throw new Error(
          `the backend stopped making progress for ${stallMs} ms with ${open.length} open item(s): ${some.join(', ')}`,
        )
      }
    }
    await pause(quiet > 0 ? 50 : 100)
  }
}
