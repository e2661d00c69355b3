import type { Json } from '../domain/json.js'
import type { WebhookEvent } from '../domain/schemas.js'
import { resolveInventoryKeys, toNewItems } from '../engine/context.js'
import { decryptCredentials, secretStrings } from '../engine/credentials.js'
import type { EngineDeps } from '../engine/deps.js'
import { HubError, WebhookError } from '../errors.js'
import type {
  ParsedWebhook,
  ProviderAdapter,
  RawWebhookRequest,
  WebhookConnection,
} from '../ports/provider.js'

/** How an accepted delivery was handled. */
export interface IngestResult {
  status: 'accepted' | 'duplicate' | 'ping' | 'ignored'
  event?: WebhookEvent
  /** Items created by this delivery. */
  created: number
}

/** A stored event still `received` this long after arrival is re-planned by a duplicate or a sweep. */
export const STUCK_EVENT_MS = 5_000

/**
 * Ingest one webhook delivery (ARCHITECTURE.md §4.1): identify the account, verify the raw
 * bytes, resolve the connection, store the event (a duplicate returns the stored row), create a
 * run and its items. Throws `WebhookError` with the HTTP status to answer; stores nothing then.
 */
export async function ingestWebhook(
  deps: EngineDeps,
  providerName: string,
  request: RawWebhookRequest,
): Promise<IngestResult> {
  const adapter = deps.registry.get(providerName)
  if (!adapter) throw new WebhookError(404, 'PROVIDER_UNKNOWN', `no provider "${providerName}" is registered`)
  const account = guard(() => adapter.webhooks.identify(request), 400, 'WEBHOOK_MALFORMED')
  const connection = await deps.store.findConnectionByAccount(adapter.provider, account)
  let target: WebhookConnection | null = null
  if (connection) {
    target = { connection, credentials: decryptCredentials(deps.keyring, connection) }
  }
  await guardAsync(() => adapter.webhooks.verify(request, target), 401, 'WEBHOOK_SIGNATURE_INVALID')
  if (!target)
    throw new WebhookError(404, 'CONNECTION_UNKNOWN', `no ${adapter.provider} connection for ${account}`)
  const parsed = guard(() => adapter.webhooks.parse(request, target), 400, 'WEBHOOK_MALFORMED')
  if (parsed.kind === 'ping') return { status: 'ping', created: 0 }

  const redactor = deps.redactorFor(secretStrings(target.credentials))
  const { event, created } = await deps.store.recordWebhookEvent({
    provider: adapter.provider,
    providerEventId: parsed.providerEventId,
    connectionId: target.connection.id,
    sellerId: target.connection.sellerId,
    topic: parsed.topic,
    occurredAt: parsed.occurredAt,
    receivedAt: deps.clock.now(),
    headers: redactor.redactHeaders(request.headers),
    payload: parsed.payload,
  })
  if (!created) {
    const stuck =
      event.status === 'received' && deps.clock.now().getTime() - event.receivedAt.getTime() > STUCK_EVENT_MS
    if (!stuck) return { status: 'duplicate', event, created: 0 }
  }
  return planEvent(deps, adapter, target, event, parsed)
}

/**
 * Create the run and items of a stored event and mark it processed. Safe to repeat: item
 * idempotency keys make a second planning a no-op, which is how stuck events are recovered.
 */
export async function planEvent(
  deps: EngineDeps,
  adapter: ProviderAdapter,
  target: WebhookConnection,
  event: WebhookEvent,
  parsed: Extract<ParsedWebhook, { kind: 'event' }>,
): Promise<IngestResult> {
  const scope = { sellerId: event.sellerId }
  if (target.connection.status === 'revoked' || parsed.work.length === 0) {
    const ignored = await deps.store.updateWebhookEvent(scope, event.id, {
      status: 'ignored',
      error: parsed.work.length === 0 ? null : 'connection revoked',
    })
    return { status: 'ignored', event: ignored, created: 0 }
  }
  const run = await deps.store.createRun({
    sellerId: event.sellerId,
    connectionId: event.connectionId,
    kind: 'webhook',
    trigger: `${adapter.provider}:${event.topic}:${event.providerEventId}`,
  })
  const rows = toNewItems(deps, { runId: run.id, connection: target.connection }, parsed.work)
  await resolveInventoryKeys(deps, target.connection, rows)
  const { created } = await deps.store.enqueueItems(rows)
  const processed = await deps.store.updateWebhookEvent(scope, event.id, {
    status: 'processed',
    runId: run.id,
  })
  return { status: 'accepted', event: processed, created }
}

function guard<T>(fn: () => T, status: 400 | 401, code: string): T {
  try {
    return fn()
  } catch (error) {
    throw asWebhookError(error, status, code)
  }
}

async function guardAsync<T>(fn: () => Promise<T>, status: 400 | 401, code: string): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    throw asWebhookError(error, status, code)
  }
}

function asWebhookError(error: unknown, status: 400 | 401, code: string): WebhookError {
  if (error instanceof WebhookError) return error
  const message = error instanceof Error ? error.message : String(error)
  return new WebhookError(status, error instanceof HubError ? error.code : code, message, { cause: error })
}

/** Re-parse a stored payload for re-planning: adapters parse the raw bytes, so re-encode it. */
export function storedPayloadBytes(payload: Json): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(payload))
}
