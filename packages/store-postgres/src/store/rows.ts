import type {
  CatalogConflict,
  Checkpoint,
  Connection,
  ConnectionPolicy,
  EncryptedSecret,
  EntityMapping,
  FieldDiff,
  ItemError,
  Json,
  SyncAttempt,
  SyncItem,
  WebhookEvent,
} from '@hub/core'

/** A row as the drivers return it: column name → value (timestamps as `Date`, jsonb parsed). */
export type Row = Record<string, unknown>

const str = (v: unknown): string => v as string
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v))
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(v as string))
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v))
const json = (v: unknown): Json => (v === undefined ? null : (v as Json))

/** jsonb parameters are sent as text and cast in SQL, so arrays are never mistaken for PG arrays. */
export function toJson(value: unknown): string | null {
  return value === undefined || value === null ? null : JSON.stringify(value)
}

/** Like {@link toJson} but a JSON `null` stays a JSON value (for NOT NULL jsonb columns). */
export function toJsonValue(value: unknown): string {
  return JSON.stringify(value ?? null)
}

export function toConnection(r: Row): Connection {
  return {
    id: str(r.id),
    sellerId: str(r.seller_id),
    provider: str(r.provider),
    externalAccountId: str(r.external_account_id),
    status: r.status as Connection['status'],
    statusReason: strOrNull(r.status_reason),
    policy: r.policy as ConnectionPolicy,
    credentials: (r.credentials ?? null) as EncryptedSecret | null,
    settings: (r.settings ?? {}) as Record<string, Json>,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  }
}

export function toWebhookEvent(r: Row): WebhookEvent {
  return {
    id: str(r.id),
    provider: str(r.provider),
    providerEventId: str(r.provider_event_id),
    connectionId: str(r.connection_id),
    sellerId: str(r.seller_id),
    topic: str(r.topic),
    occurredAt: dateOrNull(r.occurred_at),
    receivedAt: date(r.received_at),
    headers: (r.headers ?? {}) as Record<string, string>,
    payload: json(r.payload),
    status: r.status as WebhookEvent['status'],
    runId: strOrNull(r.run_id),
    error: strOrNull(r.error),
  }
}

export function toItem(r: Row): SyncItem {
  return {
    id: str(r.id),
    runId: str(r.run_id),
    connectionId: str(r.connection_id),
    sellerId: str(r.seller_id),
    provider: str(r.provider),
    operation: str(r.operation),
    idempotencyKey: str(r.idempotency_key),
    entityType: str(r.entity_type),
    externalId: strOrNull(r.external_id),
    internalId: strOrNull(r.internal_id),
    serialKey: strOrNull(r.serial_key),
    sourceHash: strOrNull(r.source_hash),
    targetHash: strOrNull(r.target_hash),
    payload: json(r.payload),
    diagnosticPayload: r.diagnostic_payload === null ? null : json(r.diagnostic_payload),
    result: r.result === null ? null : json(r.result),
    status: r.status as SyncItem['status'],
    attempt: Number(r.attempt),
    maxAttempts: Number(r.max_attempts),
    nextAttemptAt: date(r.next_attempt_at),
    leaseOwner: strOrNull(r.lease_owner),
    leaseExpiresAt: dateOrNull(r.lease_expires_at),
    lastError: (r.last_error ?? null) as ItemError | null,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  }
}

export function toAttempt(r: Row): SyncAttempt {
  return {
    id: String(r.id),
    itemId: str(r.item_id),
    sellerId: str(r.seller_id),
    attempt: Number(r.attempt),
    workerId: strOrNull(r.worker_id),
    startedAt: date(r.started_at),
    finishedAt: date(r.finished_at),
    outcome: r.outcome as SyncAttempt['outcome'],
    error: (r.error ?? null) as ItemError | null,
    excerpt: r.excerpt === null || r.excerpt === undefined ? null : json(r.excerpt),
  }
}

export function toMapping(r: Row): EntityMapping {
  return {
    id: str(r.id),
    connectionId: str(r.connection_id),
    sellerId: str(r.seller_id),
    entityType: str(r.entity_type),
    externalId: str(r.external_id),
    internalId: strOrNull(r.internal_id),
    pendingRef: strOrNull(r.pending_ref),
    status: r.status as EntityMapping['status'],
    baseline: r.baseline === null || r.baseline === undefined ? null : Number(r.baseline),
    sourceHash: strOrNull(r.source_hash),
    data: (r.data ?? {}) as Record<string, Json>,
    version: Number(r.version),
    updatedAt: date(r.updated_at),
  }
}

export function toConflict(r: Row): CatalogConflict {
  return {
    id: str(r.id),
    sellerId: str(r.seller_id),
    connectionId: str(r.connection_id),
    mappingId: str(r.mapping_id),
    entityType: str(r.entity_type),
    externalId: str(r.external_id),
    internalId: strOrNull(r.internal_id),
    diffs: (r.diffs ?? []) as FieldDiff[],
    sourceHash: str(r.source_hash),
    targetHash: strOrNull(r.target_hash),
    status: r.status as CatalogConflict['status'],
    createdAt: date(r.created_at),
    resolvedAt: dateOrNull(r.resolved_at),
  }
}

export function toCheckpoint(r: Row): Checkpoint {
  return {
    connectionId: str(r.connection_id),
    sellerId: str(r.seller_id),
    stream: str(r.stream),
    cursor: strOrNull(r.cursor),
    watermark: dateOrNull(r.watermark),
    updatedAt: date(r.updated_at),
  }
}
