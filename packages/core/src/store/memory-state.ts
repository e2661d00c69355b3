import type {
  CatalogConflict,
  Checkpoint,
  Connection,
  EntityMapping,
  ItemStatus,
  Scope,
  SyncAttempt,
  SyncItem,
  SyncRun,
  WebhookEvent,
} from '../domain/schemas.js'
import { HubError } from '../errors.js'

/** A stored item plus what only the store needs: insertion order and when its lease began. */
export interface ItemRow {
  item: SyncItem
  seq: number
  claimedAt: Date | null
}

/** A stored run without its derived fields (status, counts, finishedAt). */
export type RunRow = Omit<SyncRun, 'status' | 'counts' | 'finishedAt'> & { seq: number }

/** Every table and index of the memory store. Rows are never handed out: callers get copies. */
export interface MemoryState {
  connections: Map<string, Connection>
  events: Map<string, WebhookEvent & { seq: number }>
  /** `provider \0 providerEventId` → event id. */
  eventKeys: Map<string, string>
  runs: Map<string, RunRow>
  /** run id → ids of its items. */
  runItems: Map<string, Set<string>>
  items: Map<string, ItemRow>
  /** `connectionId \0 idempotencyKey` → item id. */
  itemKeys: Map<string, string>
  /** Ids of items that may still run (pending, failed, running): what claims scan. */
  active: Set<string>
  attempts: Map<string, SyncAttempt[]>
  mappings: Map<string, EntityMapping>
  /** `connectionId \0 entityType \0 externalId` → mapping id. */
  mappingKeys: Map<string, string>
  conflicts: Map<string, CatalogConflict & { seq: number }>
  /** `mappingId \0 sourceHash` → id of the open conflict. */
  openConflicts: Map<string, string>
  /** `connectionId \0 stream` → checkpoint. */
  checkpoints: Map<string, Checkpoint>
  seq: number
}

/** An empty state. */
export function createMemoryState(): MemoryState {
  return {
    connections: new Map(),
    events: new Map(),
    eventKeys: new Map(),
    runs: new Map(),
    runItems: new Map(),
    items: new Map(),
    itemKeys: new Map(),
    active: new Set(),
    attempts: new Map(),
    mappings: new Map(),
    mappingKeys: new Map(),
    conflicts: new Map(),
    openConflicts: new Map(),
    checkpoints: new Map(),
    seq: 0,
  }
}

/** Statuses an item can still leave without a replay. */
export const ACTIVE_STATUSES: ReadonlySet<ItemStatus> = new Set(['pending', 'failed', 'running'])

/** Composite index key; `\0` cannot appear in the ids and keys the SDK builds. */
export function key(...parts: string[]): string {
  return parts.join('\0')
}

/** Deep copy, so neither the caller nor the store can change the other's objects. Keeps Dates. */
export function copy<T>(value: T): T {
  return structuredClone(value)
}

/** The seller of a scope, or a typed error for a malformed one (never a silent unscoped query). */
export function sellerOf(scope: Scope): string {
  const sellerId: unknown = scope?.sellerId
  if (typeof sellerId !== 'string' || sellerId.length === 0) {
    throw new HubError('SCOPE_INVALID', 'a store scope needs a non-empty sellerId')
  }
  return sellerId
}

/** Throw a typed error for an input the store cannot accept. */
export function invalid(message: string): never {
  throw new HubError('STORE_INPUT_INVALID', message)
}

/** Strip the store-only fields of a row and copy it. */
export function publicCopy<T extends { seq: number }>(row: T): Omit<T, 'seq'> {
  const { seq: _seq, ...rest } = row
  return copy(rest)
}
