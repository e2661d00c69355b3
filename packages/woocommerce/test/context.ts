import type { Connection, ExecutionContext, Json, SyncItem, WorkItemSpec } from '@hub/core'
import { silentLogger, systemClock } from '@hub/core'

/** Everything a test context records. */
export interface ContextLog {
  events: string[]
  plans: Json[]
  excerpts: Json[]
  enqueued: WorkItemSpec[]
  checkpoints: Map<string, { cursor: string | null; watermark: Date | null }>
  mappings: Map<string, { internalId: string | null }>
}

/** A minimal execution context for adapter unit tests (the contract suite runs the real engine). */
export function testContext(input: {
  payload?: Json
  diagnosticPayload?: Json | null
  credentials?: Json
  externalAccountId?: string
  settings?: Record<string, Json>
  itemId?: string
  log?: ContextLog
}): { ctx: ExecutionContext; log: ContextLog } {
  const log: ContextLog = input.log ?? {
    events: [],
    plans: [],
    excerpts: [],
    enqueued: [],
    checkpoints: new Map(),
    mappings: new Map(),
  }
  const now = new Date()
  const item: SyncItem = {
    id: input.itemId ?? 'item-1',
    runId: 'run-1',
    connectionId: 'conn-1',
    sellerId: 'seller-1',
    provider: 'woocommerce',
    operation: 'test',
    idempotencyKey: 'k',
    entityType: 'inventory_item',
    externalId: null,
    internalId: null,
    serialKey: null,
    sourceHash: null,
    targetHash: null,
    payload: input.payload ?? null,
    diagnosticPayload: input.diagnosticPayload ?? null,
    result: null,
    status: 'running',
    attempt: 1,
    maxAttempts: 5,
    nextAttemptAt: now,
    leaseOwner: 'w',
    leaseExpiresAt: now,
    lastError: null,
    createdAt: now,
    updatedAt: now,
  }
  const connection: Connection = {
    id: 'conn-1',
    sellerId: 'seller-1',
    provider: 'woocommerce',
    externalAccountId: input.externalAccountId ?? 'https://127.0.0.1:8443/',
    status: 'active',
    statusReason: null,
    policy: { inboundCatalog: true, inboundInventory: true, outboundInventory: true },
    credentials: null,
    settings: input.settings ?? {},
    createdAt: now,
    updatedAt: now,
  }
  const unsupported = () => {
    throw new Error('not used in this test')
  }
  const ctx: ExecutionContext = {
    item,
    connection,
    credentials: input.credentials ?? {
      consumerKey: `ck_${'x'.repeat(40)}`,
      consumerSecret: `cs_${'x'.repeat(40)}`,
      webhookSecret: 'whsec',
    },
    saveCredentials: unsupported,
    setConnectionStatus: unsupported,
    async savePlan(plan) {
      log.events.push('savePlan')
      log.plans.push(plan)
      item.diagnosticPayload = plan
    },
    recordExcerpt(excerpt) {
      log.excerpts.push(excerpt)
    },
    async enqueue(work) {
      log.enqueued.push(...work)
      return []
    },
    mappings: {
      async get(entityType, externalId) {
        const hit = log.mappings.get(`${entityType}:${externalId}`)
        if (!hit) return null
        return {
          id: `m-${externalId}`,
          connectionId: 'conn-1',
          sellerId: 'seller-1',
          entityType,
          externalId,
          internalId: hit.internalId,
          pendingRef: null,
          status: hit.internalId ? 'linked' : 'pending',
          baseline: null,
          sourceHash: null,
          data: {},
          version: 1,
          updatedAt: now,
        }
      },
      upsert: unsupported,
      update: unsupported,
      findByInternalId: unsupported,
    },
    checkpoints: {
      async get(stream) {
        return log.checkpoints.get(stream) ?? null
      },
      async save(stream, cursor, watermark) {
        log.events.push(`checkpoint:${stream}:${cursor}`)
        log.checkpoints.set(stream, { cursor, watermark })
      },
    },
    marketplace: {
      specificationVersion: 'v1',
      submitProduct: unsupported,
      getInventory: unsupported,
      adjustInventory: unsupported,
    },
    logger: silentLogger,
    clock: systemClock,
    signal: new AbortController().signal,
  }
  return { ctx, log }
}
