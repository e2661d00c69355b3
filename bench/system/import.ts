import { createHub, createKeyring, type Json, memoryMarketplace } from '@hub/core'
import { createShopifyAdapter } from '@hub/shopify'
import { createFakeShopify } from '@hub/testkit/shopify'
import { config } from './config.js'
import { openDatabase } from './database.js'
import { fmt, mb, rssSampler, waitUntil } from './stats.js'
import type { Row } from './table.js'

const SHOP = 'bench-system-import.myshopify.com'
const API_SECRET = 'shpss_bench_system_import'
const GOAL_RATIO = 1.2

/** One GraphQL request of the import, as the fake answered it. */
interface QueryRecord {
  requested: number
  /** Null when the query did not run (THROTTLED, errors). */
  actual: number | null
  throttled: boolean
}

/** What one import run measured. */
export interface ImportMeasurement {
  mode: string
  products: number
  variants: number
  /** From the enqueue until the `catalog.import` item succeeded (every product handed over). */
  fetchSeconds: number
  /** Until every product is submitted to the marketplace (every `catalog.submit` item done). */
  submitSeconds: number
  queries: QueryRecord[]
  /** Σ actual cost of the queries that ran. */
  actualCost: number
  /** The fake's bucket: size and restore rate (points/s). */
  bucket: { maximumAvailable: number; restoreRate: number }
  /** Seconds the rate limit forces for these queries ({@link rateLimitBound}). */
  boundSeconds: number
  /** The import item's result (mode, products, page size…). */
  result: Json
  rssBaseline: number
  rssPeak: number
}

/**
 * The least time any client needs to send `queries` in order against a leaky bucket that starts
 * full: query k runs only when its requested cost is available, and every query that ran keeps
 * its actual cost (the rest is refunded). So t_k ≥ (Σ_{i<k} actual_i + requested_k − size) /
 * restore rate; the bound is the largest t_k (0 when everything fits in the bucket).
 */
export function rateLimitBound(
  queries: readonly QueryRecord[],
  bucket: { maximumAvailable: number; restoreRate: number },
): number {
  let spent = 0
  let bound = 0
  for (const q of queries) {
    if (q.actual === null) continue
    bound = Math.max(bound, (spent + q.requested - bucket.maximumAvailable) / bucket.restoreRate)
    spent += q.actual
  }
  return bound
}

/**
 * Import a fake shop of `products` × 3 variants through the hub on PostgreSQL (own schema), with
 * a running worker: one `catalog.import` item (pages or a bulk operation), which hands each
 * product over as a `catalog.submit` item that submits it to the (in-memory) marketplace. The
 * adapter's fetch records each GraphQL answer's `extensions.cost`, from which the rate-limit
 * bound is computed.
 */
export async function measureImport(mode: 'pages' | 'auto', products: number): Promise<ImportMeasurement> {
  const db = await openDatabase(`import_${mode}`)
  const fake = createFakeShopify({ shop: SHOP, apiKey: 'bench-import', apiSecret: API_SECRET })
  fake.seedProducts(products, 3, { available: 5 })
  const server = await fake.listen()
  const queries: QueryRecord[] = []
  const recordingFetch: typeof fetch = async (input, init) => {
    const response = await fetch(input, init)
    const url = input instanceof Request ? input.url : String(input)
    if (url.endsWith('/graphql.json')) {
      const body = (await response.clone().json()) as {
        errors?: { extensions?: { code?: string } }[]
        extensions?: { cost?: { requestedQueryCost?: number; actualQueryCost?: number | null } }
      }
      queries.push({
        requested: body.extensions?.cost?.requestedQueryCost ?? 0,
        actual: body.extensions?.cost?.actualQueryCost ?? null,
        throttled: (body.errors ?? []).some((e) => e.extensions?.code === 'THROTTLED'),
      })
    }
    return response
  }
  const marketplace = memoryMarketplace()
  const hub = createHub({
    store: db.store,
    providers: [
      createShopifyAdapter({
        apiKey: 'bench-import',
        apiSecret: API_SECRET,
        shopOrigin: () => server.url,
        importMode: mode,
        fetch: recordingFetch,
      }),
    ],
    marketplace,
    keyring: createKeyring({ keys: { bench: Buffer.alloc(32, 9) }, currentKeyId: 'bench' }),
  })
  const worker = hub.worker({ concurrency: config.workerConcurrency, workerId: `bench-import-${mode}` })
  try {
    const scope = { sellerId: 'bench-import-seller' }
    const connection = await hub.connections.create({ ...scope, ...fake.connectInput() })
    await worker.start()
    globalThis.gc?.()
    const rssBaseline = process.memoryUsage().rss
    const rss = rssSampler()
    const t0 = performance.now()
    const { items } = await hub.enqueue(scope, connection.id, 'import', [
      { operation: 'catalog.import', idempotencyKey: `import:${mode}`, entityType: 'catalog' },
    ])
    const importItemId = items[0]!.id
    let fetchSeconds = 0
    await waitUntil(
      async () => {
        const item = await hub.store.getItem(scope, importItemId)
        if (item?.status === 'dead') throw new Error(`the import died: ${JSON.stringify(item.lastError)}`)
        return item?.status === 'succeeded'
      },
      `the ${mode} import to fetch ${products} products`,
      config.timeoutMs,
      20,
    )
    fetchSeconds = (performance.now() - t0) / 1000
    await waitUntil(
      async () =>
        marketplace.products(scope).length >= products &&
        (await db.count('items', `status IN ('pending', 'failed', 'running')`)) === 0,
      `the ${mode} import to submit ${products} products`,
      config.timeoutMs,
      20,
    )
    const submitSeconds = (performance.now() - t0) / 1000
    const rssPeak = rss.stop()
    const submitted = marketplace.products(scope)
    const variants = submitted.reduce((sum, p) => sum + p.product.variants.length, 0)
    if (submitted.length !== products || variants !== products * 3) {
      throw new Error(`imported ${submitted.length} products / ${variants} variants, seeded ${products} × 3`)
    }
    const bucket = { maximumAvailable: fake.bucket.maximumAvailable, restoreRate: fake.bucket.restoreRate }
    const actualCost = queries.reduce((sum, q) => sum + (q.actual ?? 0), 0)
    const result = (await hub.store.getItem(scope, importItemId))?.result ?? null
    return {
      mode,
      products,
      variants,
      fetchSeconds,
      submitSeconds,
      queries,
      actualCost,
      bucket,
      boundSeconds: rateLimitBound(queries, bucket),
      result,
      rssBaseline,
      rssPeak,
    }
  } finally {
    await worker.stop({ timeoutMs: 5_000 })
    await fake.close()
    await db.drop()
  }
}

/**
 * Import: page mode on a smaller shop (the mode whose wall time the rate limit bounds: wall
 * time against that bound), then 10,000 × 3 with the adapter's default (`auto` → a bulk
 * operation above 250 products): wall time against the bound the rate limit would allow for
 * the same catalog through pages (cost per product measured in the page run), and peak RSS.
 */
export async function runImport(): Promise<Row[]> {
  const pages = await measureImport('pages', config.importPageProducts)
  const bulk = await measureImport('auto', config.importProducts)
  const costPerProduct = pages.actualCost / pages.products
  const pagesBoundFor = (n: number) =>
    Math.max(0, costPerProduct * n - pages.bucket.maximumAvailable) / pages.bucket.restoreRate
  const bulkPagesBound = pagesBoundFor(bulk.products)
  const pagesRatio = pages.fetchSeconds / pages.boundSeconds
  const bulkRatio = bulk.submitSeconds / bulkPagesBound
  const throttled = (m: ImportMeasurement) => m.queries.filter((q) => q.throttled).length
  const pageSizeOf = (m: ImportMeasurement) =>
    m.result && typeof m.result === 'object' && !Array.isArray(m.result)
      ? String(m.result['pageSize'] ?? '?')
      : '?'
  return [
    {
      section: 'import',
      measure: `pages: ${fmt(pages.products, 0)} × 3 from the fake Shopify, fetch wall time`,
      value: `${fmt(pages.fetchSeconds, 1)} s = ${fmt(pagesRatio, 2)}× bound`,
      goal: '≤ 1.2× rate-limit bound',
      met: pagesRatio <= GOAL_RATIO,
      note:
        `bound ${fmt(pages.boundSeconds, 1)} s ≈ (${fmt(pages.actualCost, 0)} pts − ${pages.bucket.maximumAvailable}) / ` +
        `${pages.bucket.restoreRate} pts/s + the last query's requested cost, over ${pages.queries.length} queries ` +
        `(${throttled(pages)} THROTTLED, page size ${pageSizeOf(pages)}); all submitted at ${fmt(pages.submitSeconds, 1)} s`,
    },
    {
      section: 'import',
      measure: `default (bulk): ${fmt(bulk.products, 0)} × 3, wall time to all submitted`,
      value: `${fmt(bulk.submitSeconds, 1)} s = ${fmt(bulkRatio, 3)}× pages bound`,
      goal: '≤ 1.2× rate-limit bound',
      met: bulkRatio <= GOAL_RATIO,
      note:
        `pages would need ≥ ${fmt(bulkPagesBound, 0)} s (${fmt(costPerProduct, 1)} pts/product); bulk made ` +
        `${bulk.queries.length} queries, ${fmt(bulk.actualCost, 0)} pts (own bound ${fmt(bulk.boundSeconds, 1)} s); ` +
        `fetched in ${fmt(bulk.fetchSeconds, 1)} s`,
    },
    {
      section: 'import',
      measure: `default (bulk): ${fmt(bulk.products, 0)} × 3, peak RSS of the process`,
      value: mb(bulk.rssPeak),
      goal: '—',
      met: null,
      note: `baseline ${mb(bulk.rssBaseline)} after seeding the fake (same process), growth ${mb(bulk.rssPeak - bulk.rssBaseline)}`,
    },
  ]
}
