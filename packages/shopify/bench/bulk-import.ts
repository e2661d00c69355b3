/**
 * Bulk catalog import benchmark: a fake shop of 10,000 products × 3 variants imported through
 * the bulk path of the Shopify adapter. Prints wall time, GraphQL cost used, THROTTLED answers and
 * RSS growth (peak over the baseline taken after seeding).
 *
 *   node --conditions=@hub/source --import tsx packages/shopify/bench/bulk-import.ts [products]
 */
import type { Connection, ExecutionContext, SyncItem } from '@hub/core'
import { silentLogger, systemClock } from '@hub/core'
import { createFakeShopify } from '@hub/testkit/shopify'
import { createShopifyAdapter } from '../src/shopify-adapter.js'

const PRODUCTS = Number(process.argv[2] ?? 10_000)
const SHOP = 'bench-shop.myshopify.com'

const fake = createFakeShopify({ shop: SHOP, apiKey: 'bench', apiSecret: 'bench-secret' })
fake.seedProducts(PRODUCTS, 3, { available: 5 })
const token = fake.issueAccessToken({ expiring: false })

const adapter = createShopifyAdapter({
  apiKey: 'bench',
  apiSecret: 'bench-secret',
  bulkPollIntervalMs: 250,
  fetch: (input, init) => fake.fetch(new Request(input, init)),
})

let enqueued = 0
let variants = 0
const connection = {
  id: 'bench-connection',
  sellerId: 'bench-seller',
  provider: 'shopify',
  externalAccountId: SHOP,
  status: 'active',
  statusReason: null,
  policy: { inboundCatalog: true, inboundInventory: true, outboundInventory: true },
  credentials: null,
  settings: {},
  createdAt: new Date(),
  updatedAt: new Date(),
} satisfies Connection
const checkpoints = new Map<string, { cursor: string | null; watermark: Date | null }>()
const ctx: ExecutionContext = {
  item: { id: 'bench-item', externalId: null, payload: null, diagnosticPayload: null } as unknown as SyncItem,
  connection,
  credentials: { accessToken: token.access_token },
  saveCredentials: async () => {},
  setConnectionStatus: async () => {},
  savePlan: async () => {},
  recordExcerpt: () => {},
  enqueue: async (work) => {
    enqueued += work.length
    for (const w of work) variants += ((w.payload as { variants?: unknown[] }).variants ?? []).length
    return []
  },
  mappings: {} as ExecutionContext['mappings'],
  checkpoints: {
    get: async (stream) => checkpoints.get(stream) ?? null,
    save: async (stream, cursor, watermark) => void checkpoints.set(stream, { cursor, watermark }),
  },
  marketplace: {} as ExecutionContext['marketplace'],
  logger: silentLogger,
  clock: systemClock,
  signal: new AbortController().signal,
}

globalThis.gc?.()
const baseline = process.memoryUsage().rss
let peak = baseline
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss)
}, 20)
const requestsBefore = fake.requestLog.length
const started = performance.now()
const result = await adapter.operations['catalog.import']!(ctx)
const seconds = (performance.now() - started) / 1000
clearInterval(sampler)
peak = Math.max(peak, process.memoryUsage().rss)

const log = fake.requestLog.slice(requestsBefore)
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1)
console.log(`bulk import of ${PRODUCTS} products × 3 variants through the Shopify adapter (fake shop)`)
console.log(`  result            ${JSON.stringify(result?.result)}`)
console.log(`  products / variants enqueued  ${enqueued} / ${variants}`)
console.log(`  wall time         ${seconds.toFixed(2)} s`)
console.log(
  `  GraphQL requests  ${log.length}, cost requested ${log.reduce((a, r) => a + (r.requestedQueryCost ?? 0), 0)} points`,
)
console.log(`  THROTTLED answers ${log.filter((r) => r.throttled).length}`)
console.log(`  RSS baseline ${mb(baseline)} MB, peak ${mb(peak)} MB, growth ${mb(peak - baseline)} MB`)
await fake.close()
