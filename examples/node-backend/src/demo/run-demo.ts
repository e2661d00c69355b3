import { type Logger, silentLogger } from '@hub/core'
import { type App, createApp } from '../app.js'
import { hostProviders } from '../providers.js'
import { api, PUBLIC_URL, pause, SELLER, settle } from './backend-client.js'
import { connectShopify, connectWoo } from './connect.js'
import { startFakeStores } from './fake-stores.js'
import { type DemoOutput, duration, progress, stdoutOutput } from './output.js'
import { buildReport, type DemoReport, marketplaceVariants, renderReport, sidesOf } from './report.js'
import { plannedSales, playSale } from './sales.js'
import { createTunnel } from './tunnel.js'

export type { DemoReport, SoldRow } from './report.js'

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Products per store (every third with three sizes). Default 150 (300 product requests). */
  products?: number
  output?: DemoOutput
  /** The backend's logger. Default silent. */
  logger?: Logger
  /** Give up when the backend makes no progress for this long, ms. Default 30 000. */
  settleTimeoutMs?: number
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
      worker: { concurrency: 8, pollMs: 250 },
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
    let imported = 0
    let importProgressAt = Date.now()
    for (;;) {
      const n = await app.marketplace.countRequests(scope)
      importBar.update(n)
      if (n >= expectedRequests) break
      if (n > imported) {
        imported = n
        importProgressAt = Date.now()
      } else if (Date.now() - importProgressAt > settleMs) {
        throw new Error(`import stalled at ${n}/${expectedRequests} product requests`)
      }
      await pause(100)
    }
    await settle(app, stores, settleMs)
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
    await settle(app, stores, settleMs)
    approveBar.finish(approvedCount, 'approved; mappings linked, stock reconciled')
    phase('approve (mappings repaired)')

    // 4. Sales on all three sides, with one injected failure.
    const sales = plannedSales(stores.items)
    const propagation: number[] = []
    const variantBySku = await marketplaceVariants(app)
    out.line(`injecting: the next WooCommerce REST request answers 503`)
    stores.woo.failNext(1, 503)
    const expected = new Map(stores.items.map((item) => [item.sku, item.initial]))
    for (const [n, sale] of sales.entries()) {
      const target = (expected.get(sale.item.sku) ?? 0) - sale.quantity
      expected.set(sale.item.sku, target)
      const sold = Date.now()
      await playSale(url, stores, variantBySku, sale, `mkt-${1001 + n}`)
      // Watch the other sides catch up, as a person refreshing three admin screens would.
      let sides = await sidesOf(app, stores, sale.item, variantBySku.get(sale.item.sku))
      while (![sides.marketplace, sides.shopify, sides.woocommerce].every((q) => q === target)) {
        if (Date.now() - sold > Math.min(settleMs, 10_000)) break
        await pause(50)
        sides = await sidesOf(app, stores, sale.item, variantBySku.get(sale.item.sku))
      }
      const took = Date.now() - sold
      propagation.push(took)
      out.line(
        `sale     ${sale.side.padEnd(11)} ${sale.item.sku.padEnd(12)} −${sale.quantity}  →  marketplace ${sides.marketplace}, Shopify ${sides.shopify}, WooCommerce ${sides.woocommerce}  (${duration(took)})`,
      )
    }
    await settle(app, stores, settleMs)
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
      await settle(app, stores, settleMs)
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
      propagationMs: propagation,
    })
    for (const line of renderReport(report)) out.line(line)
    return report
  } finally {
    await app?.stop().catch(() => {})
    await stores.close().catch(() => {})
  }
}
