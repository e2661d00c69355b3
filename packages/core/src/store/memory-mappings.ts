import { randomUUID } from 'node:crypto'
import type { CatalogConflict, Checkpoint, ConflictStatus, EntityMapping, Scope } from '../domain/schemas.js'
import { mappingStatusSchema } from '../domain/schemas.js'
import { NotFoundError } from '../errors.js'
import type {
  CheckpointInput,
  MappingFilter,
  MappingInput,
  MappingPatch,
  NewConflict,
} from '../ports/store.js'
import { validDate } from './memory-queue.js'
import { copy, invalid, key, type MemoryState, publicCopy, sellerOf } from './memory-state.js'

/** The connection, if the scope's seller owns it; otherwise a NotFoundError (never a cross-tenant write). */
export function ownedConnection(state: MemoryState, sellerId: string, connectionId: string) {
  const connection = state.connections.get(connectionId)
  if (!connection || connection.sellerId !== sellerId) throw new NotFoundError('connection', connectionId)
  return connection
}

function applyMappingPatch(mapping: EntityMapping, patch: MappingPatch, now: Date): void {
  if (patch.status !== undefined && !mappingStatusSchema.safeParse(patch.status).success) {
    invalid(`unknown mapping status "${String(patch.status)}"`)
  }
  if (patch.internalId !== undefined) mapping.internalId = patch.internalId
  if (patch.pendingRef !== undefined) mapping.pendingRef = patch.pendingRef
  if (patch.status !== undefined) mapping.status = patch.status
  if (patch.baseline !== undefined) mapping.baseline = patch.baseline
  if (patch.sourceHash !== undefined) mapping.sourceHash = patch.sourceHash
  if (patch.data !== undefined) mapping.data = copy(patch.data)
  mapping.version += 1
  mapping.updatedAt = now
}

/** @see HubStore.upsertMapping */
export function upsertMapping(
  state: MemoryState,
  now: Date,
  scope: Scope,
  input: MappingInput,
): EntityMapping {
  const sellerId = sellerOf(scope)
  for (const field of ['connectionId', 'entityType', 'externalId'] as const) {
    if (typeof input?.[field] !== 'string' || input[field].length === 0)
      invalid(`mapping ${field} must be a non-empty string`)
  }
  ownedConnection(state, sellerId, input.connectionId)
  const mappingKey = key(input.connectionId, input.entityType, input.externalId)
  const existingId = state.mappingKeys.get(mappingKey)
  const existing = existingId ? state.mappings.get(existingId) : undefined
  if (existing) {
    const { connectionId: _c, entityType: _e, externalId: _x, ...patch } = input
    applyMappingPatch(existing, patch, now)
    return copy(existing)
  }
  if (input.status !== undefined && !mappingStatusSchema.safeParse(input.status).success) {
    invalid(`unknown mapping status "${String(input.status)}"`)
  }
  const internalId = input.internalId ?? null
  const mapping: EntityMapping = {
    id: randomUUID(),
    connectionId: input.connectionId,
    sellerId,
    entityType: input.entityType,
    externalId: input.externalId,
    internalId,
    pendingRef: input.pendingRef ?? null,
    status: input.status ?? (internalId ? 'linked' : 'pending'),
    baseline: input.baseline ?? null,
    sourceHash: input.sourceHash ?? null,
    data: copy(input.data ?? {}),
    version: 1,
    updatedAt: now,
  }
  state.mappings.set(mapping.id, mapping)
  state.mappingKeys.set(mappingKey, mapping.id)
  return copy(mapping)
}

/** @see HubStore.getMapping */
export function getMapping(
  state: MemoryState,
  scope: Scope,
  k: { connectionId: string; entityType: string; externalId: string },
): EntityMapping | null {
  const sellerId = sellerOf(scope)
  const id = state.mappingKeys.get(key(k.connectionId, k.entityType, k.externalId))
  const mapping = id ? state.mappings.get(id) : undefined
  return mapping && mapping.sellerId === sellerId ? copy(mapping) : null
}

/** @see HubStore.findMappings */
export function findMappings(state: MemoryState, scope: Scope, filter: MappingFilter = {}): EntityMapping[] {
  const sellerId = sellerOf(scope)
  const found: EntityMapping[] = []
  for (const m of state.mappings.values()) {
    if (filter.limit !== undefined && found.length >= filter.limit) break
    if (m.sellerId !== sellerId) continue
    if (filter.connectionId !== undefined && m.connectionId !== filter.connectionId) continue
    if (filter.entityType !== undefined && m.entityType !== filter.entityType) continue
    if (filter.externalId !== undefined && m.externalId !== filter.externalId) continue
    if (filter.internalId !== undefined && m.internalId !== filter.internalId) continue
    if (filter.pendingRef !== undefined && m.pendingRef !== filter.pendingRef) continue
    if (filter.status !== undefined && m.status !== filter.status) continue
    found.push(copy(m))
  }
  return found
}

/** @see HubStore.updateMapping */
export function updateMapping(
  state: MemoryState,
  now: Date,
  scope: Scope,
  id: string,
  patch: MappingPatch,
  expectedVersion?: number,
): EntityMapping | null {
  const sellerId = sellerOf(scope)
  const mapping = state.mappings.get(id)
  if (!mapping || mapping.sellerId !== sellerId) throw new NotFoundError('mapping', id)
  if (expectedVersion !== undefined && mapping.version !== expectedVersion) return null
  applyMappingPatch(mapping, patch ?? {}, now)
  return copy(mapping)
}

/** @see HubStore.createConflict */
export function createConflict(
  state: MemoryState,
  now: Date,
  scope: Scope,
  input: NewConflict,
): { conflict: CatalogConflict; created: boolean } {
  const sellerId = sellerOf(scope)
  const mapping = state.mappings.get(input?.mappingId)
  if (!mapping || mapping.sellerId !== sellerId) throw new NotFoundError('mapping', String(input?.mappingId))
  if (input.connectionId !== mapping.connectionId) throw new NotFoundError('connection', input.connectionId)
  if (typeof input.sourceHash !== 'string' || input.sourceHash.length === 0) {
    invalid('conflict sourceHash must be a non-empty string')
  }
  const openKey = key(input.mappingId, input.sourceHash)
  const openId = state.openConflicts.get(openKey)
  const open = openId ? state.conflicts.get(openId) : undefined
  if (open) return { conflict: publicCopy(open), created: false }
  const conflict = {
    id: randomUUID(),
    sellerId,
    connectionId: input.connectionId,
    mappingId: input.mappingId,
    entityType: input.entityType,
    externalId: input.externalId,
    internalId: input.internalId ?? null,
    diffs: copy(input.diffs ?? []),
    sourceHash: input.sourceHash,
    targetHash: input.targetHash ?? null,
    status: 'open' as const,
    createdAt: now,
    resolvedAt: null,
    seq: ++state.seq,
  }
  state.conflicts.set(conflict.id, conflict)
  state.openConflicts.set(openKey, conflict.id)
  return { conflict: publicCopy(conflict), created: true }
}

/** @see HubStore.getConflict */
export function getConflict(state: MemoryState, scope: Scope, id: string): CatalogConflict | null {
  const sellerId = sellerOf(scope)
  const conflict = state.conflicts.get(id)
  return conflict && conflict.sellerId === sellerId ? publicCopy(conflict) : null
}

/** @see HubStore.listConflicts. Oldest first. */
export function listConflicts(
  state: MemoryState,
  scope: Scope,
  filter: { connectionId?: string; status?: ConflictStatus; limit?: number } = {},
): CatalogConflict[] {
  const sellerId = sellerOf(scope)
  const found = [...state.conflicts.values()]
    .filter(
      (c) =>
        c.sellerId === sellerId &&
        (filter.connectionId === undefined || c.connectionId === filter.connectionId) &&
        (filter.status === undefined || c.status === filter.status),
    )
    .sort((a, b) => a.seq - b.seq)
  return (filter.limit === undefined ? found : found.slice(0, Math.max(0, filter.limit))).map(publicCopy)
}

/** @see HubStore.resolveConflict */
export function resolveConflict(
  state: MemoryState,
  scope: Scope,
  id: string,
  status: 'accepted' | 'rejected',
  now: Date,
): CatalogConflict | null {
  const sellerId = sellerOf(scope)
  if (status !== 'accepted' && status !== 'rejected')
    invalid('a conflict resolves to "accepted" or "rejected"')
  const t = validDate(now, 'resolveConflict now')
  const conflict = state.conflicts.get(id)
  if (!conflict || conflict.sellerId !== sellerId || conflict.status !== 'open') return null
  conflict.status = status
  conflict.resolvedAt = new Date(t)
  state.openConflicts.delete(key(conflict.mappingId, conflict.sourceHash))
  return publicCopy(conflict)
}

/** @see HubStore.getCheckpoint */
export function getCheckpoint(
  state: MemoryState,
  scope: Scope,
  connectionId: string,
  stream: string,
): Checkpoint | null {
  const sellerId = sellerOf(scope)
  const checkpoint = state.checkpoints.get(key(connectionId, stream))
  return checkpoint && checkpoint.sellerId === sellerId ? copy(checkpoint) : null
}

/** @see HubStore.saveCheckpoint */
export function saveCheckpoint(
  state: MemoryState,
  now: Date,
  scope: Scope,
  input: CheckpointInput,
): Checkpoint {
  const sellerId = sellerOf(scope)
  ownedConnection(state, sellerId, input?.connectionId)
  if (typeof input.stream !== 'string' || input.stream.length === 0)
    invalid('checkpoint stream must be a non-empty string')
  if (input.watermark !== null && input.watermark !== undefined)
    validDate(input.watermark, 'checkpoint watermark')
  const checkpoint: Checkpoint = {
    connectionId: input.connectionId,
    sellerId,
    stream: input.stream,
    cursor: input.cursor ?? null,
    watermark: input.watermark ? new Date(input.watermark) : null,
    updatedAt: now,
  }
  state.checkpoints.set(key(input.connectionId, input.stream), checkpoint)
  return copy(checkpoint)
}
