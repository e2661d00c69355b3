import { randomUUID } from 'node:crypto'
import type {
  Connection,
  ConnectionStatus,
  ItemStatus,
  RunCounts,
  RunKind,
  Scope,
  SyncRun,
  WebhookEvent,
  WebhookEventStatus,
} from '../domain/schemas.js'
import {
  connectionPolicySchema,
  connectionStatusSchema,
  runKindSchema,
  webhookEventStatusSchema,
} from '../domain/schemas.js'
import { NotFoundError } from '../errors.js'
import type { ConnectionPatch, NewConnection, NewRun, NewWebhookEvent } from '../ports/store.js'
import { validDate } from './memory-queue.js'
import { copy, invalid, key, type MemoryState, publicCopy, type RunRow, sellerOf } from './memory-state.js'

function nonEmpty(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) invalid(`${what} must be a non-empty string`)
  return value
}

function checkStatus(status: unknown): void {
  if (status !== undefined && !connectionStatusSchema.safeParse(status).success) {
    invalid(`unknown connection status "${String(status)}"`)
  }
}

/** @see HubStore.createConnection */
export function createConnection(state: MemoryState, now: Date, input: NewConnection): Connection {
  const sellerId = sellerOf({ sellerId: input?.sellerId })
  checkStatus(input.status)
  const connection: Connection = {
    id: randomUUID(),
    sellerId,
    provider: nonEmpty(input.provider, 'connection provider'),
    externalAccountId: nonEmpty(input.externalAccountId, 'connection externalAccountId'),
    status: input.status ?? 'pending',
    statusReason: input.statusReason ?? null,
    policy: connectionPolicySchema.parse(input.policy ?? {}),
    credentials: input.credentials ? copy(input.credentials) : null,
    settings: copy(input.settings ?? {}),
    createdAt: now,
    updatedAt: now,
  }
  state.connections.set(connection.id, connection)
  return copy(connection)
}

/** The seller's connection, or `undefined`. */
function scopedConnection(state: MemoryState, scope: Scope, id: string): Connection | undefined {
  const sellerId = sellerOf(scope)
  const connection = state.connections.get(id)
  return connection?.sellerId === sellerId ? connection : undefined
}

/** @see HubStore.getConnection */
export function getConnection(state: MemoryState, scope: Scope, id: string): Connection | null {
  const connection = scopedConnection(state, scope, id)
  return connection ? copy(connection) : null
}

/** @see HubStore.listConnections. Oldest first. */
export function listConnections(
  state: MemoryState,
  scope: Scope,
  filter: { provider?: string; status?: ConnectionStatus } = {},
): Connection[] {
  const sellerId = sellerOf(scope)
  return [...state.connections.values()]
    .filter(
      (c) =>
        c.sellerId === sellerId &&
        (filter.provider === undefined || c.provider === filter.provider) &&
        (filter.status === undefined || c.status === filter.status),
    )
    .map((c) => copy(c))
}

/** @see HubStore.updateConnection. `policy` merges into the stored policy. */
export function updateConnection(
  state: MemoryState,
  now: Date,
  scope: Scope,
  id: string,
  patch: ConnectionPatch,
): Connection {
  const connection = scopedConnection(state, scope, id)
  if (!connection) throw new NotFoundError('connection', id)
  checkStatus(patch?.status)
  if (patch.externalAccountId !== undefined) {
    connection.externalAccountId = nonEmpty(patch.externalAccountId, 'connection externalAccountId')
  }
  if (patch.status !== undefined) connection.status = patch.status
  if (patch.statusReason !== undefined) connection.statusReason = patch.statusReason
  if (patch.policy !== undefined)
    connection.policy = connectionPolicySchema.parse({ ...connection.policy, ...patch.policy })
  if (patch.credentials !== undefined)
    connection.credentials = patch.credentials ? copy(patch.credentials) : null
  if (patch.settings !== undefined) connection.settings = copy(patch.settings)
  connection.updatedAt = now
  return copy(connection)
}

/** @see HubStore.findConnectionByAccount. The oldest match when several sellers linked the same account. */
export function findConnectionByAccount(
  state: MemoryState,
  provider: string,
  externalAccountId: string,
): Connection | null {
  for (const c of state.connections.values()) {
    if (c.provider === provider && c.externalAccountId === externalAccountId) return copy(c)
  }
  return null
}

/** @see HubStore.recordWebhookEvent */
export function recordWebhookEvent(
  state: MemoryState,
  input: NewWebhookEvent,
): { event: WebhookEvent; created: boolean } {
  const eventKey = key(
    nonEmpty(input?.provider, 'event provider'),
    nonEmpty(input.providerEventId, 'providerEventId'),
  )
  const existingId = state.eventKeys.get(eventKey)
  const existing = existingId ? state.events.get(existingId) : undefined
  if (existing) return { event: publicCopy(existing), created: false }
  const sellerId = sellerOf({ sellerId: input.sellerId })
  const connection = state.connections.get(input.connectionId)
  if (!connection || connection.sellerId !== sellerId)
    throw new NotFoundError('connection', String(input.connectionId))
  validDate(input.receivedAt, 'event receivedAt')
  if (input.occurredAt !== null) validDate(input.occurredAt, 'event occurredAt')
  const event = {
    id: randomUUID(),
    provider: input.provider,
    providerEventId: input.providerEventId,
    connectionId: input.connectionId,
    sellerId,
    topic: nonEmpty(input.topic, 'event topic'),
    occurredAt: input.occurredAt ? new Date(input.occurredAt) : null,
    receivedAt: new Date(input.receivedAt),
    headers: copy(input.headers ?? {}),
    payload: copy(input.payload ?? null),
    status: 'received' as const,
    runId: null,
    error: null,
    seq: ++state.seq,
  }
  state.events.set(event.id, event)
  state.eventKeys.set(eventKey, event.id)
  return { event: publicCopy(event), created: true }
}

/** @see HubStore.updateWebhookEvent */
export function updateWebhookEvent(
  state: MemoryState,
  scope: Scope,
  id: string,
  patch: { status?: WebhookEventStatus; runId?: string | null; error?: string | null },
): WebhookEvent {
  const sellerId = sellerOf(scope)
  const event = state.events.get(id)
  if (!event || event.sellerId !== sellerId) throw new NotFoundError('webhook event', id)
  if (patch?.status !== undefined && !webhookEventStatusSchema.safeParse(patch.status).success) {
    invalid(`unknown webhook event status "${String(patch.status)}"`)
  }
  if (patch.status !== undefined) event.status = patch.status
  if (patch.runId !== undefined) event.runId = patch.runId
  if (patch.error !== undefined) event.error = patch.error
  return publicCopy(event)
}

/** @see HubStore.getWebhookEvent */
export function getWebhookEvent(state: MemoryState, scope: Scope, id: string): WebhookEvent | null {
  const sellerId = sellerOf(scope)
  const event = state.events.get(id)
  return event && event.sellerId === sellerId ? publicCopy(event) : null
}

/** @see HubStore.listWebhookEvents. Newest first. */
export function listWebhookEvents(
  state: MemoryState,
  scope: Scope,
  filter: { connectionId?: string; status?: WebhookEventStatus; limit?: number } = {},
): WebhookEvent[] {
  const sellerId = sellerOf(scope)
  const found = [...state.events.values()]
    .filter(
      (e) =>
        e.sellerId === sellerId &&
        (filter.connectionId === undefined || e.connectionId === filter.connectionId) &&
        (filter.status === undefined || e.status === filter.status),
    )
    .sort((a, b) => b.seq - a.seq)
  return (filter.limit === undefined ? found : found.slice(0, Math.max(0, filter.limit))).map(publicCopy)
}

/** @see HubStore.createRun */
export function createRun(state: MemoryState, now: Date, input: NewRun): SyncRun {
  const sellerId = sellerOf({ sellerId: input?.sellerId })
  if (!runKindSchema.safeParse(input.kind).success) invalid(`unknown run kind "${String(input.kind)}"`)
  const connection = state.connections.get(input.connectionId)
  if (!connection || connection.sellerId !== sellerId)
    throw new NotFoundError('connection', String(input.connectionId))
  const run: RunRow = {
    id: randomUUID(),
    connectionId: input.connectionId,
    sellerId,
    kind: input.kind,
    trigger: input.trigger ?? null,
    startedAt: now,
    seq: ++state.seq,
  }
  state.runs.set(run.id, run)
  return derivedRun(state, run)
}

const ITEM_STATUSES: readonly ItemStatus[] = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'dead',
  'skipped',
  'blocked',
]

/** A run with `counts`, `status` and `finishedAt` derived from its items. */
function derivedRun(state: MemoryState, run: RunRow): SyncRun {
  const counts = Object.fromEntries(ITEM_STATUSES.map((s) => [s, 0])) as RunCounts
  let lastUpdate = run.startedAt.getTime()
  for (const id of state.runItems.get(run.id) ?? []) {
    const { item } = state.items.get(id)!
    counts[item.status] += 1
    lastUpdate = Math.max(lastUpdate, item.updatedAt.getTime())
  }
  const running = counts.pending + counts.running > 0
  const { seq: _seq, ...rest } = run
  return {
    ...copy(rest),
    status: running ? 'running' : 'finished',
    counts,
    finishedAt: running ? null : new Date(lastUpdate),
  }
}

/** @see HubStore.getRun */
export function getRun(state: MemoryState, scope: Scope, id: string): SyncRun | null {
  const sellerId = sellerOf(scope)
  const run = state.runs.get(id)
  return run && run.sellerId === sellerId ? derivedRun(state, run) : null
}

/** @see HubStore.listRuns. Newest first. */
export function listRuns(
  state: MemoryState,
  scope: Scope,
  filter: { connectionId?: string; kind?: RunKind; limit?: number } = {},
): SyncRun[] {
  const sellerId = sellerOf(scope)
  const found = [...state.runs.values()]
    .filter(
      (r) =>
        r.sellerId === sellerId &&
        (filter.connectionId === undefined || r.connectionId === filter.connectionId) &&
        (filter.kind === undefined || r.kind === filter.kind),
    )
    .sort((a, b) => b.seq - a.seq)
  const limited = filter.limit === undefined ? found : found.slice(0, Math.max(0, filter.limit))
  return limited.map((r) => derivedRun(state, r))
}
