import type { Json } from '../domain/json.js'
import type {
  AttemptOutcome,
  CatalogConflict,
  Checkpoint,
  ConflictStatus,
  Connection,
  ConnectionPolicy,
  ConnectionStatus,
  EncryptedSecret,
  EntityMapping,
  FieldDiff,
  ItemError,
  ItemStatus,
  MappingStatus,
  RunKind,
  Scope,
  SyncAttempt,
  SyncItem,
  SyncRun,
  WebhookEvent,
  WebhookEventStatus,
} from '../domain/schemas.js'

/** The version of the {@link HubStore} contract described in this file. */
export const HUB_STORE_SPEC_VERSION = 'v1' as const

/** Input of {@link HubStore.createConnection}. */
export interface NewConnection {
  sellerId: string
  provider: string
  externalAccountId: string
  status?: ConnectionStatus
  statusReason?: string | null
  policy?: Partial<ConnectionPolicy>
  credentials?: EncryptedSecret | null
  settings?: Record<string, Json>
}

/** Patch of {@link HubStore.updateConnection}. */
export interface ConnectionPatch {
  status?: ConnectionStatus
  statusReason?: string | null
  policy?: Partial<ConnectionPolicy>
  credentials?: EncryptedSecret | null
  settings?: Record<string, Json>
  externalAccountId?: string
}

/** Input of {@link HubStore.recordWebhookEvent}. */
export interface NewWebhookEvent {
  provider: string
  providerEventId: string
  connectionId: string
  sellerId: string
  topic: string
  occurredAt: Date | null
  receivedAt: Date
  headers: Record<string, string>
  payload: Json
}

/** Input of {@link HubStore.createRun}. */
export interface NewRun {
  sellerId: string
  connectionId: string
  kind: RunKind
  trigger?: string | null
}

/** Input of {@link HubStore.enqueueItems}. */
export interface NewSyncItem {
  runId: string
  connectionId: string
  sellerId: string
  provider: string
  operation: string
  idempotencyKey: string
  entityType: string
  externalId?: string | null
  internalId?: string | null
  serialKey?: string | null
  sourceHash?: string | null
  targetHash?: string | null
  payload?: Json
  maxAttempts?: number
  /** Defaults to now. */
  nextAttemptAt?: Date
}

/** Result of {@link HubStore.enqueueItems}: each input's item (new or existing) in input order. */
export interface EnqueueResult {
  items: SyncItem[]
  /** How many of them were created by this call (the rest already existed). */
  created: number
}

/** Input of {@link HubStore.claimItems}. */
export interface ClaimRequest {
  workerId: string
  limit: number
  leaseMs: number
  now: Date
  /** Only claim items of these providers (workers dedicated to a provider). */
  providers?: string[]
}

/** Attempt row written together with an item's outcome. */
export interface NewAttempt {
  startedAt: Date
  finishedAt: Date
  outcome: AttemptOutcome
  error?: ItemError | null
  excerpt?: Json | null
}

/** How a claimed item ended. */
export type ItemOutcome =
  | { status: 'succeeded'; result?: Json | null; internalId?: string | null; targetHash?: string | null }
  | { status: 'failed'; error: ItemError; nextAttemptAt: Date }
  | { status: 'dead'; error: ItemError }
  | { status: 'skipped' | 'blocked'; error: ItemError }
  /** Give the item back untouched (graceful stop): status pending, attempt decremented. */
  | { status: 'released' }

/** Input of {@link HubStore.finishItem}. */
export interface FinishRequest {
  itemId: string
  workerId: string
  outcome: ItemOutcome
  attempt: NewAttempt
  now: Date
}

/** Which items {@link HubStore.replay} re-queues. */
export type ReplaySelector =
  | { itemId: string }
  | { runId: string; statuses?: ItemStatus[] }
  | { connectionId: string; statuses?: ItemStatus[] }

/** Filter of {@link HubStore.listItems}. */
export interface ItemFilter {
  runId?: string
  connectionId?: string
  status?: ItemStatus | ItemStatus[]
  operation?: string
  limit?: number
  /** Keyset pagination: items created after this item id (ascending order). */
  after?: string
}

/** Input of {@link HubStore.upsertMapping}. Unique on `(connectionId, entityType, externalId)`. */
export interface MappingInput {
  connectionId: string
  entityType: string
  externalId: string
  internalId?: string | null
  pendingRef?: string | null
  status?: MappingStatus
  baseline?: number | null
  sourceHash?: string | null
  data?: Record<string, Json>
}

/** Patch of {@link HubStore.updateMapping}. */
export interface MappingPatch {
  internalId?: string | null
  pendingRef?: string | null
  status?: MappingStatus
  baseline?: number | null
  sourceHash?: string | null
  /** Replaces the whole `data` object (read, spread, write). */
  data?: Record<string, Json>
}

/** Filter of {@link HubStore.findMappings}. */
export interface MappingFilter {
  connectionId?: string
  entityType?: string
  externalId?: string
  internalId?: string
  pendingRef?: string
  status?: MappingStatus
  limit?: number
}

/** Input of {@link HubStore.createConflict}. */
export interface NewConflict {
  connectionId: string
  mappingId: string
  entityType: string
  externalId: string
  internalId: string | null
  diffs: FieldDiff[]
  sourceHash: string
  targetHash: string | null
}

/** Input of {@link HubStore.saveCheckpoint}. */
export interface CheckpointInput {
  connectionId: string
  stream: string
  cursor: string | null
  watermark: Date | null
}

/** Options of {@link HubStore.prune}. */
export interface PruneOptions {
  /** Finished items, their attempts and processed events older than this are deleted. */
  olderThan: Date
  batchSize?: number
}

/**
 * The storage port. Every method that takes a {@link Scope} filters by `sellerId`: a seller
 * never sees another seller's rows. Unscoped methods exist only where the engine works across
 * tenants (claiming, webhook routing) and say so.
 *
 * Implementations prove themselves with `runStoreConformance` from `@hub/testkit`.
 */
export interface HubStore {
  readonly specificationVersion: typeof HUB_STORE_SPEC_VERSION
  /** Short name for diagnostics, e.g. `memory`, `postgres`. */
  readonly name: string

  /** Create the schema if the store needs one. Safe to call many times, from many processes. */
  migrate?(): Promise<void>
  /** Release connections, stop listeners. */
  close(): Promise<void>

  // connections
  createConnection(input: NewConnection): Promise<Connection>
  getConnection(scope: Scope, id: string): Promise<Connection | null>
  listConnections(
    scope: Scope,
    filter?: { provider?: string; status?: ConnectionStatus },
  ): Promise<Connection[]>
  updateConnection(scope: Scope, id: string, patch: ConnectionPatch): Promise<Connection>
  /** Unscoped: webhook routing finds the connection (and so the seller) from the account id. */
  findConnectionByAccount(provider: string, externalAccountId: string): Promise<Connection | null>

  // webhook inbox
  /**
   * Store a delivery unless `(provider, providerEventId)` exists. A concurrent duplicate returns
   * the winner's row with `created: false`.
   */
  recordWebhookEvent(input: NewWebhookEvent): Promise<{ event: WebhookEvent; created: boolean }>
  updateWebhookEvent(
    scope: Scope,
    id: string,
    patch: { status?: WebhookEventStatus; runId?: string | null; error?: string | null },
  ): Promise<WebhookEvent>
  getWebhookEvent(scope: Scope, id: string): Promise<WebhookEvent | null>
  listWebhookEvents(
    scope: Scope,
    filter?: { connectionId?: string; status?: WebhookEventStatus; limit?: number },
  ): Promise<WebhookEvent[]>

  // runs and items
  createRun(input: NewRun): Promise<SyncRun>
  getRun(scope: Scope, id: string): Promise<SyncRun | null>
  listRuns(
    scope: Scope,
    filter?: { connectionId?: string; kind?: RunKind; limit?: number },
  ): Promise<SyncRun[]>
  /** Insert items; an existing `(connectionId, idempotencyKey)` returns the stored item instead. */
  enqueueItems(items: NewSyncItem[]): Promise<EnqueueResult>
  getItem(scope: Scope, id: string): Promise<SyncItem | null>
  listItems(scope: Scope, filter?: ItemFilter): Promise<SyncItem[]>
  /**
   * Unscoped. Atomically claim up to `limit` due items: status `pending|failed` with
   * `nextAttemptAt <= now`, or `running` with an expired lease; `attempt < maxAttempts`; no
   * other item with the same `serialKey` running under a live lease, and at most one per
   * `serialKey` in the batch. Sets `running`, the lease, and increments `attempt`. Oldest due first.
   */
  claimItems(request: ClaimRequest): Promise<SyncItem[]>
  /** Unscoped. Extend the leases the worker still holds; returns the ids it still owns. */
  heartbeat(workerId: string, itemIds: string[], leaseMs: number, now: Date): Promise<string[]>
  /**
   * Unscoped. Record the outcome and its attempt row in one step, only if `workerId` still holds
   * the lease. Returns the updated item, or `null` when the lease was lost (someone else owns it).
   */
  finishItem(request: FinishRequest): Promise<SyncItem | null>
  /** Persist adapter state before a side effect; only while `workerId` holds the lease. */
  saveDiagnostic(itemId: string, workerId: string, payload: Json): Promise<boolean>
  /**
   * Unscoped. Dead-letter running items whose lease expired after their last attempt (a crash
   * on the final attempt), with an attempt row `lease_expired`. Returns how many.
   */
  reapExpiredLeases(now: Date): Promise<number>
  listAttempts(scope: Scope, itemId: string): Promise<SyncAttempt[]>
  /**
   * Re-queue items: status `pending`, `attempt` 0, due now, lease cleared. Running items are
   * never touched. Default statuses for run/connection selectors: `dead, failed, blocked, skipped`.
   * Returns the re-queued items.
   */
  replay(scope: Scope, selector: ReplaySelector, now: Date): Promise<SyncItem[]>
  /** Earliest `nextAttemptAt` of a claimable item, to sleep exactly until then. */
  nextDueAt?(): Promise<Date | null>

  // mappings
  /** Insert or update by `(connectionId, entityType, externalId)`; concurrent upserts converge on one row. */
  upsertMapping(scope: Scope, input: MappingInput): Promise<EntityMapping>
  getMapping(
    scope: Scope,
    key: { connectionId: string; entityType: string; externalId: string },
  ): Promise<EntityMapping | null>
  findMappings(scope: Scope, filter: MappingFilter): Promise<EntityMapping[]>
  /**
   * Update a mapping. With `expectedVersion`, only if the row still has that version
   * (optimistic concurrency); returns `null` when it does not. Every update bumps `version`.
   */
  updateMapping(
    scope: Scope,
    id: string,
    patch: MappingPatch,
    expectedVersion?: number,
  ): Promise<EntityMapping | null>

  // conflicts
  /** One open conflict per `(mappingId, sourceHash)`: a duplicate returns the existing one. */
  createConflict(scope: Scope, input: NewConflict): Promise<{ conflict: CatalogConflict; created: boolean }>
  getConflict(scope: Scope, id: string): Promise<CatalogConflict | null>
  listConflicts(
    scope: Scope,
    filter?: { connectionId?: string; status?: ConflictStatus; limit?: number },
  ): Promise<CatalogConflict[]>
  /** Resolve an open conflict; `null` if it was not open. */
  resolveConflict(
    scope: Scope,
    id: string,
    status: 'accepted' | 'rejected',
    now: Date,
  ): Promise<CatalogConflict | null>

  // checkpoints
  getCheckpoint(scope: Scope, connectionId: string, stream: string): Promise<Checkpoint | null>
  saveCheckpoint(scope: Scope, input: CheckpointInput): Promise<Checkpoint>

  /** Subscribe to "work may be due" signals (enqueue, replay, release). Returns an unsubscribe. */
  onWake?(listener: () => void): () => void
  /** Delete finished rows older than `olderThan` in batches; returns how many rows were deleted. */
  prune?(options: PruneOptions): Promise<{ items: number; attempts: number; events: number }>
}
