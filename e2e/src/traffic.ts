import type { Worker } from '@hub/core'
import { injectFault } from './faults.js'
import { type Rng, seededRng } from './rng.js'
import type { World, WorldProduct } from './world.js'

/** Units sold per side, per SKU: the test's own ledger, the ground truth of the assertions. */
export interface SalesLedger {
  marketplace: Map<string, number>
  shopify: Map<string, number>
  woo: Map<string, number>
}

/** What the traffic did, for the summary and for "the faults really happened" checks. */
export interface TrafficReport {
  ledger: SalesLedger
  sales: { marketplace: number; shopify: number; woo: number }
  /** Checkouts the store refused (not counted as sales). */
  refused: number
  marketplaceNotifications: { sent: number; duplicated: number; dropped: number }
  faults: Record<string, number>
  steps: number
  /** Sales landed while one of the hub's store requests was in flight. */
  inFlightSales: number
  /** Items the killed worker was executing when it died. */
  heldByKilledWorker: number
  /** Where the worker died. */
  killPoint: 'after a marketplace adjustment, before recording it' | 'during a store request' | 'at the end'
}

/** Options of {@link playTraffic}. */
export interface TrafficOptions {
  steps: number
  /** Units per product that are never sold, so no side ever runs out. */
  reserve: number
  initial: number
  /** From this step on, the doomed worker may be killed (see `killDoomed`); a new one starts. */
  crashAtStep: number
  /** Chance that a store request of the hub gets a sale landing just before it is handled. */
  inFlightSaleRate: number
  /**
   * Whether a sale landing during a WooCommerce *write* is a WooCommerce checkout of the product
   * being written (the store then overwrites it: the adapter's ledger must count it). When
   * false, that sale happens on the marketplace or Shopify instead (still during the write).
   */
  wooCheckoutDuringWrite: boolean
  /** The running workers: the doomed one first; the new one is appended at the crash. */
  workers: Worker[]
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Random concurrent traffic, bounded by `steps`: sales on the three sides (some landing while
 * the hub's store requests are in flight), webhook flushes (the fakes drop, duplicate, delay and
 * reorder deliveries), injected 5xx / throttling / lost answers, and one worker killed while it
 * executes items. Workers run in the background the whole time.
 */
export async function playTraffic(world: World, rng: Rng, options: TrafficOptions): Promise<TrafficReport> {
  // The in-flight hook runs as often as the hub sends requests, which depends on scheduling: it
  // draws from its own stream so the main script stays the same for a seed.
  const hookRng = seededRng(world.seed ^ 0x5eed)
  const { scope, marketplace, shopify, woo } = world
  const ledger: SalesLedger = { marketplace: new Map(), shopify: new Map(), woo: new Map() }
  const report: TrafficReport = {
    ledger,
    sales: { marketplace: 0, shopify: 0, woo: 0 },
    refused: 0,
    marketplaceNotifications: { sent: 0, duplicated: 0, dropped: 0 },
    faults: {},
    steps: 0,
    inFlightSales: 0,
    heldByKilledWorker: 0,
    killPoint: 'at the end',
  }
  const sold = (sku: string) =>
    (ledger.marketplace.get(sku) ?? 0) + (ledger.shopify.get(sku) ?? 0) + (ledger.woo.get(sku) ?? 0)
  const record = (side: keyof SalesLedger, sku: string, units: number) => {
    ledger[side].set(sku, (ledger[side].get(sku) ?? 0) + units)
    report.sales[side] += units
  }
  const pickSale = (from: Rng, only?: WorldProduct): { product: WorldProduct; units: number } | null => {
    const product = only ?? from.pick(world.products)
    const units = from.between(1, 3)
    return sold(product.sku) + units <= options.initial - options.reserve ? { product, units } : null
  }
  const notifications: Promise<unknown>[] = []

  /** One sale on one side (0 marketplace, 1 Shopify, 2 WooCommerce), recorded in the ledger. */
  const sell = (
    from: Rng,
    side: number,
    product: WorldProduct,
    units: number,
    eventId: string,
    during?: string,
  ): void => {
    if (side === 0) {
      marketplace.sell(scope, product.internalId, units)
      record('marketplace', product.sku, units)
      if (from.chance(0.05)) {
        report.marketplaceNotifications.dropped += 1 // the periodic sweep must find it
        return
      }
      report.marketplaceNotifications.sent += 1
      notifications.push(world.hub.inventory.marketplaceChanged(scope, product.internalId, eventId))
      if (from.chance(0.1)) {
        report.marketplaceNotifications.duplicated += 1
        notifications.push(world.hub.inventory.marketplaceChanged(scope, product.internalId, eventId))
      }
      return
    }
    if (side === 1) {
      shopify.placeOrder([{ variantId: product.shopifyVariantId, quantity: units }])
      record('shopify', product.sku, units)
      return
    }
    const before = woo.stockOf(product.wooId)
    try {
      const orderId = woo.createOrder({ lineItems: [{ productId: product.wooId, quantity: units }] })
      record('woo', product.sku, units)
      const trace = world.wooTrace.get(product.wooId) ?? []
      world.wooTrace.set(product.wooId, trace)
      trace.push(
        `checkout #${orderId} of ${units} (${eventId}${during ? `, during ${during}` : ''}): stock ${before} → ${woo.stockOf(product.wooId)}`,
      )
    } catch {
      report.refused += 1
      if (woo.stockOf(product.wooId) !== before) throw new Error('a refused checkout moved stock')
    }
  }

  let step = 0
  const replace = (killPoint: TrafficReport['killPoint']) => {
    report.killPoint = killPoint
    report.heldByKilledWorker = options.workers[0]!.inFlight()
    const replacement = world.hub.worker({ concurrency: 4, leaseMs: world.leaseMs, pollMs: 25 })
    options.workers.push(replacement)
    notifications.push(replacement.start())
  }
  /**
   * From `crashAtStep` the doomed worker dies right after its next marketplace adjustment; if it
   * makes none within a third of the run, it dies the next time it is busy during a store
   * request (or at the last step).
   */
  const killDoomed = (last: boolean) => {
    if (world.crash.crashed || step < options.crashAtStep) return
    if (step === options.crashAtStep) {
      world.crash.armAfterMarketplaceWrite(() =>
        replace('after a marketplace adjustment, before recording it'),
      )
    }
    const late = step >= options.crashAtStep + Math.floor(options.steps / 3)
    if (last || (late && options.workers[0]!.inFlight() > 0)) {
      world.crash.crash()
      replace(last ? 'at the end' : 'during a store request')
    }
  }

  world.httpFaults.onStoreRequest = (_store, method, wooProductId, label) => {
    killDoomed(false)
    if (!hookRng.chance(options.inFlightSaleRate)) return
    // A WooCommerce product request gets a sale of that very product (inside the window between
    // a push's re-read and its write); anything else gets a random product on a random side.
    const target = wooProductId !== null ? world.products.find((p) => p.wooId === wooProductId) : undefined
    const sale = pickSale(hookRng, target)
    if (!sale) return
    report.inFlightSales += 1
    let side = hookRng.int(3)
    if (target) side = method === 'GET' || options.wooCheckoutDuringWrite ? 2 : hookRng.int(2)
    sell(hookRng, side, sale.product, sale.units, `inflight-${world.seed}-${report.inFlightSales}`, label)
  }
  shopify.setWebhookChaos({ duplicate: 0.25, drop: 0.15, delayMs: 150, reorder: true })
  woo.setFaults({ drop: 0.15, duplicate: 0.25, reorder: 0.3 })
  world.wooDeliveries.setMaxDelay(150)

  try {
    for (step = 0; step < options.steps; step++) {
      report.steps = step + 1
      killDoomed(step === options.steps - 1)
      const roll = rng.next()
      if (roll < 0.75) {
        const sale = pickSale(rng)
        if (sale)
          sell(
            rng,
            Math.min(2, Math.floor(roll / 0.25)),
            sale.product,
            sale.units,
            `order-${world.seed}-${step}`,
          )
      } else if (roll < 0.92) {
        await world.flushWebhooks()
      } else {
        const name = injectFault(world, rng)
        report.faults[name] = (report.faults[name] ?? 0) + 1
      }
      await sleep(rng.int(6))
    }
  } finally {
    world.httpFaults.onStoreRequest = null
  }
  await Promise.all(notifications)
  return report
}
