import { describe, expect, it } from 'vitest'
import { memoryOutput } from '../src/demo/output.js'
import { runDemo } from '../src/demo/run-demo.js'

describe('the demo (./hub demo), in process with a small catalog', () => {
  it('connects both stores, imports, approves, propagates sales on all three sides and reports every side equal', async () => {
    const output = memoryOutput()
    const report = await runDemo({ products: 12, output })

    expect(report.problems).toEqual([])
    expect(report.ok).toBe(true)
    // 12 products per store, every third with three sizes: 8 + 4 × 3 = 20 items, 24 requests.
    expect(report.totals).toEqual({ items: 20, equal: 20, productRequests: 24, approved: 24 })
    // Every sold item shows initial − all units sold on each side, read from the stores themselves.
    expect(report.sold.length).toBeGreaterThanOrEqual(5)
    for (const row of report.sold) {
      const units = row.sold.marketplace + row.sold.shopify + row.sold.woocommerce
      expect(units).toBeGreaterThan(0)
      expect(row.expected).toBe(row.initial - units)
      expect([row.marketplace, row.shopify, row.woocommerce]).toEqual([
        row.expected,
        row.expected,
        row.expected,
      ])
    }
    // One item sold on all three sides.
    expect(
      report.sold.some((r) => r.sold.marketplace > 0 && r.sold.shopify > 0 && r.sold.woocommerce > 0),
    ).toBe(true)
    expect(report.items.dead).toBe(0)
    expect(report.items.open).toBe(0)
    expect(report.retriedExample?.error).toMatch(/503/)
    expect(report.conflicts.map((c) => c.fields)).toContainEqual(expect.arrayContaining(['title']))

    const text = output.lines.join('\n')
    expect(text).toContain('connected Shopify')
    expect(text).toContain('connected WooCommerce')
    expect(text).toMatch(/import .*24\/24 100%/)
    expect(text).toContain('20/20 equal on marketplace, Shopify and WooCommerce')
    expect(text).toContain('OK: every side of every item is equal.')
  }, 240_000)
})
