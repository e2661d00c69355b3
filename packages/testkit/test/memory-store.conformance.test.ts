import { type HubStore, type MemoryStore, memoryStore } from '@hub/core'
import { describe, expect, it } from 'vitest'
import {
  runStoreConformance,
  STORE_CONFORMANCE_TESTS,
  type StoreConformanceOptions,
} from '../src/conformance/index.js'

const snapshot = (store: MemoryStore) => store.snapshot()

runStoreConformance(() => memoryStore(), {
  name: 'memory',
  raw: {
    countItems: async (store, where) =>
      snapshot(store).items.filter(
        (item) =>
          item.connectionId === where.connectionId &&
          (where.idempotencyKey === undefined || item.idempotencyKey === where.idempotencyKey),
      ).length,
    countWebhookEvents: async (store, where) =>
      snapshot(store).webhookEvents.filter(
        (e) => e.provider === where.provider && e.providerEventId === where.providerEventId,
      ).length,
    countMappings: async (store, where) =>
      snapshot(store).mappings.filter(
        (m) =>
          m.connectionId === where.connectionId &&
          m.entityType === where.entityType &&
          m.externalId === where.externalId,
      ).length,
    countConflicts: async (store, where) =>
      snapshot(store).conflicts.filter(
        (c) => c.mappingId === where.mappingId && (where.status === undefined || c.status === where.status),
      ).length,
    countAttempts: async (store, where) =>
      snapshot(store).attempts.filter((a) => a.itemId === where.itemId).length,
    getItem: async (store, id) => snapshot(store).items.find((item) => item.id === id) ?? null,
  },
})

/** The same store seen through the bare required contract: no optional methods, no raw readers. */
function requiredOnly(store: MemoryStore): HubStore {
  const { onWake: _w, nextDueAt: _n, prune: _p, migrate: _m, snapshot: _s, ...required } = store
  return required
}

runStoreConformance(() => requiredOnly(memoryStore()), {
  name: 'memory, required methods only',
  skip: {
    'claim.exactly-once': 'run in full by the suite above',
    'claim.serial-key-concurrent': 'run above',
  },
})

describe('runStoreConformance options', () => {
  it('refuses to skip a test that does not exist, so a typo never hides a test', () => {
    expect(() =>
      runStoreConformance(() => memoryStore(), {
        skip: { 'claim.exactly-twice': 'typo' } as StoreConformanceOptions['skip'],
      }),
    ).toThrow(/no test "claim.exactly-twice"/)
  })

  it('names every test it registers', () => {
    expect(Object.keys(STORE_CONFORMANCE_TESTS).length).toBeGreaterThanOrEqual(39)
    for (const title of Object.values(STORE_CONFORMANCE_TESTS)) expect(title.length).toBeGreaterThan(10)
  })
})
