import type {
  CatalogConflict,
  Checkpoint,
  Connection,
  EntityMapping,
  ItemStatus,
  SyncAttempt,
  SyncItem,
  SyncRun,
  WebhookEvent,
} from '../domain/schemas.js'
import { HubError } from '../errors.js'
import type { Clock } from '../ports/clock.js'
import { HUB_STORE_SPEC_VERSION, type HubStore, type PruneOptions } from '../ports/store.js'
import * as mappings from './memory-mappings.js'
import * as queue from './memory-queue.js'
import * as records from './memory-records.js'
import { copy, createMemoryState, invalid, key, type MemoryState, publicCopy } from './memory-state.js'

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Time source for `createdAt`/`updatedAt` and for {@link HubStore.nextDueAt}. Default: the system clock. */
  clock?: Pick<Clock, 'now'>
}

/** Every row a {@link MemoryStore} holds, copied: for tests that check what was actually stored. */
export interface MemoryStoreSnapshot {
  connections: Connection[]
  webhookEvents: WebhookEvent[]
  runs: SyncRun[]
  items: SyncItem[]
  attempts: SyncAttempt[]
  mappings: EntityMapping[]
  conflicts: CatalogConflict[]
  checkpoints: Checkpoint[]
}

/** The in-process reference {@link HubStore}, plus a raw read-back for tests. */
export interface MemoryStore extends HubStore {
  /** Always implemented here. @see HubStore.nextDueAt */
  nextDueAt(): Promise<Date | null>
  /** Always implemented here; listeners run synchronously after the write. @see HubStore.onWake */
  onWake(listener: () => void): () => void
  /** Always implemented here. @see HubStore.prune */
  prune(options: PruneOptions): Promise<{ items: number; attempts: number; events: number }>
  /** Copies of every stored row, across all sellers (unscoped: for tests only). */
  snapshot(): MemoryStoreSnapshot
}

/** Items in these statuses are finished and may be pruned. `failed` still awaits its retry. */
const PRUNABLE_ITEM_STATUSES: ReadonlySet<ItemStatus> = new Set(['succeeded', 'dead', 'skipped', 'blocked'])

/**
 * The reference {@link HubStore}: everything in process memory, nothing persisted.
 *
 * Meant for tests, demos and single-process hosts. Each call is atomic (the work between reading
 * and writing never awaits), so concurrent async callers see the same guarantees a database gives:
 * an item is claimed once, a webhook event or mapping is stored once. Rows are deep-copied in and
 * out, so a caller can never change stored state by mutating an object.
 *
 * @example
 * ```ts
 * const hub = createHub({ store: memoryStore(), providers, marketplace, keyring })
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const clock = options.clock ?? { now: () => new Date() }
  let state: MemoryState = createMemoryState()
  let closed = false
  const listeners = new Set<() => void>()

  const ctx: queue.QueueContext = {
    now: () => clock.now(),
    wake() {
      for (const listener of [...listeners]) {
        try {
          listener()
        } catch {
          // A listener's failure is its own business; the store's write already happened.
        }
      }
    },
  }

  /** Run a store operation: a rejection (never a synchronous throw) once the store is closed. */
  const op = async <T>(fn: (s: MemoryState) => T): Promise<T> => {
    if (closed) throw new HubError('STORE_CLOSED', 'the memory store is closed')
    return fn(state)
  }

  const prune = (s: MemoryState, { olderThan, batchSize }: PruneOptions) => {
    const cutoff = queue.validDate(olderThan, 'prune olderThan')
    if (batchSize !== undefined && !(Number.isInteger(batchSize) && batchSize > 0)) {
      invalid('prune batchSize must be a positive integer')
    }
    const deleted = { items: 0, attempts: 0, events: 0 }
    for (const [id, row] of s.items) {
      const { item } = row
      if (!PRUNABLE_ITEM_STATUSES.has(item.status) || item.updatedAt.getTime() >= cutoff) continue
      deleted.attempts += s.attempts.get(id)?.length ?? 0
      s.attempts.delete(id)
      s.items.delete(id)
      s.active.delete(id)
      s.runItems.get(item.runId)?.delete(id)
      const itemKey = key(item.connectionId, item.idempotencyKey)
      if (s.itemKeys.get(itemKey) === id) s.itemKeys.delete(itemKey)
      deleted.items++
    }
    for (const [id, event] of s.events) {
      if (event.status !== 'processed' && event.status !== 'ignored') continue
      if (event.receivedAt.getTime() >= cutoff) continue
      s.events.delete(id)
      s.eventKeys.delete(key(event.provider, event.providerEventId))
      deleted.events++
    }
    return deleted
  }

  return {
    specificationVersion: HUB_STORE_SPEC_VERSION,
    name: 'memory',

    async migrate() {},
    async close() {
      closed = true
      listeners.clear()
      state = createMemoryState()
    },

    createConnection: (input) => op((s) => records.createConnection(s, clock.now(), input)),
    getConnection: (scope, id) => op((s) => records.getConnection(s, scope, id)),
    listConnections: (scope, filter) => op((s) => records.listConnections(s, scope, filter)),
    updateConnection: (scope, id, patch) =>
      op((s) => records.updateConnection(s, clock.now(), scope, id, patch)),
    findConnectionByAccount: (provider, account) =>
      op((s) => records.findConnectionByAccount(s, provider, account)),

    recordWebhookEvent: (input) => op((s) => records.recordWebhookEvent(s, input)),
    updateWebhookEvent: (scope, id, patch) => op((s) => records.updateWebhookEvent(s, scope, id, patch)),
    getWebhookEvent: (scope, id) => op((s) => records.getWebhookEvent(s, scope, id)),
    listWebhookEvents: (scope, filter) => op((s) => records.listWebhookEvents(s, scope, filter)),

    createRun: (input) => op((s) => records.createRun(s, clock.now(), input)),
    getRun: (scope, id) => op((s) => records.getRun(s, scope, id)),
    listRuns: (scope, filter) => op((s) => records.listRuns(s, scope, filter)),
    enqueueItems: (items) => op((s) => queue.enqueueItems(s, ctx, items)),
    getItem: (scope, id) => op((s) => queue.getItem(s, scope, id)),
    listItems: (scope, filter) => op((s) => queue.listItems(s, scope, filter)),
    claimItems: (request) => op((s) => queue.claimItems(s, request)),
    heartbeat: (workerId, ids, leaseMs, now) => op((s) => queue.heartbeat(s, workerId, ids, leaseMs, now)),
    finishItem: (request) => op((s) => queue.finishItem(s, ctx, request)),
    saveDiagnostic: (itemId, workerId, payload) =>
      op((s) => queue.saveDiagnostic(s, itemId, workerId, payload)),
    reapExpiredLeases: (now) => op((s) => queue.reapExpiredLeases(s, now)),
    listAttempts: (scope, itemId) => op((s) => queue.listAttempts(s, scope, itemId)),
    replay: (scope, selector, now) => op((s) => queue.replay(s, ctx, scope, selector, now)),
    nextDueAt: () => op((s) => queue.nextDueAt(s, clock.now())),

    upsertMapping: (scope, input) => op((s) => mappings.upsertMapping(s, clock.now(), scope, input)),
    getMapping: (scope, k) => op((s) => mappings.getMapping(s, scope, k)),
    findMappings: (scope, filter) => op((s) => mappings.findMappings(s, scope, filter)),
    updateMapping: (scope, id, patch, expectedVersion) =>
      op((s) => mappings.updateMapping(s, clock.now(), scope, id, patch, expectedVersion)),

    createConflict: (scope, input) => op((s) => mappings.createConflict(s, clock.now(), scope, input)),
    getConflict: (scope, id) => op((s) => mappings.getConflict(s, scope, id)),
    listConflicts: (scope, filter) => op((s) => mappings.listConflicts(s, scope, filter)),
    resolveConflict: (scope, id, status, now) =>
      op((s) => mappings.resolveConflict(s, scope, id, status, now)),

    getCheckpoint: (scope, connectionId, stream) =>
      op((s) => mappings.getCheckpoint(s, scope, connectionId, stream)),
    saveCheckpoint: (scope, input) => op((s) => mappings.saveCheckpoint(s, clock.now(), scope, input)),

    onWake(listener) {
      const entry = () => listener()
      listeners.add(entry)
      return () => {
        listeners.delete(entry)
      }
    },
    prune: (options) => op((s) => prune(s, options)),

    snapshot() {
      const s = state
      return {
        connections: copy([...s.connections.values()]),
        webhookEvents: [...s.events.values()].map(publicCopy),
        runs: [...s.runs.values()].map((r) => records.getRun(s, { sellerId: r.sellerId }, r.id)!),
        items: [...s.items.values()].map((row) => copy(row.item)),
        attempts: copy([...s.attempts.values()].flat()),
        mappings: copy([...s.mappings.values()]),
        conflicts: [...s.conflicts.values()].map(publicCopy),
        checkpoints: copy([...s.checkpoints.values()]),
      }
    },
  }
}
