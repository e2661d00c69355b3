import { randomUUID } from 'node:crypto'
import type { ItemError, ItemStatus, Scope, SyncAttempt, SyncItem } from '../domain/schemas.js'
import { itemStatusSchema } from '../domain/schemas.js'
import { NotFoundError } from '../errors.js'
import type {
  ClaimRequest,
  EnqueueResult,
  FinishRequest,
  ItemFilter,
  NewAttempt,
  NewSyncItem,
  ReplaySelector,
} from '../ports/store.js'
import { copy, type ItemRow, invalid, key, type MemoryState, sellerOf } from './memory-state.js'

/** What the queue functions need besides the state. */
export interface QueueContext {
  now(): Date
  /** Tell `onWake` listeners that work may be due. */
  wake(): void
}

/** Default `maxAttempts` of an item that sets none. */
export const DEFAULT_MAX_ATTEMPTS = 8
const REPLAY_DEFAULT_STATUSES: readonly ItemStatus[] = ['dead', 'failed', 'blocked', 'skipped']
const FINISHED_OUTCOMES = new Set(['succeeded', 'failed', 'dead', 'skipped', 'blocked', 'released'])

// Every function below is synchronous on purpose: with no `await` between reading and writing,
// each store call is atomic with respect to every other async caller in this process.

/** @see HubStore.enqueueItems */
export function enqueueItems(state: MemoryState, ctx: QueueContext, inputs: NewSyncItem[]): EnqueueResult {
  if (!Array.isArray(inputs)) invalid('enqueueItems needs an array of items')
  for (const input of inputs) validateNewItem(state, input)
  const now = ctx.now()
  const items: SyncItem[] = []
  let created = 0
  for (const input of inputs) {
    const idemKey = key(input.connectionId, input.idempotencyKey)
    const existingId = state.itemKeys.get(idemKey)
    const existing = existingId ? state.items.get(existingId) : undefined
    if (existing) {
      items.push(copy(existing.item))
      continue
    }
    const item: SyncItem = {
      id: randomUUID(),
      runId: input.runId,
      connectionId: input.connectionId,
      sellerId: input.sellerId,
      provider: input.provider,
      operation: input.operation,
      idempotencyKey: input.idempotencyKey,
      entityType: input.entityType,
      externalId: input.externalId ?? null,
      internalId: input.internalId ?? null,
      serialKey: input.serialKey ?? null,
      sourceHash: input.sourceHash ?? null,
      targetHash: input.targetHash ?? null,
      payload: copy(input.payload ?? {}),
      diagnosticPayload: null,
      result: null,
      status: 'pending',
      attempt: 0,
      maxAttempts: input.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      nextAttemptAt: new Date(input.nextAttemptAt ?? now),
      leaseOwner: null,
      leaseExpiresAt: null,
      lastError: null,
      createdAt: now,
      updatedAt: now,
    }
    state.items.set(item.id, { item, seq: ++state.seq, claimedAt: null })
    state.itemKeys.set(idemKey, item.id)
    state.active.add(item.id)
    const runItems = state.runItems.get(item.runId) ?? new Set<string>()
    state.runItems.set(item.runId, runItems.add(item.id))
    items.push(copy(item))
    created++
  }
  if (created > 0) ctx.wake()
  return { items, created }
}

function validateNewItem(state: MemoryState, input: NewSyncItem): void {
  if (input === null || typeof input !== 'object') invalid('an item to enqueue must be an object')
  for (const field of [
    'runId',
    'connectionId',
    'sellerId',
    'provider',
    'operation',
    'idempotencyKey',
    'entityType',
  ]) {
    const value: unknown = (input as unknown as Record<string, unknown>)[field]
    if (typeof value !== 'string' || value.length === 0)
      invalid(`item field "${field}" must be a non-empty string`)
  }
  if (input.maxAttempts !== undefined && !(Number.isInteger(input.maxAttempts) && input.maxAttempts >= 1)) {
    invalid('item maxAttempts must be a positive integer')
  }
  if (input.nextAttemptAt !== undefined) validDate(input.nextAttemptAt, 'item nextAttemptAt')
  const run = state.runs.get(input.runId)
  if (!run || run.sellerId !== input.sellerId) throw new NotFoundError('run', input.runId)
  const connection = state.connections.get(input.connectionId)
  if (!connection || connection.sellerId !== input.sellerId)
    throw new NotFoundError('connection', input.connectionId)
}

/** A valid Date's epoch ms, or a typed error. */
export function validDate(value: unknown, what: string): number {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) invalid(`${what} must be a valid Date`)
  return value.getTime()
}

function leaseExpiredError(owner: string | null): ItemError {
  return {
    code: 'LEASE_EXPIRED',
    message: `the lease of worker ${owner ?? 'unknown'} expired before the attempt finished`,
    retryable: true,
  }
}

function addAttempt(state: MemoryState, item: SyncItem, workerId: string | null, input: NewAttempt): void {
  const row: SyncAttempt = {
    id: randomUUID(),
    itemId: item.id,
    sellerId: item.sellerId,
    attempt: item.attempt,
    workerId,
    startedAt: new Date(input.startedAt),
    finishedAt: new Date(input.finishedAt),
    outcome: input.outcome,
    error: input.error ? copy(input.error) : null,
    excerpt: input.excerpt === undefined ? null : copy(input.excerpt),
  }
  const list = state.attempts.get(item.id) ?? []
  list.push(row)
  state.attempts.set(item.id, list)
}

/** Record that a crashed worker's attempt ended by lease expiry. */
function recordLeaseExpiry(state: MemoryState, row: ItemRow, now: Date): ItemError {
  const error = leaseExpiredError(row.item.leaseOwner)
  addAttempt(state, row.item, row.item.leaseOwner, {
    startedAt: row.claimedAt ?? row.item.updatedAt,
    finishedAt: now,
    outcome: 'lease_expired',
    error,
    excerpt: null,
  })
  return error
}

/** Serial keys held by running items under a live lease, with the latest expiry of each. */
function liveSerialKeys(state: MemoryState, t: number): Map<string, number> {
  const keys = new Map<string, number>()
  for (const id of state.active) {
    const item = state.items.get(id)!.item
    if (item.status !== 'running' || item.serialKey === null) continue
    const expires = item.leaseExpiresAt?.getTime() ?? 0
    if (expires > t) keys.set(item.serialKey, Math.max(expires, keys.get(item.serialKey) ?? 0))
  }
  return keys
}

/** @see HubStore.claimItems */
export function claimItems(state: MemoryState, request: ClaimRequest): SyncItem[] {
  const { workerId, limit, leaseMs, providers } = request
  if (typeof workerId !== 'string' || workerId.length === 0)
    invalid('claim workerId must be a non-empty string')
  if (!Number.isInteger(limit) || limit < 0) invalid('claim limit must be a non-negative integer')
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) invalid('claim leaseMs must be a positive number')
  const t = validDate(request.now, 'claim now')
  if (limit === 0) return []
  const providerSet = providers ? new Set(providers) : null
  const blocked = liveSerialKeys(state, t)
  const due: ItemRow[] = []
  for (const id of state.active) {
    const row = state.items.get(id)!
    const { item } = row
    if (item.attempt >= item.maxAttempts) continue
    if (providerSet && !providerSet.has(item.provider)) continue
    const isDue =
      item.status === 'running'
        ? (item.leaseExpiresAt?.getTime() ?? 0) <= t
        : item.nextAttemptAt.getTime() <= t
    if (!isDue) continue
    if (item.serialKey !== null && blocked.has(item.serialKey)) continue
    due.push(row)
  }
  due.sort((a, b) => a.item.nextAttemptAt.getTime() - b.item.nextAttemptAt.getTime() || a.seq - b.seq)
  const now = new Date(t)
  const batchKeys = new Set<string>()
  const claimed: SyncItem[] = []
  for (const row of due) {
    if (claimed.length >= limit) break
    const { item } = row
    if (item.serialKey !== null) {
      if (batchKeys.has(item.serialKey)) continue
      batchKeys.add(item.serialKey)
    }
    if (item.status === 'running') item.lastError = recordLeaseExpiry(state, row, now)
    item.status = 'running'
    item.attempt += 1
    item.leaseOwner = workerId
    item.leaseExpiresAt = new Date(t + leaseMs)
    item.updatedAt = now
    row.claimedAt = now
    claimed.push(copy(item))
  }
  return claimed
}

/** The row of a running item that `workerId` still holds (nobody else claimed it since). */
function heldRow(state: MemoryState, itemId: string, workerId: string): ItemRow | null {
  const row = state.items.get(itemId)
  return row?.item.status === 'running' && row.item.leaseOwner === workerId ? row : null
}

/** @see HubStore.heartbeat */
export function heartbeat(
  state: MemoryState,
  workerId: string,
  itemIds: string[],
  leaseMs: number,
  now: Date,
): string[] {
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) invalid('heartbeat leaseMs must be a positive number')
  const t = validDate(now, 'heartbeat now')
  const kept: string[] = []
  for (const id of new Set(itemIds)) {
    const row = heldRow(state, id, workerId)
    if (!row) continue
    row.item.leaseExpiresAt = new Date(t + leaseMs)
    kept.push(id)
  }
  return kept
}

/** @see HubStore.finishItem */
export function finishItem(state: MemoryState, ctx: QueueContext, request: FinishRequest): SyncItem | null {
  const { outcome } = request
  if (!outcome || !FINISHED_OUTCOMES.has(outcome.status)) invalid('finishItem needs a valid outcome')
  const t = validDate(request.now, 'finishItem now')
  if (outcome.status === 'failed') validDate(outcome.nextAttemptAt, 'failed outcome nextAttemptAt')
  validDate(request.attempt?.startedAt, 'attempt startedAt')
  validDate(request.attempt?.finishedAt, 'attempt finishedAt')
  const row = heldRow(state, request.itemId, request.workerId)
  if (!row) return null
  const { item } = row
  addAttempt(state, item, request.workerId, request.attempt)
  switch (outcome.status) {
    case 'succeeded':
      item.result = outcome.result === undefined ? null : copy(outcome.result)
      // `null` means "the adapter learnt nothing new": keep what the item already knows.
      item.internalId = outcome.internalId ?? item.internalId
      item.targetHash = outcome.targetHash ?? item.targetHash
      item.lastError = null
      break
    case 'failed':
      item.lastError = copy(outcome.error)
      item.nextAttemptAt = new Date(outcome.nextAttemptAt)
      break
    case 'released':
      item.attempt = Math.max(0, item.attempt - 1)
      break
    default:
      item.lastError = copy(outcome.error)
  }
  item.status = outcome.status === 'released' ? 'pending' : outcome.status
  item.leaseOwner = null
  item.leaseExpiresAt = null
  item.updatedAt = new Date(t)
  row.claimedAt = null
  if (item.status !== 'pending' && item.status !== 'failed') state.active.delete(item.id)
  // A retry or a released item is due later; a finished item may free its serial key for others.
  if (item.status === 'pending' || item.status === 'failed' || item.serialKey !== null) ctx.wake()
  return copy(item)
}

/** @see HubStore.saveDiagnostic */
export function saveDiagnostic(
  state: MemoryState,
  itemId: string,
  workerId: string,
  payload: unknown,
): boolean {
  const row = heldRow(state, itemId, workerId)
  if (!row) return false
  row.item.diagnosticPayload = payload === undefined ? null : copy(payload as SyncItem['diagnosticPayload'])
  return true
}

/** @see HubStore.reapExpiredLeases */
export function reapExpiredLeases(state: MemoryState, now: Date): number {
  const t = validDate(now, 'reapExpiredLeases now')
  const at = new Date(t)
  let reaped = 0
  for (const id of [...state.active]) {
    const row = state.items.get(id)!
    const { item } = row
    if (item.status !== 'running' || item.attempt < item.maxAttempts) continue
    if ((item.leaseExpiresAt?.getTime() ?? 0) > t) continue
    item.lastError = recordLeaseExpiry(state, row, at)
    item.status = 'dead'
    item.leaseOwner = null
    item.leaseExpiresAt = null
    item.updatedAt = at
    row.claimedAt = null
    state.active.delete(id)
    reaped++
  }
  return reaped
}

/** @see HubStore.listAttempts */
export function listAttempts(state: MemoryState, scope: Scope, itemId: string): SyncAttempt[] {
  const sellerId = sellerOf(scope)
  const row = state.items.get(itemId)
  if (!row || row.item.sellerId !== sellerId) return []
  return copy(state.attempts.get(itemId) ?? [])
}

/** @see HubStore.replay */
export function replay(
  state: MemoryState,
  ctx: QueueContext,
  scope: Scope,
  selector: ReplaySelector,
  now: Date,
): SyncItem[] {
  const sellerId = sellerOf(scope)
  const t = validDate(now, 'replay now')
  if (!selector || typeof selector !== 'object') invalid('replay needs a selector')
  let rows: ItemRow[]
  if ('itemId' in selector) {
    const row = state.items.get(selector.itemId)
    rows = row && row.item.sellerId === sellerId ? [row] : []
  } else {
    const statuses = new Set(selector.statuses ?? REPLAY_DEFAULT_STATUSES)
    for (const status of statuses) {
      if (!itemStatusSchema.safeParse(status).success) invalid(`unknown item status "${String(status)}"`)
    }
    const candidates =
      'runId' in selector
        ? [...(state.runItems.get(selector.runId) ?? [])].map((id) => state.items.get(id)!)
        : [...state.items.values()].filter((row) => row.item.connectionId === selector.connectionId)
    rows = candidates.filter((row) => row.item.sellerId === sellerId && statuses.has(row.item.status))
  }
  const requeued: SyncItem[] = []
  for (const row of rows.sort((a, b) => a.seq - b.seq)) {
    const { item } = row
    if (item.status === 'running') continue
    item.status = 'pending'
    item.attempt = 0
    item.nextAttemptAt = new Date(t)
    item.leaseOwner = null
    item.leaseExpiresAt = null
    item.updatedAt = new Date(t)
    row.claimedAt = null
    state.active.add(item.id)
    requeued.push(copy(item))
  }
  if (requeued.length > 0) ctx.wake()
  return requeued
}

/**
 * @see HubStore.nextDueAt. An item waiting behind a live serial key is due when that lease
 * expires at the earliest, and a running item when its lease expires: a worker never spins on
 * work it cannot claim.
 */
export function nextDueAt(state: MemoryState, now: Date): Date | null {
  const t = now.getTime()
  const blocked = liveSerialKeys(state, t)
  let earliest = Number.POSITIVE_INFINITY
  for (const id of state.active) {
    const { item } = state.items.get(id)!
    if (item.attempt >= item.maxAttempts) continue
    let due: number
    if (item.status === 'running') due = item.leaseExpiresAt?.getTime() ?? t
    else {
      due = item.nextAttemptAt.getTime()
      const blockedUntil = item.serialKey === null ? undefined : blocked.get(item.serialKey)
      if (blockedUntil !== undefined) due = Math.max(due, blockedUntil)
    }
    earliest = Math.min(earliest, due)
  }
  return Number.isFinite(earliest) ? new Date(earliest) : null
}

/** @see HubStore.getItem */
export function getItem(state: MemoryState, scope: Scope, id: string): SyncItem | null {
  const sellerId = sellerOf(scope)
  const row = state.items.get(id)
  return row && row.item.sellerId === sellerId ? copy(row.item) : null
}

/** @see HubStore.listItems */
export function listItems(state: MemoryState, scope: Scope, filter: ItemFilter = {}): SyncItem[] {
  const sellerId = sellerOf(scope)
  const statuses =
    filter.status === undefined
      ? null
      : new Set(Array.isArray(filter.status) ? filter.status : [filter.status])
  let afterSeq = 0
  if (filter.after !== undefined) {
    const after = state.items.get(filter.after)
    if (!after || after.item.sellerId !== sellerId) return []
    afterSeq = after.seq
  }
  const source =
    filter.runId !== undefined
      ? [...(state.runItems.get(filter.runId) ?? [])].map((id) => state.items.get(id)!)
      : [...state.items.values()]
  const rows = source
    .filter(({ item, seq }) => {
      if (item.sellerId !== sellerId || seq <= afterSeq) return false
      if (filter.connectionId !== undefined && item.connectionId !== filter.connectionId) return false
      if (filter.operation !== undefined && item.operation !== filter.operation) return false
      return statuses === null || statuses.has(item.status)
    })
    .sort((a, b) => a.seq - b.seq)
  const limited = filter.limit === undefined ? rows : rows.slice(0, Math.max(0, filter.limit))
  return limited.map((row) => copy(row.item))
}
