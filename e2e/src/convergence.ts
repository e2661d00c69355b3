import type { SyncItem } from '@hub/core'
import { listAllItems } from './drain.js'
import type { TrafficReport } from './traffic.js'
import type { World } from './world.js'

/** A product whose sides disagree with `initial − all units sold`. */
export interface Mismatch {
  sku: string
  internalId: string
  expected: number
  marketplace: number
  shopify: number
  woo: number | null
  sold: { marketplace: number; shopify: number; woo: number }
  /** Marketplace adjustments applied for this item (key → delta), to see a double count. */
  adjustments: Record<string, number>
  /** The WooCommerce product's stock history (see `World.wooTrace`). */
  wooTrace: string[]
}

/** The verdict of one seed. */
export interface Verdict {
  mismatches: Mismatch[]
  /** Items neither succeeded nor dead with a stated reason. */
  unfinished: { id: string; operation: string; status: string; lastError: unknown }[]
  items: SyncItem[]
}

/** Compare every side of every product with `initial − all units sold`; check every item's end state. */
export async function verdict(world: World, traffic: TrafficReport, initial: number): Promise<Verdict> {
  const { scope, marketplace, shopify, woo } = world
  const adjustments = [...marketplace.adjustments().entries()]
  const mismatches: Mismatch[] = []
  for (const p of world.products) {
    const sold = {
      marketplace: traffic.ledger.marketplace.get(p.sku) ?? 0,
      shopify: traffic.ledger.shopify.get(p.sku) ?? 0,
      woo: traffic.ledger.woo.get(p.sku) ?? 0,
    }
    const expected = initial - sold.marketplace - sold.shopify - sold.woo
    const sides = {
      marketplace: marketplace.quantity(scope, p.internalId),
      shopify: shopify.getAvailable(p.shopifyInventoryItemId),
      woo: woo.stockOf(p.wooId),
    }
    if (sides.marketplace !== expected || sides.shopify !== expected || sides.woo !== expected) {
      mismatches.push({
        sku: p.sku,
        internalId: p.internalId,
        expected,
        ...sides,
        sold,
        adjustments: Object.fromEntries(
          adjustments.filter(([, a]) => a.inventoryItemId === p.internalId).map(([k, a]) => [k, a.delta]),
        ),
        wooTrace: world.wooTrace.get(p.wooId) ?? [],
      })
    }
  }
  const items = await listAllItems(world.hub, scope)
  const unfinished = items
    .filter((i) => !(i.status === 'succeeded' || (i.status === 'dead' && Boolean(i.lastError?.message))))
    .map((i) => ({ id: i.id, operation: i.operation, status: i.status, lastError: i.lastError }))
  return { mismatches, unfinished, items }
}

/** One compact line per seed: items by status, retries, dead reasons, faults, duration. */
export function summarize(
  label: string,
  world: World,
  traffic: TrafficReport,
  result: Verdict,
  durationMs: number,
): string {
  const byStatus: Record<string, number> = {}
  const deadReasons: Record<string, number> = {}
  let retries = 0
  for (const item of result.items) {
    byStatus[item.status] = (byStatus[item.status] ?? 0) + 1
    retries += Math.max(0, item.attempt - 1)
    if (item.status === 'dead') {
      const code = item.lastError?.code ?? 'unknown'
      deadReasons[code] = (deadReasons[code] ?? 0) + 1
    }
  }
  const faults = Object.entries(traffic.faults)
    .map(([k, v]) => `${k}×${v}`)
    .join(', ')
  return [
    `[convergence ${label}] ${durationMs} ms, ${traffic.steps} steps`,
    `  sold: marketplace ${traffic.sales.marketplace}, shopify ${traffic.sales.shopify}, woo ${traffic.sales.woo} (refused ${traffic.refused}; ${traffic.inFlightSales} landed during a hub request); mp notifications sent ${traffic.marketplaceNotifications.sent}, duplicated ${traffic.marketplaceNotifications.duplicated}, dropped ${traffic.marketplaceNotifications.dropped}`,
    `  webhooks: shopify sent ${world.shopify.webhooks.sent.length}, dropped ${world.shopify.webhooks.dropped.length}; woo delivered ${[...world.wooDeliveries.statuses.values()].reduce((a, b) => a + b, 0)}`,
    `  faults: ${faults || 'none'}; worker killed ${traffic.killPoint}, holding ${traffic.heldByKilledWorker} item(s)`,
    `  items: ${JSON.stringify(byStatus)}, retries ${retries}, dead ${JSON.stringify(deadReasons)}`,
    `  products off: ${result.mismatches.length}, items unfinished: ${result.unfinished.length}`,
    `  shopify requests ${world.shopify.requestLog.length}, throttled ${world.shopify.requestLog.filter((r) => r.throttled).length}, cost ${world.shopify.requestLog.reduce((a, r) => a + (r.requestedQueryCost ?? 0), 0)}; woo requests ${world.woo.requests.length}`,
  ].join('\n')
}
