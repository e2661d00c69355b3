import { memoryStore } from '@hub/core'
import { describe, expect, it } from 'vitest'
import { runSeed } from '../src/run-seed.js'

/**
 * Stress run of the WooCommerce write race under full traffic, over many seeds.
 *
 * The convergence traffic with `wooCheckoutDuringWrite: true` (the CI seeds run it too): whenever
 * a sale lands during one of the hub's WooCommerce product writes (`PUT /products/{id}`), it is a
 * WooCommerce checkout of that very product, so the write overwrites it and only the adapter's
 * ledger can count it; other checkouts land during the ledger's own order scans and product reads.
 * With the earlier time-window ledger about 1 seed run in 12 ended with one product off by one
 * checkout, lost or counted twice (seeds 17, 20, 24, 29 among others; the interleavings are
 * replayed in packages/woocommerce/test/woocommerce-ledger-interleavings.test.ts).
 *
 * Skipped by default (each seed takes seconds); run with `HUB_E2E_WOO_RACE=1`, seeds from
 * `HUB_E2E_WOO_SEEDS` (`"1-60"`, `"17,29"`). A failure prints, per product, expected vs every
 * side, the sales per side, the marketplace adjustments and the WooCommerce stock trace (every hub
 * request of that product, its order scans, every checkout and the request it landed during).
 */
/** Seeds from `HUB_E2E_WOO_SEEDS` (`"17,29"`, `"1-60"`, or both mixed), else a default list. */
function stressSeeds(): number[] {
  const spec = process.env.HUB_E2E_WOO_SEEDS
  if (!spec) return [14, 24, 29, 11, 23, 37, 16, 17, 18, 19]
  return spec.split(',').flatMap((part) => {
    const [from, to] = part.split('-').map((n) => Number(n.trim()))
    if (from === undefined || !Number.isSafeInteger(from)) throw new Error(`bad seed list "${spec}"`)
    if (to === undefined) return [from]
    return Array.from({ length: to - from + 1 }, (_, i) => from + i)
  })
}

describe.skipIf(!process.env.HUB_E2E_WOO_RACE)(
  'stress (skipped unless HUB_E2E_WOO_RACE=1): checkouts racing the hub’s WooCommerce writes under full traffic',
  () => {
    for (const seed of stressSeeds()) {
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
