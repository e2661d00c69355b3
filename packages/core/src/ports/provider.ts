import type { Json } from '../domain/json.js'
import type { Connection, EntityMapping, SyncItem } from '../domain/schemas.js'
import type { Clock } from './clock.js'
import type { Logger } from './logger.js'
import type { MarketplacePort } from './marketplace.js'
import type { MappingInput, MappingPatch } from './store.js'

/** The version of the {@link ProviderAdapter} contract described in this file. */
export const PROVIDER_SPEC_VERSION = 'v1' as const
/** Contract versions this build of `@hub/core` can load. */
export const SUPPORTED_PROVIDER_SPEC_VERSIONS: readonly string[] = [PROVIDER_SPEC_VERSION]

/** What a provider can do, as data. The engine and the contract suite read these, never names. */
export interface ProviderCapabilities {
  /** The provider can write a quantity only if it still equals a value read before (Shopify). */
  inventoryCompareAndSwap: boolean
  /** The provider retries failed webhook deliveries (Shopify yes, WooCommerce no: poll instead). */
  webhookRetries: boolean
  /** Large catalogs import through a server-side bulk export. */
  bulkImport: boolean
  /** Sales arrive as order webhooks (and must be counted exactly once). */
  orderWebhooks: boolean
}

/** A webhook delivery exactly as received: raw bytes, lower-cased header names. */
export interface RawWebhookRequest {
  method: string
  url: string
  headers: Record<string, string>
  rawBody: Uint8Array
}

/** Work an adapter asks the engine to enqueue. The engine adds run, connection and seller. */
export interface WorkItemSpec {
  operation: string
  /** Unique per connection; the same key never creates a second item. */
  idempotencyKey: string
  entityType: string
  externalId?: string | null
  internalId?: string | null
  /** Left empty, the engine derives it for known entity types (inventory items share one per marketplace item). */
  serialKey?: string | null
  sourceHash?: string | null
  payload?: Json
  maxAttempts?: number
  /** Run no earlier than this (e.g. a debounce). */
  notBefore?: Date
}

/** What `parse` makes of a verified delivery. */
export type ParsedWebhook =
  | {
      kind: 'event'
      /** Stable id for dedupe (Shopify `X-Shopify-Event-Id`; a derived id where the provider has none). */
      providerEventId: string
      topic: string
      occurredAt: Date | null
      payload: Json
      work: WorkItemSpec[]
    }
  /** A verification ping: answered 200, nothing stored. */
  | { kind: 'ping'; topic: string }

/** The part of a connection the webhook verifier may need. `credentials` are decrypted. */
export interface WebhookConnection {
  connection: Connection
  credentials: Json | null
}

/** Webhook handling of a provider: identify the account, verify the raw bytes, parse. */
export interface ProviderWebhooks {
  /** The account the delivery is for (shop domain, store URL), from headers or body. Throws `WebhookError(400)`. */
  identify(request: RawWebhookRequest): string
  /**
   * Throw `WebhookError(401)` unless the signature over the raw bytes is valid. `target` is null
   * when no connection matches; providers that sign with an app-wide secret still verify then.
   */
  verify(request: RawWebhookRequest, target: WebhookConnection | null): Promise<void>
  /** Parse a verified delivery. Throws `WebhookError(400)` on a malformed payload. */
  parse(request: RawWebhookRequest, target: WebhookConnection): ParsedWebhook
}

/** Mapping operations scoped to the item's seller and connection. */
export interface MappingAccess {
  get(entityType: string, externalId: string): Promise<EntityMapping | null>
  upsert(input: Omit<MappingInput, 'connectionId'>): Promise<EntityMapping>
  update(id: string, patch: MappingPatch, expectedVersion?: number): Promise<EntityMapping | null>
  findByInternalId(entityType: string, internalId: string): Promise<EntityMapping[]>
}

/** Everything an adapter may touch while it executes one item. */
export interface ExecutionContext {
  item: SyncItem
  connection: Connection
  /** Decrypted credentials. Never log them. */
  credentials: Json | null
  /** Persist rotated credentials (e.g. a refreshed token) atomically, encrypted. */
  saveCredentials(next: Json): Promise<void>
  /** Change the connection's status (e.g. `revoked` on uninstall, `error` when re-auth is needed). */
  setConnectionStatus(status: Connection['status'], reason: string | null): Promise<void>
  /** Persist adapter state on the item before a side effect (e.g. an outbound plan). */
  savePlan(plan: Json): Promise<void>
  /** Keep a redacted request/response excerpt in the attempt history. */
  recordExcerpt(excerpt: Json): void
  /** Enqueue follow-up work in the same run. */
  enqueue(work: WorkItemSpec[]): Promise<SyncItem[]>
  mappings: MappingAccess
  checkpoints: {
    get(stream: string): Promise<{ cursor: string | null; watermark: Date | null } | null>
    save(stream: string, cursor: string | null, watermark: Date | null): Promise<void>
  }
  marketplace: MarketplacePort
  logger: Logger
  clock: Clock
  /** Aborted when the worker stops or the lease is lost. */
  signal: AbortSignal
}

/** What an operation returns on success. */
export interface ExecutionResult {
  result?: Json | null
  internalId?: string | null
  targetHash?: string | null
}

/** An operation handler: returns on success, throws `RetryableError` / `PermanentError` otherwise. */
export type OperationHandler = (ctx: ExecutionContext) => Promise<ExecutionResult | undefined>

/** A quantity as read from the provider, fresh. */
export interface InventoryReading {
  quantity: number
  /** Provider-specific state the push may need (e.g. Shopify location id). */
  token?: Json
  /**
   * Outside changes that `quantity` does not show: on a provider without compare-and-swap, a
   * sale that landed between our read and our overwrite (`delta: -1` for one unit). The core
   * adds `delta` to the external change it applies to the marketplace and stores `state` on the
   * mapping (`data.providerState`) in the same write as the new baseline, so each such change is
   * counted exactly once; the adapter reads its last `state` there to know what it reported.
   */
  unseen?: { delta: number; state: Json }
}

/** Inventory access of a provider, used by the core's provider-neutral reconcile. */
export interface ProviderInventory {
  /** Read the current external quantity of one inventory item, bypassing caches. */
  read(ctx: ExecutionContext, externalId: string): Promise<InventoryReading>
  /**
   * Make the external quantity `target`, given that it was `observed` when read. Adapters with
   * compare-and-swap write only if still `observed`; others use a stored plan (`ctx.savePlan`).
   * Idempotent per `idempotencyKey`. Returns the quantity now in the store.
   */
  push(
    ctx: ExecutionContext,
    input: { externalId: string; observed: InventoryReading; target: number; idempotencyKey: string },
  ): Promise<{ quantity: number }>
}

/**
 * The provider port. A provider package exports a factory returning one of these; `createHub`
 * refuses a `specificationVersion` it does not support.
 */
export interface ProviderAdapter {
  readonly specificationVersion: string
  /** Registry key, e.g. `shopify`. */
  readonly provider: string
  readonly capabilities: ProviderCapabilities
  readonly webhooks: ProviderWebhooks
  readonly inventory?: ProviderInventory
  /** Provider-specific operations by name (e.g. `catalog.import`). */
  readonly operations: Readonly<Record<string, OperationHandler>>
  /** Secret-bearing keys in this provider's credentials and headers, for redaction. */
  readonly secretKeys?: readonly string[]
  /**
   * The canonical form of an account id (a shop domain, a store URL), as `webhooks.identify`
   * returns it. `hub.connections.create` stores this form, so webhook routing finds the
   * connection however the host spelled the id. Throw `ConfigError` for an invalid id.
   */
  normalizeAccountId?(externalAccountId: string): string
}
