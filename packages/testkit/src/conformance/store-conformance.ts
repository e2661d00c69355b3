import type { ConflictStatus, HubStore, SyncItem } from '@hub/core'
import { afterEach, beforeEach, describe, it } from 'vitest'
import { Seed } from './store-seed.js'
import { STORE_CONFORMANCE_TESTS, type StoreConformanceTestId } from './store-tests.js'
import { registerClaimTests } from './suite-claims.js'
import { registerFinishTests } from './suite-finish.js'
import { registerIngestTests } from './suite-ingest.js'
import { registerMappingTests } from './suite-mappings.js'
import { registerOptionalTests } from './suite-optional.js'
import { registerReplayTests } from './suite-replay.js'
import { registerTenancyTests } from './suite-tenancy.js'

/**
 * Optional raw read-back of what a store actually wrote, bypassing its own getters (as Auth.js's
 * adapter tests do). Each reader gets the store under test. When a reader is given, the suite
 * checks stored rows with it as well; when not, it trusts the store's getters.
 */
export interface StoreRawReaders<S extends HubStore = HubStore> {
  /** Stored items of a connection, optionally only those with one idempotency key. */
  countItems?(store: S, where: { connectionId: string; idempotencyKey?: string }): Promise<number>
  /** Stored webhook events with this `(provider, providerEventId)`. */
  countWebhookEvents?(store: S, where: { provider: string; providerEventId: string }): Promise<number>
  /** Stored mappings with this key. */
  countMappings?(
    store: S,
    where: { connectionId: string; entityType: string; externalId: string },
  ): Promise<number>
  /** Stored conflicts of a mapping, optionally only those with one status. */
  countConflicts?(store: S, where: { mappingId: string; status?: ConflictStatus }): Promise<number>
  /** Stored attempt rows of an item. */
  countAttempts?(store: S, where: { itemId: string }): Promise<number>
  /** The stored item, unscoped, or null when there is no such row. */
  getItem?(
    store: S,
    id: string,
  ): Promise<Pick<SyncItem, 'id' | 'sellerId' | 'status' | 'attempt' | 'leaseOwner'> | null>
}

/** Options of {@link runStoreConformance}. */
export interface StoreConformanceOptions<S extends HubStore = HubStore> {
  /** Name shown in the `describe` title. Default: the store's `name`. */
  name?: string
  /** Raw read-back functions; see {@link StoreRawReaders}. */
  raw?: StoreRawReaders<S>
  /** Tests to skip, by id, each with the reason it does not apply to this store. */
  skip?: Partial<Record<StoreConformanceTestId, string>>
  /** Concurrent callers in the race tests. Keep it at or below the store's connection pool size. Default 16. */
  concurrency?: number
  /** Items in the exactly-once claim race. Default 500. */
  claimItems?: number
  /** Clean up after each test, after the store was closed (drop a schema, a file). */
  cleanup?(store: S): Promise<void> | void
}

/** What every test of the suite gets. */
export interface ConformanceContext<S extends HubStore = HubStore> {
  store: S
  seed: Seed
  raw: StoreRawReaders<S>
  concurrency: number
  claimItems: number
}

/** Registers one test of the suite; the registration helpers in `suite-*.ts` take it. */
export type DefineTest<S extends HubStore = HubStore> = (
  id: StoreConformanceTestId,
  fn: (ctx: ConformanceContext<S>, skip: (reason: string) => never) => Promise<void>,
) => void

/**
 * The shared conformance suite of {@link HubStore}: call it at the top level of a vitest test file
 * and it registers one `describe` with a test per guarantee of the contract: exactly-once claims
 * under concurrency, leases and their expiry, serial keys, idempotency, webhook dedupe, tenant
 * isolation, retries and dead letters, replay, mappings, conflicts, checkpoints, and the optional
 * `onWake`, `nextDueAt` and `prune` (skipped, with a reason, when the store lacks them).
 *
 * `makeStore` is called before each test and must return an empty store (the tests that read
 * global state, such as `nextDueAt`, `reapExpiredLeases` or `prune`, count on it); the suite calls
 * `migrate()` (when present) and, after the test, `close()` and `options.cleanup`. Tests control
 * time through the `now` arguments of the store API, never by sleeping, so they are fast and
 * deterministic. A store records the `now` it is given (e.g. as an item's `updatedAt`).
 *
 * @example
 * ```ts
 * // packages/store-postgres/test/conformance.test.ts
 * import { runStoreConformance } from '@hub/testkit/conformance'
 * runStoreConformance(() => pgliteStore(), { concurrency: 8 })
 * ```
 */
export function runStoreConformance<S extends HubStore>(
  makeStore: () => S | Promise<S>,
  options: StoreConformanceOptions<S> = {},
): void {
  const skips = options.skip ?? {}
  for (const id of Object.keys(skips)) {
    if (!(id in STORE_CONFORMANCE_TESTS)) throw new Error(`runStoreConformance: no test "${id}" to skip`)
  }
  let current: ConformanceContext<S> | null = null

  describe(`HubStore conformance: ${options.name ?? 'store'}`, () => {
    beforeEach(async () => {
      const store = await makeStore()
      await store.migrate?.()
      current = {
        store,
        seed: new Seed(store),
        raw: options.raw ?? {},
        concurrency: options.concurrency ?? 16,
        claimItems: options.claimItems ?? 500,
      }
    })

    afterEach(async () => {
      const ctx = current
      current = null
      if (!ctx) return
      await ctx.store.close()
      await options.cleanup?.(ctx.store)
    })

    const define: DefineTest<S> = (id, fn) => {
      const title = `${id}: ${STORE_CONFORMANCE_TESTS[id]}`
      const reason = skips[id]
      if (reason) {
        it.skip(`${title} (skipped: ${reason})`, () => {})
        return
      }
      it(title, async (testContext) => {
        if (!current) throw new Error('runStoreConformance: the store was not created')
        await fn(current, (why) => testContext.skip(why))
      })
    }

    registerIngestTests(define)
    registerClaimTests(define)
    registerFinishTests(define)
    registerReplayTests(define)
    registerTenancyTests(define)
    registerMappingTests(define)
    registerOptionalTests(define)
  })
}
