import { z } from 'zod'
import { jsonSchema } from './json.js'

/** Tenant scope: every store query filters by the seller that owns the row. */
export const scopeSchema = z.object({ sellerId: z.string().min(1) })
/** Tenant scope passed to every scoped store method. */
export type Scope = z.infer<typeof scopeSchema>

/** Lifecycle of a seller's connection to an external store. */
export const connectionStatusSchema = z.enum(['pending', 'active', 'paused', 'revoked', 'error'])
/** @see connectionStatusSchema */
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>

/** What a connection may do. The engine's policy gate reads it; adapters never decide *whether*. */
export const connectionPolicySchema = z.object({
  inboundCatalog: z.boolean().default(true),
  inboundInventory: z.boolean().default(true),
  outboundInventory: z.boolean().default(true),
})
/** @see connectionPolicySchema */
export type ConnectionPolicy = z.infer<typeof connectionPolicySchema>

/** A secret encrypted with AES-256-GCM by the {@link Keyring}; all fields base64 except `keyId`. */
export const encryptedSecretSchema = z.object({
  v: z.literal(1),
  keyId: z.string().min(1),
  iv: z.string(),
  tag: z.string(),
  data: z.string(),
})
/** @see encryptedSecretSchema */
export type EncryptedSecret = z.infer<typeof encryptedSecretSchema>

/** A seller's link to one external store (a Shopify shop, a WooCommerce site). */
export const connectionSchema = z.object({
  id: z.string(),
  sellerId: z.string(),
  provider: z.string(),
  /** Shop domain or normalized store URL: how webhooks find the connection. */
  externalAccountId: z.string(),
  status: connectionStatusSchema,
  /** Why the connection is `error`/`revoked`, when it is. */
  statusReason: z.string().nullable(),
  policy: connectionPolicySchema,
  credentials: encryptedSecretSchema.nullable(),
  settings: z.record(z.string(), jsonSchema),
  createdAt: z.date(),
  updatedAt: z.date(),
})
/** @see connectionSchema */
export type Connection = z.infer<typeof connectionSchema>

/** Inbox row status. */
export const webhookEventStatusSchema = z.enum(['received', 'processed', 'ignored', 'failed'])
/** @see webhookEventStatusSchema */
export type WebhookEventStatus = z.infer<typeof webhookEventStatusSchema>

/** A webhook delivery, stored before anything runs. Unique on `(provider, providerEventId)`. */
export const webhookEventSchema = z.object({
  id: z.string(),
  provider: z.string(),
  providerEventId: z.string(),
  connectionId: z.string(),
  sellerId: z.string(),
  topic: z.string(),
  occurredAt: z.date().nullable(),
  receivedAt: z.date(),
  /** Headers with secrets removed. */
  headers: z.record(z.string(), z.string()),
  payload: jsonSchema,
  status: webhookEventStatusSchema,
  runId: z.string().nullable(),
  error: z.string().nullable(),
})
/** @see webhookEventSchema */
export type WebhookEvent = z.infer<typeof webhookEventSchema>

/** What started a run. */
export const runKindSchema = z.enum(['webhook', 'import', 'reconcile', 'marketplace', 'replay', 'manual'])
/** @see runKindSchema */
export type RunKind = z.infer<typeof runKindSchema>

/** Item status. `blocked` and `skipped` carry a reason in `lastError`. */
export const itemStatusSchema = z.enum([
  'pending',
  'running',
  'succeeded',
  'failed',
  'dead',
  'skipped',
  'blocked',
])
/** @see itemStatusSchema */
export type ItemStatus = z.infer<typeof itemStatusSchema>

/** Counts of a run's items by status. */
export const runCountsSchema = z.record(itemStatusSchema, z.number().int().nonnegative())
/** @see runCountsSchema */
export type RunCounts = Record<ItemStatus, number>

/** One trigger: a webhook, an import, a reconcile sweep, a marketplace event, a replay. */
export const syncRunSchema = z.object({
  id: z.string(),
  connectionId: z.string(),
  sellerId: z.string(),
  kind: runKindSchema,
  /** Free-form description of the trigger (event id, operator, …). */
  trigger: z.string().nullable(),
  /** `running` while any item is pending/running, else `finished`. Derived on read. */
  status: z.enum(['running', 'finished']),
  counts: runCountsSchema,
  startedAt: z.date(),
  finishedAt: z.date().nullable(),
})
/** @see syncRunSchema */
export type SyncRun = z.infer<typeof syncRunSchema> & { counts: RunCounts }

/** The typed error an item failed with. Messages are redacted before they are stored. */
export const itemErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
})
/** @see itemErrorSchema */
export type ItemError = z.infer<typeof itemErrorSchema>

/** The execution boundary: one unit of work on one entity of one connection. */
export const syncItemSchema = z.object({
  id: z.string(),
  runId: z.string(),
  connectionId: z.string(),
  sellerId: z.string(),
  provider: z.string(),
  /** Provider-neutral operation, e.g. `inventory.reconcile`, `catalog.import`. */
  operation: z.string(),
  /** Unique per connection: enqueueing the same key twice yields the same item. */
  idempotencyKey: z.string(),
  entityType: z.string(),
  externalId: z.string().nullable(),
  internalId: z.string().nullable(),
  /** Items with the same key never run at once. */
  serialKey: z.string().nullable(),
  sourceHash: z.string().nullable(),
  targetHash: z.string().nullable(),
  /** Input of the operation. */
  payload: jsonSchema,
  /** Adapter-private state saved before side effects (e.g. an outbound plan). */
  diagnosticPayload: jsonSchema.nullable(),
  result: jsonSchema.nullable(),
  status: itemStatusSchema,
  attempt: z.number().int().nonnegative(),
  maxAttempts: z.number().int().positive(),
  nextAttemptAt: z.date(),
  leaseOwner: z.string().nullable(),
  leaseExpiresAt: z.date().nullable(),
  lastError: itemErrorSchema.nullable(),
  createdAt: z.date(),
  updatedAt: z.date(),
})
/** @see syncItemSchema */
export type SyncItem = z.infer<typeof syncItemSchema>

/** How one attempt ended. `lease_expired` is written when a crashed worker's item is reclaimed. */
export const attemptOutcomeSchema = z.enum([
  'succeeded',
  'failed',
  'dead',
  'skipped',
  'blocked',
  'released',
  'lease_expired',
])
/** @see attemptOutcomeSchema */
export type AttemptOutcome = z.infer<typeof attemptOutcomeSchema>

/** History of every attempt, with redacted request/response excerpts. */
export const syncAttemptSchema = z.object({
  id: z.string(),
  itemId: z.string(),
  sellerId: z.string(),
  attempt: z.number().int(),
  workerId: z.string().nullable(),
  startedAt: z.date(),
  finishedAt: z.date(),
  outcome: attemptOutcomeSchema,
  error: itemErrorSchema.nullable(),
  /** Redacted excerpts the adapter chose to keep (requests, responses). */
  excerpt: jsonSchema.nullable(),
})
/** @see syncAttemptSchema */
export type SyncAttempt = z.infer<typeof syncAttemptSchema>

/** Mapping status: `pending` while the marketplace has not approved the entity. */
export const mappingStatusSchema = z.enum(['pending', 'linked', 'unlinked'])
/** @see mappingStatusSchema */
export type MappingStatus = z.infer<typeof mappingStatusSchema>

/** Link between an external entity and the marketplace's. Unique on `(connectionId, entityType, externalId)`. */
export const entityMappingSchema = z.object({
  id: z.string(),
  connectionId: z.string(),
  sellerId: z.string(),
  entityType: z.string(),
  externalId: z.string(),
  /** `null` while pending approval. */
  internalId: z.string().nullable(),
  /** Marketplace reference of the pending submission (e.g. a product request id). */
  pendingRef: z.string().nullable(),
  status: mappingStatusSchema,
  /** Inventory: the quantity both sides agreed on at the last reconcile. */
  baseline: z.number().int().nullable(),
  sourceHash: z.string().nullable(),
  /** Provider- or feature-specific data (e.g. the last imported snapshot for conflict diffs). */
  data: z.record(z.string(), jsonSchema),
  version: z.number().int().nonnegative(),
  updatedAt: z.date(),
})
/** @see entityMappingSchema */
export type EntityMapping = z.infer<typeof entityMappingSchema>

/** One field difference in a catalog conflict. */
export const fieldDiffSchema = z.object({
  field: z.string(),
  ours: jsonSchema,
  theirs: jsonSchema,
  base: jsonSchema,
})
/** @see fieldDiffSchema */
export type FieldDiff = z.infer<typeof fieldDiffSchema>

/** Conflict status. */
export const conflictStatusSchema = z.enum(['open', 'accepted', 'rejected'])
/** @see conflictStatusSchema */
export type ConflictStatus = z.infer<typeof conflictStatusSchema>

/** A later external catalog edit on an approved product: never applied without a person. */
export const catalogConflictSchema = z.object({
  id: z.string(),
  sellerId: z.string(),
  connectionId: z.string(),
  mappingId: z.string(),
  entityType: z.string(),
  externalId: z.string(),
  internalId: z.string().nullable(),
  diffs: z.array(fieldDiffSchema),
  sourceHash: z.string(),
  targetHash: z.string().nullable(),
  status: conflictStatusSchema,
  createdAt: z.date(),
  resolvedAt: z.date().nullable(),
})
/** @see catalogConflictSchema */
export type CatalogConflict = z.infer<typeof catalogConflictSchema>

/** Progress marker of a stream (an import, an order poll), advanced only after its work succeeded. */
export const checkpointSchema = z.object({
  connectionId: z.string(),
  sellerId: z.string(),
  stream: z.string(),
  cursor: z.string().nullable(),
  watermark: z.date().nullable(),
  updatedAt: z.date(),
})
/** @see checkpointSchema */
export type Checkpoint = z.infer<typeof checkpointSchema>
