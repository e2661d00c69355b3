import { type Approval, approveSubmission, resolveConflict } from './catalog/approval.js'
import { changeProduct, submitProduct } from './catalog/catalog-operations.js'
import type { Json } from './domain/json.js'
import type {
  CatalogConflict,
  Connection,
  ConnectionPolicy,
  EntityMapping,
  Scope,
  SyncItem,
  SyncRun,
} from './domain/schemas.js'
import { resolveInventoryKeys, toNewItems } from './engine/context.js'
import type { EngineDeps, RetryPolicy } from './engine/deps.js'
import type { CoreOperation } from './engine/execute-item.js'
import { createRegistry, type ProviderRegistry } from './engine/registry.js'
import { createWorker, type Worker, type WorkerOptions } from './engine/worker.js'
import { ConfigError, NotFoundError } from './errors.js'
import { createWebhookHandler, type WebHandler } from './http/web-webhook-handler.js'
import { sweepStuckEvents } from './ingest/sweep-events.js'
import { type IngestResult, ingestWebhook } from './ingest/webhook-ingest.js'
import { enqueueReconciles } from './inventory/enqueue-reconciles.js'
import { reconcileInventory } from './inventory/reconcile.js'
import { type Clock, systemClock } from './ports/clock.js'
import type { Keyring } from './ports/keyring.js'
import { type Logger, silentLogger } from './ports/logger.js'
import { MARKETPLACE_SPEC_VERSION, type MarketplacePort } from './ports/marketplace.js'
import type { ProviderAdapter, RawWebhookRequest, WorkItemSpec } from './ports/provider.js'
import { HUB_STORE_SPEC_VERSION, type HubStore, type ReplaySelector } from './ports/store.js'
import { createRedactor, redactingLogger } from './security/redact.js'

/** Configuration of {@link createHub}. */
export interface HubConfig {
  store: HubStore
  providers: readonly ProviderAdapter[]
  marketplace: MarketplacePort
  keyring: Keyring
  logger?: Logger
  clock?: Clock
  retry?: Partial<RetryPolicy>
}

/** Input of {@link Hub.connections}`.create`. */
export interface ConnectInput {
  sellerId: string
  provider: string
  externalAccountId: string
  /** Encrypted with the keyring before it is stored. */
  credentials?: Json | null
  policy?: Partial<ConnectionPolicy>
  settings?: Record<string, Json>
  status?: Connection['status']
}

/** The SDK's entry point, built by {@link createHub}. */
export interface Hub {
  readonly store: HubStore
  readonly registry: ProviderRegistry
  /** Web handler for `POST /…/:provider` webhook deliveries. Wrap with `toNodeHandler` for Node. */
  readonly webhooks: WebHandler
  /** Programmatic ingest of one delivery (the handler calls this). */
  ingest(provider: string, request: RawWebhookRequest): Promise<IngestResult>
  /** A worker executing due items. */
  worker(options?: WorkerOptions): Worker
  connections: {
    create(input: ConnectInput): Promise<Connection>
    get(scope: Scope, id: string): Promise<Connection | null>
    list(scope: Scope): Promise<Connection[]>
    /**
     * Change a connection's status. Setting it to `active` also re-queues the connection's
     * `blocked` items (work held while it was paused, pending or in error), so nothing held is lost.
     */
    setStatus(
      scope: Scope,
      id: string,
      status: Connection['status'],
      reason?: string | null,
    ): Promise<Connection>
    setPolicy(scope: Scope, id: string, policy: Partial<ConnectionPolicy>): Promise<Connection>
    /** Decrypted credentials (for auth flows). Never log them. */
    credentials(scope: Scope, id: string): Promise<Json | null>
    setCredentials(scope: Scope, id: string, credentials: Json): Promise<Connection>
  }
  /** Start a run with work items on one connection (imports, manual syncs). */
  enqueue(
    scope: Scope,
    connectionId: string,
    kind: SyncRun['kind'],
    work: WorkItemSpec[],
    trigger?: string,
  ): Promise<{ run: SyncRun; items: SyncItem[] }>
  replay: {
    item(scope: Scope, itemId: string): Promise<SyncItem[]>
    run(scope: Scope, runId: string): Promise<SyncItem[]>
    deadItems(scope: Scope, connectionId: string): Promise<SyncItem[]>
  }
  catalog: {
    /** The marketplace approved a submission: repair mappings, start inventory sync. */
    approve(scope: Scope, approval: Approval): Promise<EntityMapping[]>
    conflicts(
      scope: Scope,
      filter?: { status?: CatalogConflict['status']; connectionId?: string },
    ): Promise<CatalogConflict[]>
    resolveConflict(
      scope: Scope,
      conflictId: string,
      decision: 'accepted' | 'rejected',
    ): Promise<CatalogConflict>
  }
  inventory: {
    /**
     * The marketplace quantity of an inventory item changed (an order, a manual edit): reconcile
     * every connection mapped to it. `eventId` makes repeated notifications of one change a no-op.
     */
    marketplaceChanged(scope: Scope, inventoryItemId: string, eventId: string): Promise<SyncItem[]>
    /** Reconcile every linked inventory item of a connection (the periodic sweep). */
    reconcileConnection(scope: Scope, connectionId: string, sweepId: string): Promise<SyncItem[]>
  }
  /**
   * Housekeeping: dead-letter items whose worker crashed on their final attempt; with a scope,
   * also re-plan that seller's webhook events that were stored but never planned.
   */
  sweep(scope?: Scope): Promise<{ reaped: number; replanned: number }>
  close(): Promise<void>
}

/**
 * Wire a store, providers, a marketplace and a keyring into a hub. Validates the wiring up front:
 * duplicate or unsupported providers and unsupported store/marketplace contracts are refused
 * with a message naming both versions.
 */
export function createHub(config: HubConfig): Hub {
  if (!config?.store || !config.marketplace || !config.keyring || !config.providers) {
    throw new ConfigError('createHub needs { store, providers, marketplace, keyring }')
  }
  if (config.store.specificationVersion !== HUB_STORE_SPEC_VERSION) {
    throw new ConfigError(
      `store "${config.store.name}" implements HubStore "${String(config.store.specificationVersion)}", this @hub/core supports "${HUB_STORE_SPEC_VERSION}"`,
    )
  }
  if (config.marketplace.specificationVersion !== MARKETPLACE_SPEC_VERSION) {
    throw new ConfigError(
      `marketplace implements MarketplacePort "${String(config.marketplace.specificationVersion)}", this @hub/core supports "${MARKETPLACE_SPEC_VERSION}"`,
    )
  }
  const registry = createRegistry(config.providers)
  const secretKeys = config.providers.flatMap((p) => p.secretKeys ?? [])
  const baseRedactor = createRedactor({ secretKeys })
  const deps: EngineDeps = {
    store: config.store,
    registry,
    marketplace: config.marketplace,
    keyring: config.keyring,
    logger: redactingLogger(config.logger ?? silentLogger, baseRedactor),
    clock: config.clock ?? systemClock,
    retry: { maxAttempts: 8, ...config.retry },
    redactorFor: (secretValues) =>
      secretValues.length === 0
        ? baseRedactor
        : createRedactor({ secretKeys, secretValues: () => secretValues }),
  }
  const coreOperations: Record<string, CoreOperation> = {
    'inventory.reconcile': reconcileInventory,
    'catalog.submit': submitProduct,
    'catalog.change': changeProduct,
  }
  const ingest = (provider: string, request: RawWebhookRequest) => ingestWebhook(deps, provider, request)
  const store = config.store

  const requireConnection = async (scope: Scope, id: string) => {
    const connection = await store.getConnection(scope, id)
    if (!connection) throw new NotFoundError('connection', id)
    return connection
  }

  const replay = (scope: Scope, selector: ReplaySelector) => store.replay(scope, selector, deps.clock.now())

  return {
    store,
    registry,
    webhooks: createWebhookHandler(ingest, deps.logger),
    ingest,
    worker: (options) => createWorker(deps, coreOperations, options),
    connections: {
      async create(input) {
        const adapter = registry.get(input.provider)
        if (!adapter) throw new ConfigError(`provider "${input.provider}" is not registered`)
        const connection = await store.createConnection({
          sellerId: input.sellerId,
          provider: input.provider,
          externalAccountId: adapter.normalizeAccountId?.(input.externalAccountId) ?? input.externalAccountId,
          status: input.status ?? 'active',
          ...(input.policy ? { policy: input.policy } : {}),
          ...(input.settings ? { settings: input.settings } : {}),
        })
        if (input.credentials == null) return connection
        return store.updateConnection({ sellerId: input.sellerId }, connection.id, {
          credentials: deps.keyring.encrypt(input.credentials, connection.id),
        })
      },
      get: (scope, id) => store.getConnection(scope, id),
      list: (scope) => store.listConnections(scope),
      async setStatus(scope, id, status, reason = null) {
        const connection = await store.updateConnection(scope, id, { status, statusReason: reason })
        if (status === 'active') {
          await store.replay(scope, { connectionId: id, statuses: ['blocked'] }, deps.clock.now())
        }
        return connection
      },
      setPolicy: (scope, id, policy) => store.updateConnection(scope, id, { policy }),
      async credentials(scope, id) {
        const connection = await requireConnection(scope, id)
        return connection.credentials ? deps.keyring.decrypt(connection.credentials, connection.id) : null
      },
      setCredentials: (scope, id, credentials) =>
        store.updateConnection(scope, id, { credentials: deps.keyring.encrypt(credentials, id) }),
    },
    async enqueue(scope, connectionId, kind, work, trigger) {
      const connection = await requireConnection(scope, connectionId)
      const run = await store.createRun({
        sellerId: scope.sellerId,
        connectionId,
        kind,
        trigger: trigger ?? null,
      })
      const rows = await resolveInventoryKeys(
        deps,
        connection,
        toNewItems(deps, { runId: run.id, connection }, work),
      )
      const { items } = await store.enqueueItems(rows)
      return { run, items }
    },
    replay: {
      item: (scope, itemId) => replay(scope, { itemId }),
      run: (scope, runId) => replay(scope, { runId }),
      deadItems: (scope, connectionId) => replay(scope, { connectionId, statuses: ['dead'] }),
    },
    catalog: {
      approve: (scope, approval) => approveSubmission(deps, scope, approval),
      conflicts: (scope, filter) => store.listConflicts(scope, filter),
      resolveConflict: (scope, id, decision) => resolveConflict(deps, scope, id, decision),
    },
    inventory: {
      marketplaceChanged: (scope, inventoryItemId, eventId) =>
        enqueueReconciles(deps, {
          sellerId: scope.sellerId,
          inventoryItemId,
          cause: `mp:${eventId}`,
          kind: 'marketplace',
        }),
      async reconcileConnection(scope, connectionId, sweepId) {
        const connection = await requireConnection(scope, connectionId)
        const mappings = await store.findMappings(scope, {
          connectionId,
          entityType: 'inventory_item',
          status: 'linked',
        })
        const work: WorkItemSpec[] = mappings.map((m) => ({
          operation: 'inventory.reconcile',
          idempotencyKey: `reconcile:sweep:${sweepId}:${connectionId}:${m.externalId}`,
          entityType: 'inventory_item',
          externalId: m.externalId,
          internalId: m.internalId,
        }))
        if (work.length === 0) return []
        const run = await store.createRun({
          sellerId: scope.sellerId,
          connectionId: connection.id,
          kind: 'reconcile',
          trigger: sweepId,
        })
        return (await store.enqueueItems(toNewItems(deps, { runId: run.id, connection }, work))).items
      },
    },
    async sweep(scope) {
      const reaped = await store.reapExpiredLeases(deps.clock.now())
      const replanned = scope ? await sweepStuckEvents(deps, scope) : 0
      return { reaped, replanned }
    },
    close: () => store.close(),
  }
}
