import type { App } from '../app.js'
import { allItems, SELLER } from './backend-client.js'
import type { CatalogItem, FakeStores } from './fake-stores.js'
import { duration, table } from './output.js'
import type { Sale } from './sales.js'

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
  items: {
    succeeded: number
    retried: number
    dead: number
    open: number
    other: number
    /** How many items of each operation ran (imports, submissions, reconciles, webhooks…). */
    byOperation: Record<string, number>
  }
  /** An item that failed on the injected 503 and succeeded on retry (id, operation, attempts). */
  retriedExample: { id: string; operation: string; attempts: number; error: string } | null
  conflicts: { id: string; fields: string[] }[]
  timings: { phase: string; ms: number }[]
  /** Per sale, in order: from the sale until all three sides showed it. */
  propagationMs: number[]
  wallMs: number
}

/**
 * SKU → marketplace inventory item id, for every approved product (at most 1000 requests).
 * `duplicates` lists SKUs with more than one marketplace item: goods the approval did not link
 * across the two stores, whose stocks would then drift apart unseen.
 */
export async function marketplaceVariants(app: App): Promise<Map<string, string> & { duplicates: string[] }> {
  const scope = { sellerId: SELLER }
  const approved = await app.marketplace.listRequests(scope, { status: 'approved', limit: 1000 })
  const products = [...new Set(approved.map((r) => r.productId).filter((id): id is string => id !== null))]
  const bySku = Object.assign(new Map<string, string>(), { duplicates: [] as string[] })
  for (const productId of products) {
    const product = await app.marketplace.getProduct(scope, productId)
    for (const variant of product?.variants ?? []) {
      if (!variant.sku) continue
      if (bySku.has(variant.sku) && bySku.get(variant.sku) !== variant.id) bySku.duplicates.push(variant.sku)
      bySku.set(variant.sku, variant.id)
    }
  }
  return bySku
}

/** One item's quantity on each side, read from each side itself (`null`: not there). */
export interface Sides {
  marketplace: number | null
  shopify: number
  woocommerce: number | null
}

/** Read an item's quantity on the marketplace (its tables), on Shopify and on WooCommerce (the fakes' state). */
export async function sidesOf(
  app: App,
  stores: FakeStores,
  item: CatalogItem,
  variantId: string | undefined,
): Promise<Sides> {
  const marketplace = variantId
    ? ((await app.marketplace.getInventoryItem({ sellerId: SELLER }, variantId))?.quantity ?? null)
    : null
  return {
    marketplace,
    shopify: stores.shopify.getAvailable(item.shopifyInventoryItemId),
    woocommerce: stores.woo.stockOf(item.wooId),
  }
}

/** Read every side of every item, the sync items and the conflicts; say what is wrong, if anything. */
export async function buildReport(
  app: App,
  stores: FakeStores,
  sales: Sale[],
  extra: {
    productRequests: number
    approved: number
    conflicts: DemoReport['conflicts']
    timings: DemoReport['timings']
    started: number
    propagationMs: number[]
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
    const { marketplace, shopify, woocommerce } = await sidesOf(app, stores, item, variantBySku.get(item.sku))
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
  if (variantBySku.duplicates.length > 0) {
    problems.push(
      `${variantBySku.duplicates.length} SKU(s) have two marketplace items (not linked across the stores), e.g. ${variantBySku.duplicates[0]}`,
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
      byOperation: countBy(items.map((i) => i.operation)),
    },
    retriedExample: example,
    conflicts: extra.conflicts,
    timings: extra.timings,
    propagationMs: extra.propagationMs,
    wallMs: Date.now() - extra.started,
  }
}

/** Occurrences of each value, most frequent first. */
function countBy(values: string[]): Record<string, number> {
  const counts = new Map<string, number>()
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1)
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]))
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
  lines.push(
    `               ${Object.entries(items.byOperation)
      .map(([operation, n]) => `${n} ${operation}`)
      .join(', ')}`,
  )
  if (report.retriedExample) {
    const r = report.retriedExample
    lines.push(
      `Retried:       ${r.operation} ${r.id}: attempt 1 failed (${r.error}), attempt ${r.attempts} succeeded`,
    )
  }
  if (report.propagationMs.length > 0) {
    const sorted = [...report.propagationMs].sort((a, b) => a - b)
    const median = sorted[Math.floor((sorted.length - 1) / 2)]!
    lines.push(
      `Propagation:   a sale shown on all three sides after ${duration(median)} (median of ${sorted.length}), ${duration(sorted.at(-1)!)} at most (the sale that met the 503 waits for its retry)`,
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
