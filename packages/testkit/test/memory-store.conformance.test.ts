import { type MemoryStore, memoryStore } from '@hub/core'
import { runStoreConformance } from '../src/conformance/index.js'

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
