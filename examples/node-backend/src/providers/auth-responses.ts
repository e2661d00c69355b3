import type { Connection, Hub, Json, ProviderAdapter } from '@hub/core'

/** A typed JSON error answer of an auth route: `{ error: CODE, message }`. */
export function authError(status: number, error: string, message: string): Response {
  return Response.json({ error, message }, { status })
}

/** A redirect the merchant's browser follows. */
export function redirectTo(location: string): Response {
  return new Response(null, { status: 302, headers: { location, 'cache-control': 'no-store' } })
}

/** Input of {@link upsertConnection}. */
export interface UpsertConnectionInput {
  hub: Hub
  adapter: ProviderAdapter
  sellerId: string
  externalAccountId: string
  credentials: Json
  status: Connection['status']
  settings?: Record<string, Json>
}

/**
 * Create the seller's connection to a store account, or update the one already there (a
 * reinstall or a second grant): new credentials and status, same id, so its mappings, runs and
 * history stay. Returns the connection and whether it was created.
 */
export async function upsertConnection(
  input: UpsertConnectionInput,
): Promise<{ connection: Connection; created: boolean }> {
  const { hub, adapter, sellerId } = input
  const scope = { sellerId }
  const account = adapter.normalizeAccountId?.(input.externalAccountId) ?? input.externalAccountId
  const existing = (await hub.connections.list(scope)).find(
    (c) => c.provider === adapter.provider && c.externalAccountId === account,
  )
  if (!existing) {
    const connection = await hub.connections.create({
      sellerId,
      provider: adapter.provider,
      externalAccountId: account,
      credentials: input.credentials,
      status: input.status,
      ...(input.settings ? { settings: input.settings } : {}),
    })
    return { connection, created: true }
  }
  await hub.connections.setCredentials(scope, existing.id, input.credentials)
  const connection = await hub.connections.setStatus(scope, existing.id, input.status, null)
  return { connection, created: false }
}
