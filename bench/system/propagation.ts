import { config } from './config.js'
import { fmt, ms, type Summary, summarize, waitUntil } from './stats.js'
import type { Row } from './table.js'
import { buildWorld, type World, type WorldProduct } from './world.js'

/** Where a sale happens. */
type Origin = 'marketplace' | 'shopify' | 'woocommerce'
const ORIGINS: readonly Origin[] = ['marketplace', 'shopify', 'woocommerce']
const GOAL_P99_MS = 1_000

/** What each side shows for a product. */
function sides(world: World, product: WorldProduct): Record<Origin, number | null> {
  return {
    marketplace: world.marketplace.quantity(world.scope, product.internalId),
    shopify: world.shopify.getAvailable(product.shopifyInventoryItemId),
    woocommerce: world.woo.stockOf(product.wooId),
  }
}

/** Make one sale of one unit on `origin`; the side itself shows it once this returns. */
async function sell(world: World, origin: Origin, product: WorldProduct, saleId: string): Promise<void> {
  switch (origin) {
    case 'marketplace':
      // The host's order flow: the marketplace moves its stock, then tells the hub.
      world.marketplace.sell(world.scope, product.internalId, 1)
      await world.hub.inventory.marketplaceChanged(world.scope, product.internalId, saleId)
      return
    case 'shopify':
      world.shopify.placeOrder([{ variantId: product.shopifyVariantId, quantity: 1 }])
      return
    case 'woocommerce':
      world.woo.createOrder({ lineItems: [{ productId: product.wooId, quantity: 1 }] })
      return
  }
}

/**
 * Propagation: sales one at a time, round-robin over origins and products; each timed from the
 * sale until the two other sides show the new quantity (polled every millisecond in process:
 * the fakes' state and the in-memory marketplace). Then checks that every side of every
 * product equals initial − units sold.
 */
export async function runPropagation(): Promise<Row[]> {
  const initial = 1_000_000
  const world = await buildWorld({ name: 'propagation', products: config.propagationProducts, initial })
  const samples: Record<Origin, number[]> = { marketplace: [], shopify: [], woocommerce: [] }
  /** For store-side sales: when the marketplace showed the sale (the first hop). */
  const firstHop: Record<Origin, number[]> = { marketplace: [], shopify: [], woocommerce: [] }
  const sold = new Map<string, number>()
  const started = performance.now()
  try {
    const total = config.propagationSales * ORIGINS.length
    for (let i = 0; i < total; i += 1) {
      const origin = ORIGINS[i % ORIGINS.length]!
      const product = world.products[Math.floor(i / ORIGINS.length) % world.products.length]!
      const expected = initial - (sold.get(product.sku) ?? 0) - 1
      sold.set(product.sku, (sold.get(product.sku) ?? 0) + 1)
      const t0 = performance.now()
      let marketplaceAt: number | null = null
      await sell(world, origin, product, `bench-sale-${i}`)
      await waitUntil(
        () => {
          const shown = sides(world, product)
          if (marketplaceAt === null && shown.marketplace === expected) marketplaceAt = performance.now()
          return Object.values(shown).every((q) => q === expected)
        },
        `sale ${i} (${origin}, ${product.sku}) to reach every side`,
        config.timeoutMs,
      )
      samples[origin].push(performance.now() - t0)
      if (origin !== 'marketplace' && marketplaceAt !== null) firstHop[origin].push(marketplaceAt - t0)
    }
    await world.settle()
    for (const product of world.products) {
      const expected = initial - (sold.get(product.sku) ?? 0)
      const shown = sides(world, product)
      if (Object.values(shown).some((q) => q !== expected)) {
        throw new Error(
          `${product.sku} did not converge: expected ${expected}, sides ${JSON.stringify(shown)}`,
        )
      }
    }
    const dead = await world.db.count('items', `status = 'dead'`)
    const all = summarize(ORIGINS.flatMap((o) => samples[o]))
    const seconds = (performance.now() - started) / 1000
    const rows: Row[] = ORIGINS.map((origin) => {
      const s: Summary = summarize(samples[origin])
      return {
        section: 'propagation',
        measure: `sale on ${origin} → other two sides, p50 / p99 (n=${s.count})`,
        value: `${ms(s.p50)} / ${ms(s.p99)}`,
        goal: 'p99 < 1 s',
        met: s.p99 < GOAL_P99_MS,
        note:
          origin === 'marketplace'
            ? `max ${ms(s.max)}`
            : `max ${ms(s.max)}; the marketplace showed it at p50 ${ms(summarize(firstHop[origin]).p50)}`,
      }
    })
    rows.push({
      section: 'propagation',
      measure: `all origins, p50 / p99 (n=${all.count})`,
      value: `${ms(all.p50)} / ${ms(all.p99)}`,
      goal: 'p99 < 1 s',
      met: all.p99 < GOAL_P99_MS && dead === 0,
      note: `every side equal after ${fmt(seconds, 0)} s, ${dead} dead items`,
    })
    return rows
  } finally {
    await world.close()
  }
}
