import type { Scope } from '../domain/schemas.js'
import { decryptCredentials } from '../engine/credentials.js'
import type { EngineDeps } from '../engine/deps.js'
import { planEvent, STUCK_EVENT_MS, storedPayloadBytes } from './webhook-ingest.js'

/**
 * Re-plan a seller's events stored as `received` that never got their run (the process died
 * between storing and planning). Planning is idempotent, so a slow original planner is harmless.
 * Returns how many events were re-planned.
 */
export async function sweepStuckEvents(deps: EngineDeps, scope: Scope): Promise<number> {
  const events = await deps.store.listWebhookEvents(scope, { status: 'received', limit: 500 })
  const cutoff = deps.clock.now().getTime() - STUCK_EVENT_MS
  let replanned = 0
  for (const event of events) {
    if (event.receivedAt.getTime() > cutoff) continue
    const adapter = deps.registry.get(event.provider)
    const connection = await deps.store.getConnection(scope, event.connectionId)
    if (!adapter || !connection) continue
    const target = { connection, credentials: decryptCredentials(deps.keyring, connection) }
    try {
      const parsed = adapter.webhooks.parse(
        {
          method: 'POST',
          url: `hub://replan/${event.provider}`,
          headers: event.headers,
          rawBody: storedPayloadBytes(event.payload),
        },
        target,
      )
      if (parsed.kind !== 'event') continue
      await planEvent(deps, adapter, target, event, parsed)
      replanned++
    } catch (error) {
      await deps.store.updateWebhookEvent(scope, event.id, {
        status: 'failed',
        error: error instanceof Error ? error.message : String(error),
      })
    }
  }
  return replanned
}
