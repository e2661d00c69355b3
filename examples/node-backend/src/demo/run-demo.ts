import { type Logger, type SyncItem, silentLogger } from '@hub/core'
import { type App, createApp } from '../app.js'
import { SHOPIFY_ROUTES } from '../providers/shopify-wiring.js'
import { WOO_ROUTES } from '../providers/woocommerce-wiring.js'
import { hostProviders } from '../providers.js'
import { linkOf, navigate } from './browser.js'
import { type CatalogItem, type FakeStores, startFakeStores } from './fake-stores.js'
import { type DemoOutput, duration, progress, stdoutOutput, table } from './output.js'
import { createTunnel, type Tunnel } from './tunnel.js'

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Products per store (every third with three sizes). Default 150 (300 product requests). */
  products?: number
  output?: DemoOutput
  /** The backend's logger. Default silent. */
  logger?: Logger
  /** Longest wait for the system to go quiet after a step, ms. Default 30 000. */
  settleTimeoutMs?: number
}

/** One sold item, on every side. */
export interface SoldRow {
  sku: string
  initial: number
  sold: { marketplace: number; shopify: number; woocommerce: number }
  expected: number
  marketplace: number | null
  shopify: number
  woocommerce: number | null
  equal: boolean
}

/** What the demo found. */
export interface DemoReport {
  /** All sides equal `initial − sold` for every item, nothing dead, the retry and the conflict shown. */
  ok: boolean
  /** Why `ok` is false (empty when it is true). */
  problems: string[]
  sold: SoldRow[]
  totals: { items: number; equal: number; productRequests: number; approved: number }
  items: { succeeded: number; retried: number; dead: number; open: number; other: number }
  /** An item that failed on the injected 503 and succeeded on retry (id, operation, attempts). */
  retriedExample: { id: string; operation: string; attempts: number; error: string } | null
  conflicts: { id: string; fields: string[] }[]
  timings: { phase: string; ms: number }[]
  wallMs: number
}

const SELLER = 'seller_demo'
const PUBLIC_URL = 'https://hub.demo.test'

/** Sleep. */
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** A JSON call to the backend's operator API, as the seller. */
async function api<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
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
async function allItems(app: App): Promise<SyncItem[]> {
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
async function settle(app: App, stores: FakeStores, baseUrl: string, timeoutMs: number): Promise<void> {
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

/** Connect the seller's Shopify through the real OAuth install (browser redirects included). */
async function connectShopify(
  tunnel: Tunnel,
  stores: FakeStores,
): Promise<{ connectionId: string; hops: number }> {
  const landing = await navigate(`${tunnel.publicUrl}${SHOPIFY_ROUTES.install}?shop=${stores.shop}`, {
    tunnel,
    headersFor: (url): Record<string, string> =>
      url.origin === tunnel.publicUrl ? { 'x-seller-id': SELLER } : {},
  })
  const body = (await landing.response.json()) as { connectionId?: string; error?: string; message?: string }
  if (landing.response.status !== 200 || !body.connectionId) {
    throw new Error(`Shopify install failed: ${landing.response.status} ${body.error}: ${body.message}`)
  }
  return { connectionId: body.connectionId, hops: landing.hops.length }
}

/** Connect the seller's WooCommerce through the real wc-auth flow: grant screen, Approve, key callback, return. */
async function connectWoo(
  tunnel: Tunnel,
  stores: FakeStores,
): Promise<{ connectionId: string; hops: number }> {
  const headersFor = (url: URL): Record<string, string> =>
    url.origin === tunnel.publicUrl
      ? { 'x-seller-id': SELLER }
      : url.origin === stores.wooServer.url
        ? { cookie: stores.woo.loginCookie }
        : {}
  const grant = await navigate(
    `${tunnel.publicUrl}${WOO_ROUTES.connect}?store_url=${encodeURIComponent(stores.wooServer.url)}`,
    { tunnel, headersFor },
  )
  const approve = linkOf(await grant.response.text(), 'wc-auth-approve')
  if (grant.response.status !== 200 || !approve) {
    throw new Error(`WooCommerce grant screen missing (HTTP ${grant.response.status})`)
  }
  // The merchant clicks "Approve": the store POSTs the key to our callback, then redirects back.
  const landing = await navigate(approve, { tunnel, headersFor })
  const body = (await landing.response.json()) as { connectionId?: string; status?: string; error?: string }
  if (landing.response.status !== 200 || body.status !== 'active' || !body.connectionId) {
    throw new Error(`wc-auth failed: ${landing.response.status} ${JSON.stringify(body)}`)
  }
  return { connectionId: body.connectionId, hops: grant.hops.length + landing.hops.length }
}

interface Sale {
  side: 'marketplace' | 'shopify' | 'woocommerce'
  item: CatalogItem
  quantity: number
}

/** Which items sell where: the first on all three sides, then two more per side. */
function plannedSales(items: CatalogItem[]): Sale[] {
  const pick = (i: number) => items[i % items.length]!
  return [
    { side: 'marketplace', item: pick(0), quantity: 2 },
    { side: 'shopify', item: pick(0), quantity: 1 },
    { side: 'woocommerce', item: pick(0), quantity: 3 },
    { side: 'marketplace', item: pick(4), quantity: 1 },
    { side: 'marketplace', item: pick(9), quantity: 4 },
    { side: 'shopify', item: pick(13), quantity: 2 },
    { side: 'shopify', item: pick(22), quantity: 1 },
    { side: 'woocommerce', item: pick(31), quantity: 2 },
    { side: 'woocommerce', item: pick(40), quantity: 5 },
  ]
}

/**
 * The demo, in process: fake Shopify and fake WooCommerce on 127.0.0.1, the backend (PGlite in
 * memory) behind a local HTTPS-named tunnel, one seller connected to both stores through the
 * real OAuth and wc-auth flows, both catalogs imported as product requests and approved (the
 * second store's products link to the first's by SKU), sales on all three sides with one
 * injected 503 that is retried, one catalog edit on Shopify that raises a conflict, then a report.
 * Everything is fresh per run (in-memory database, free ports), so running it again is safe.
 */
export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const out = options.output ?? stdoutOutput()
  const productsPerStore = options.products ?? 150
  const settleMs = options.settleTimeoutMs ?? 30_000
  const started = Date.now()
  const timings: DemoReport['timings'] = []
  let phaseStart = Date.now()
  const phase = (name: string) => {
    const now = Date.now()
    timings.push({ phase: name, ms: now - phaseStart })
    phaseStart = now
  }

  const tunnel = createTunnel(PUBLIC_URL)
  const stores = await startFakeStores({ products: productsPerStore, tunnel })
  let app: App | null = null
  try {
    const env = {
      HUB_PUBLIC_URL: PUBLIC_URL,
      SHOPIFY_API_KEY: stores.apiKey,
      SHOPIFY_API_SECRET: stores.apiSecret,
      SHOPIFY_API_ORIGIN: stores.shopifyServer.url,
      WOO_APP_NAME: 'Commerce Hub demo',
      WOO_ALLOW_INSECURE_STORES: '1',
    }
    app = createApp({
      providers: hostProviders(env, { logger: options.logger ?? silentLogger }),
      logger: options.logger ?? silentLogger,
      port: 0,
      retry: { baseMs: 100, maxMs: 2_000 },
      worker: { concurrency: 8, pollMs: 100 },
    })
    const { url } = await app.start()
    tunnel.connect(url)
    out.line(`fake Shopify      ${stores.shopifyServer.url}  (${stores.shop}, ${productsPerStore} products)`)
    out.line(`fake WooCommerce  ${stores.wooServer.url}  (${productsPerStore} products, same SKUs)`)
    out.line(`backend           ${url}  (PGlite in memory; public URL ${PUBLIC_URL} via a local tunnel)`)
    phase('start stores and backend')

    // 1. Connect through the real auth flows.
    const shopify = await connectShopify(tunnel, stores)
    out.line(
      `connected Shopify      via OAuth (${shopify.hops} HTTP hops, HMAC + state checked): ${shopify.connectionId}`,
    )
    const woo = await connectWoo(tunnel, stores)
    out.line(
      `connected WooCommerce  via wc-auth (${woo.hops} HTTP hops, keys confirmed on return): ${woo.connectionId}`,
    )
    phase('connect (OAuth + wc-auth)')

    // 2. Import both catalogs as product requests.
    const scope = { sellerId: SELLER }
    const expectedRequests = productsPerStore * 2
    const importBar = progress(out, 'import   ', expectedRequests)
    const importDeadline = Date.now() + settleMs * 2
    for (;;) {
      const n = await app.marketplace.countRequests(scope)
      importBar.update(n)
      if (n >= expectedRequests) break
      if (Date.now() > importDeadline)
        throw new Error(`import stalled at ${n}/${expectedRequests} product requests`)
      await pause(100)
    }
    await settle(app, stores, url, settleMs)
    const productRequests = await app.marketplace.countRequests(scope)
    importBar.finish(productRequests, 'product requests')
    phase('import both catalogs')

    // 3. Approve every request (through the operator API, four at a time).
    const approveBar = progress(out, 'approve  ', productRequests)
    let approvedCount = 0
    for (;;) {
      const { requests } = await api<{ requests: { ref: string }[] }>(
        url,
        'GET',
        '/api/product-requests?status=pending&limit=500',
      )
      if (requests.length === 0) break
      const queue = [...requests]
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          for (let next = queue.shift(); next; next = queue.shift()) {
            await api(url, 'POST', `/api/product-requests/${encodeURIComponent(next.ref)}/approve`, {})
            approvedCount += 1
            approveBar.update(approvedCount)
          }
        }),
      )
    }
    await settle(app, stores, url, settleMs)
    approveBar.finish(approvedCount, 'approved; mappings linked, stock reconciled')
    phase('approve (mappings repaired)')

    // 4. Sales on all three sides, with one injected failure.
    const sales = plannedSales(stores.items)
    const variantBySku = await marketplaceVariants(app)
    out.line(`injecting: the next WooCommerce REST request answers 503`)
    stores.woo.failNext(1, 503)
    let orderNo = 1000
    for (const sale of sales) {
      orderNo += 1
      if (sale.side === 'marketplace') {
        const variant = variantBySku.get(sale.item.sku)
        if (!variant) throw new Error(`no marketplace item for ${sale.item.sku}`)
        await api(url, 'POST', `/api/inventory/${encodeURIComponent(variant)}/sales`, {
          quantity: sale.quantity,
          orderId: `mkt-${orderNo}`,
        })
      } else if (sale.side === 'shopify') {
        stores.shopify.placeOrder([{ variantId: sale.item.shopifyVariantId, quantity: sale.quantity }])
      } else {
        const variation = sale.item.wooId !== sale.item.wooParentId
        stores.woo.createOrder({
          lineItems: [
            {
              productId: sale.item.wooParentId,
              ...(variation ? { variationId: sale.item.wooId } : {}),
              quantity: sale.quantity,
            },
          ],
        })
      }
      out.line(`sale     ${sale.side.padEnd(11)} ${sale.item.sku.padEnd(12)} −${sale.quantity}`)
    }
    await settle(app, stores, url, settleMs)
    phase('sales propagate')

    // 5. A later catalog edit on Shopify that conflicts with what the marketplace approved.
    const edited = stores.items[3] ?? stores.items[0]!
    stores.shopify.updateProduct(edited.shopifyProductId, {
      title: `${edited.productTitle} (renamed on Shopify)`,
    })
    out.line(`edit     shopify     "${edited.productTitle}" renamed on Shopify after approval`)
    let conflicts: { id: string; fields: string[] }[] = []
    const conflictDeadline = Date.now() + settleMs
    while (conflicts.length === 0 && Date.now() < conflictDeadline) {
      await settle(app, stores, url, settleMs)
      const open = await app.hub.catalog.conflicts(scope, { status: 'open' })
      conflicts = open.map((c) => ({ id: c.id, fields: c.diffs.map((d) => d.field) }))
      if (conflicts.length === 0) await pause(100)
    }
    phase('catalog edit → conflict')

    // 6. The report.
    const report = await buildReport(app, stores, sales, {
      productRequests,
      approved: approvedCount,
      conflicts,
      timings,
      started,
    })
    for (const line of renderReport(report)) out.line(line)
    return report
  } finally {
    await app?.stop().catch(() => {})
    await stores.close().catch(() => {})
  }
}

/** SKU → marketplace inventory item id, for every approved product. */
async function marketplaceVariants(app: App): Promise<Map<string, string>> {
  const scope = { sellerId: SELLER }
  const approved = await app.marketplace.listRequests(scope, { status: 'approved', limit: 1000 })
  const products = [...new Set(approved.map((r) => r.productId).filter((id): id is string => id !== null))]
  const bySku = new Map<string, string>()
  for (const productId of products) {
    const product = await app.marketplace.getProduct(scope, productId)
    for (const variant of product?.variants ?? []) if (variant.sku) bySku.set(variant.sku, variant.id)
  }
  return bySku
}

async function buildReport(
  app: App,
  stores: FakeStores,
  sales: Sale[],
  extra: {
    productRequests: number
    approved: number
    conflicts: DemoReport['conflicts']
    timings: DemoReport['timings']
    started: number
  },
): Promise<DemoReport> {
  const scope = { sellerId: SELLER }
  const problems: string[] = []
  const variantBySku = await marketplaceVariants(app)
  const soldBySku = new Map<string, SoldRow['sold']>()
  for (const sale of sales) {
    const sold = soldBySku.get(sale.item.sku) ?? { marketplace: 0, shopify: 0, woocommerce: 0 }
    sold[sale.side] += sale.quantity
    soldBySku.set(sale.item.sku, sold)
  }

  let equal = 0
  const rows: SoldRow[] = []
  for (const item of stores.items) {
    const sold = soldBySku.get(item.sku) ?? { marketplace: 0, shopify: 0, woocommerce: 0 }
    const expected = item.initial - sold.marketplace - sold.shopify - sold.woocommerce
    const variantId = variantBySku.get(item.sku)
    const marketplace = variantId
      ? ((await app.marketplace.getInventoryItem(scope, variantId))?.quantity ?? null)
      : null
    const shopify = stores.shopify.getAvailable(item.shopifyInventoryItemId)
    const woocommerce = stores.woo.stockOf(item.wooId)
    const same = marketplace === expected && shopify === expected && woocommerce === expected
    if (same) equal += 1
    else if (problems.length < 10) {
      problems.push(
        `${item.sku}: expected ${expected}, marketplace ${marketplace}, Shopify ${shopify}, WooCommerce ${woocommerce}`,
      )
    }
    if (soldBySku.has(item.sku)) {
      rows.push({
        sku: item.sku,
        initial: item.initial,
        sold,
        expected,
        marketplace,
        shopify,
        woocommerce,
        equal: same,
      })
    }
  }

  const items = await allItems(app)
  const succeeded = items.filter((i) => i.status === 'succeeded')
  const retried = succeeded.filter((i) => i.attempt > 1)
  const dead = items.filter((i) => i.status === 'dead')
  const open = items.filter((i) => i.status === 'pending' || i.status === 'running' || i.status === 'failed')
  // The retried items, with the error of their failed attempt: the injected 503 must be one.
  let example: DemoReport['retriedExample'] = null
  for (const item of retried) {
    const attempts = await app.hub.store.listAttempts(scope, item.id)
    const failedOn = attempts.find((a) => a.error !== null)?.error
    if (failedOn && (/503/.test(failedOn.message) || /503/.test(failedOn.code))) {
      example = {
        id: item.id,
        operation: item.operation,
        attempts: item.attempt,
        error: `${failedOn.code}: ${failedOn.message}`,
      }
      break
    }
  }
  if (equal !== stores.items.length)
    problems.unshift(
      `${stores.items.length - equal} of ${stores.items.length} items differ between the sides`,
    )
  if (dead.length > 0) {
    problems.push(
      `${dead.length} dead item(s): ${dead
        .slice(0, 3)
        .map((i) => `${i.operation} ${i.lastError?.code}`)
        .join(', ')}`,
    )
  }
  if (open.length > 0) problems.push(`${open.length} item(s) still open`)
  if (!example) problems.push('no retried item failed on the injected 503')
  if (extra.conflicts.length === 0) problems.push('the catalog edit on Shopify raised no conflict')
  if (extra.approved !== extra.productRequests) {
    problems.push(`${extra.approved} of ${extra.productRequests} product requests approved`)
  }
  return {
    ok: problems.length === 0,
    problems,
    sold: rows,
    totals: {
      items: stores.items.length,
      equal,
      productRequests: extra.productRequests,
      approved: extra.approved,
    },
    items: {
      succeeded: succeeded.length,
      retried: retried.length,
      dead: dead.length,
      open: open.length,
      other: items.length - succeeded.length - dead.length - open.length,
    },
    retriedExample: example,
    conflicts: extra.conflicts,
    timings: extra.timings,
    wallMs: Date.now() - extra.started,
  }
}

/** The report as text lines. */
export function renderReport(report: DemoReport): string[] {
  const q = (n: number | null) => (n === null ? '—' : String(n))
  const lines: string[] = ['', 'Sold items: quantity on each side (expected = initial − all units sold)', '']
  lines.push(
    ...table(
      [
        'SKU',
        'initial',
        'sold mkt',
        'sold Shopify',
        'sold Woo',
        'expected',
        'marketplace',
        'Shopify',
        'WooCommerce',
        'equal',
      ],
      report.sold.map((r) => [
        r.sku,
        String(r.initial),
        String(r.sold.marketplace),
        String(r.sold.shopify),
        String(r.sold.woocommerce),
        String(r.expected),
        q(r.marketplace),
        String(r.shopify),
        q(r.woocommerce),
        r.equal ? 'yes' : 'NO',
      ]),
    ),
  )
  const { items, totals } = report
  lines.push(
    '',
    `All items:     ${totals.equal}/${totals.items} equal on marketplace, Shopify and WooCommerce (${totals.productRequests} product requests, ${totals.approved} approved)`,
    `Sync items:    ${items.succeeded} succeeded (${items.retried} after a retry), ${items.dead} dead, ${items.open} open, ${items.other} skipped/blocked`,
  )
  if (report.retriedExample) {
    const r = report.retriedExample
    lines.push(
      `Retried:       ${r.operation} ${r.id}: attempt 1 failed (${r.error}), attempt ${r.attempts} succeeded`,
    )
  }
  for (const c of report.conflicts) lines.push(`Conflict:      ${c.id} open, fields: ${c.fields.join(', ')}`)
  lines.push(
    '',
    ...table(
      ['phase', 'time'],
      report.timings.map((t) => [t.phase, duration(t.ms)]),
    ),
  )
  lines.push(
    `${'total'.padEnd(Math.max(...report.timings.map((t) => t.phase.length), 5))}  ${duration(report.wallMs)}`,
    '',
  )
  if (report.ok) lines.push('OK: every side of every item is equal.')
  else lines.push('FAILED:', ...report.problems.map((p) => `  - ${p}`))
  return lines
}
