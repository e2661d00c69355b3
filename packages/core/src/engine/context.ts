import type { Json } from '../domain/json.js'
import type { Connection, SyncItem } from '../domain/schemas.js'
import { RetryableError } from '../errors.js'
import type { ExecutionContext, WorkItemSpec } from '../ports/provider.js'
import type { NewSyncItem } from '../ports/store.js'
import { redactingLogger } from '../security/redact.js'
import type { EngineDeps } from './deps.js'
import { inventorySerialKey } from './serial-key.js'

/** Turn adapter work specs into store rows of one run. */
export function toNewItems(
  deps: EngineDeps,
  base: { runId: string; connection: Connection },
  work: readonly WorkItemSpec[],
): NewSyncItem[] {
  return work.map((spec) => ({
    runId: base.runId,
    connectionId: base.connection.id,
    sellerId: base.connection.sellerId,
    provider: base.connection.provider,
    operation: spec.operation,
    idempotencyKey: spec.idempotencyKey,
    entityType: spec.entityType,
    externalId: spec.externalId ?? null,
    internalId: spec.internalId ?? null,
    serialKey:
      spec.serialKey ??
      (spec.entityType === 'inventory_item' && spec.externalId
        ? inventorySerialKey(
            base.connection.sellerId,
            spec.internalId ?? null,
            base.connection.id,
            spec.externalId,
          )
        : null),
    sourceHash: spec.sourceHash ?? null,
    payload: spec.payload ?? null,
    maxAttempts: spec.maxAttempts ?? deps.retry.maxAttempts,
    nextAttemptAt: spec.notBefore ?? deps.clock.now(),
  }))
}

/**
 * Inventory items must share one serial key per marketplace item. At enqueue time only the
 * external id is known, so look the mapping up (one indexed read) and fill in the internal id.
 */
export async function resolveInventoryKeys(deps: EngineDeps, connection: Connection, items: NewSyncItem[]) {
  const scope = { sellerId: connection.sellerId }
  for (const item of items) {
    if (item.entityType !== 'inventory_item' || !item.externalId || item.internalId) continue
    const mapping = await deps.store.getMapping(scope, {
      connectionId: connection.id,
      entityType: 'inventory_item',
      externalId: item.externalId,
    })
    if (mapping?.internalId) {
      item.internalId = mapping.internalId
      item.serialKey = inventorySerialKey(
        connection.sellerId,
        mapping.internalId,
        connection.id,
        item.externalId,
      )
    }
  }
  return items
}

/** Options of {@link buildContext}. */
export interface ContextInput {
  item: SyncItem
  connection: Connection
  credentials: Json | null
  workerId: string
  signal: AbortSignal
  excerpts: Json[]
  /** Decrypted secret values: the item's logger hides them too. */
  secrets: readonly string[]
}

/** The context an operation handler gets for one claimed item. */
export function buildContext(deps: EngineDeps, input: ContextInput): ExecutionContext {
  const { item, workerId } = input
  const scope = { sellerId: item.sellerId }
  const connectionId = item.connectionId
  let connection = input.connection
  const base = deps.logger.child?.({ itemId: item.id, operation: item.operation }) ?? deps.logger
  const logger = input.secrets.length ? redactingLogger(base, deps.redactorFor(input.secrets)) : base

  return {
    item,
    get connection() {
      return connection
    },
    credentials: input.credentials,
    async saveCredentials(next) {
      const encrypted = deps.keyring.encrypt(next, connectionId)
      connection = await deps.store.updateConnection(scope, connectionId, { credentials: encrypted })
    },
    async setConnectionStatus(status, reason) {
      connection = await deps.store.updateConnection(scope, connectionId, { status, statusReason: reason })
    },
    async savePlan(plan) {
      const saved = await deps.store.saveDiagnostic(item.id, workerId, plan)
      if (!saved) throw new LeaseLostError(item.id)
      item.diagnosticPayload = plan
    },
    recordExcerpt(excerpt) {
      input.excerpts.push(excerpt)
    },
    async enqueue(work) {
      const rows = await resolveInventoryKeys(
        deps,
        connection,
        toNewItems(deps, { runId: item.runId, connection }, work),
      )
      return (await deps.store.enqueueItems(rows)).items
    },
    mappings: {
      get: (entityType, externalId) => deps.store.getMapping(scope, { connectionId, entityType, externalId }),
      upsert: (mapping) => deps.store.upsertMapping(scope, { ...mapping, connectionId }),
      update: (id, patch, expectedVersion) => deps.store.updateMapping(scope, id, patch, expectedVersion),
      findByInternalId: (entityType, internalId) =>
        deps.store.findMappings(scope, { connectionId, entityType, internalId }),
    },
    checkpoints: {
      async get(stream) {
        const cp = await deps.store.getCheckpoint(scope, connectionId, stream)
        return cp ? { cursor: cp.cursor, watermark: cp.watermark } : null
      },
      async save(stream, cursor, watermark) {
        await deps.store.saveCheckpoint(scope, { connectionId, stream, cursor, watermark })
      },
    },
    marketplace: deps.marketplace,
    logger,
    clock: deps.clock,
    signal: input.signal,
  }
}

/** The worker no longer holds the item's lease: stop, someone else owns it now. */
export class LeaseLostError extends RetryableError {
  constructor(itemId: string) {
    super('LEASE_LOST', `lease of item ${itemId} was lost`)
  }
}
