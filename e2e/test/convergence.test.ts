import { memoryStore } from '@hub/core'
import { pgliteStore } from '@hub/store-postgres'
import { describe, expect, it } from 'vitest'
import { runSeed, type SeedOutcome } from '../src/run-seed.js'
import { isolatedPostgresStore } from '../src/stores.js'

/**
 * The invariant of ARCHITECTURE.md §5, end to end: random concurrent sales on the marketplace,
 * Shopify and WooCommerce; webhooks duplicated, reordered, delayed and dropped; 5xx, lost
 * answers and throttling; one worker killed mid-run. After the recovery a deployment runs,
 * every side of every product shows `initial − all units sold`, and every item is succeeded
 * or dead with a reason.
 */
function expectConverged(outcome: SeedOutcome, minFaultKinds = 2): void {
  console.log(outcome.summary)
  const { traffic, verdict } = outcome
  // The run really exercised what it claims to (a test that injects nothing proves nothing).
  expect(traffic.sales.marketplace, 'marketplace sales').toBeGreaterThan(0)
  expect(traffic.sales.shopify, 'Shopify orders').toBeGreaterThan(0)
  expect(traffic.sales.woo, 'WooCommerce orders').toBeGreaterThan(0)
  expect(outcome.world.shopify.webhooks.dropped.length, 'dropped Shopify deliveries').toBeGreaterThan(0)
  expect(Object.keys(traffic.faults).length, 'kinds of injected faults').toBeGreaterThanOrEqual(minFaultKinds)
  expect(outcome.world.crash.crashed).toBe(true)

  expect(verdict.mismatches, 'every side equals initial − all units sold').toEqual([])
  expect(verdict.unfinished, 'every item succeeded or is dead with a stated reason').toEqual([])
  expect(outcome.open, 'nothing left pending or running').toBe(0)
}

describe('convergence: one seller, Shopify + WooCommerce + marketplace, under faults', () => {
  for (const seed of [11, 23, 37]) {
    it(`seed ${seed} (memory store)`, async () => {
      expectConverged(await runSeed({ seed, store: memoryStore(), storeName: 'memory' }))
    })
  }

  it('seed 41 (PGlite store)', async () => {
    // PGlite (WASM PostgreSQL) is several times slower per query: a smaller run keeps it quick.
    const store = pgliteStore()
    // Faults hit requests in flight, which a 60-step run meets less often: at least one kind here.
    expectConverged(await runSeed({ seed: 41, store, storeName: 'pglite', products: 8, steps: 60 }), 1)
    // ~63 s alone on the shared 2-core machine at load 12 (old and new Woo ledger alike), which
    // pushed it past the project's 120 s after the memory seeds: its own bound.
  }, 240_000)

  it.skipIf(!process.env.DATABASE_URL)('seed 53 (PostgreSQL, DATABASE_URL)', async () => {
    const store = await isolatedPostgresStore(process.env.DATABASE_URL!)
    expectConverged(await runSeed({ seed: 53, store, storeName: 'postgres' }))
  })
})
