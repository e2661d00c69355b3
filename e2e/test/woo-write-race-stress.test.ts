import { memoryStore } from '@hub/core'
import { describe, expect, it } from 'vitest'
import { runSeed } from '../src/run-seed.js'

/**
 * KNOWN OPEN BUG (@hub/woocommerce stock ledger; not fixed here, reported to the lead).
 *
 * The convergence traffic with `wooCheckoutDuringWrite: true`: whenever a sale lands during one
 * of the hub's WooCommerce product writes (`PUT /products/{id}`), it is a WooCommerce checkout of
 * that very product, so the write overwrites it and only the adapter's ledger can count it. The
 * single race passes (`woo-write-race.test.ts`), but under the full traffic a seed sometimes
 * ends with one product off on every side by the units of one such checkout: lost (sides above
 * `initial − sold`) or counted twice (below) — 4 seed runs in about 50, then 0 in 20 on the same
 * code: it depends on timing. Seen: seed 24, E2E-009, expected 6, every side 7;
 * seed 29, E2E-015, expected 6, every side 4 (WooCommerce adjustments −26 for 24 units sold);
 * seed 14, E2E-018, expected 6, every side 8. Each time the product's trace shows a checkout
 * landing during a PUT, several pushes and checkouts within the same second.
 *
 * Skipped by default (it would make CI flaky); run with `HUB_E2E_WOO_RACE=1`. A failure prints,
 * per product, expected vs every side, the sales per side, the marketplace adjustments and the
 * WooCommerce stock trace (every hub request with the stock before/after, every checkout).
 */
describe.skipIf(!process.env.HUB_E2E_WOO_RACE)(
  'known bug (skipped unless HUB_E2E_WOO_RACE=1): checkouts racing the hub’s WooCommerce writes under full traffic',
  () => {
    for (const seed of [14, 24, 29, 11, 23, 37, 16, 17, 18, 19]) {
      it(`seed ${seed}`, async () => {
        const outcome = await runSeed({
          seed,
          store: memoryStore(),
          storeName: 'memory',
          wooCheckoutDuringWrite: true,
        })
        console.log(outcome.summary)
        for (const m of outcome.verdict.mismatches) {
          const product = outcome.world.products.find((p) => p.sku === m.sku)!
          const items = outcome.verdict.items.filter((i) => i.externalId === String(product.wooId))
          console.log(`${m.sku}: WooCommerce items`)
          for (const i of items) {
            console.log(
              `  ${i.operation} ${i.idempotencyKey.slice(0, 48)} ${i.status} attempt ${i.attempt} ${JSON.stringify(i.result)} ${JSON.stringify(i.diagnosticPayload)}`,
            )
          }
        }
        expect(outcome.verdict.mismatches).toEqual([])
        expect(outcome.verdict.unfinished).toEqual([])
      })
    }
  },
)
