import type { SyncItem } from '../domain/schemas.js'
import { toNewItems } from '../engine/context.js'
import type { EngineDeps } from '../engine/deps.js'
import { inventorySerialKey } from '../engine/serial-key.js'

/**
 * Queue `inventory.reconcile` for every connection of the seller mapped to one marketplace
 * inventory item (except one, usually the connection the change came from). Idempotent per
 * `cause`: the same cause never queues twice.
 */
export async function enqueueReconciles(
  deps: EngineDeps,
  input: {
    sellerId: string
    inventoryItemId: string
    cause: string
    exceptConnectionId?: string
    runId?: string
    kind?: 'marketplace' | 'reconcile'
  },
): Promise<SyncItem[]> {
  const scope = { sellerId: input.sellerId }
  const mappings = await deps.store.findMappings(scope, {
    entityType: 'inventory_item',
    internalId: input.inventoryItemId,
    status: 'linked',
  })
  const out: SyncItem[] = []
  for (const mapping of mappings) {
    if (mapping.connectionId === input.exceptConnectionId) continue
    const connection = await deps.store.getConnection(scope, mapping.connectionId)
    if (!connection) continue
    const runId =
      input.runId ??
      (
        await deps.store.createRun({
          sellerId: input.sellerId,
          connectionId: connection.id,
          kind: input.kind ?? 'marketplace',
          trigger: input.cause,
        })
      ).id
    const rows = toNewItems(deps, { runId, connection }, [
      {
        operation: 'inventory.reconcile',
        idempotencyKey: `reconcile:${input.cause}:${connection.id}:${mapping.externalId}`,
        entityType: 'inventory_item',
        externalId: mapping.externalId,
        internalId: input.inventoryItemId,
        serialKey: inventorySerialKey(
          input.sellerId,
          input.inventoryItemId,
          connection.id,
          mapping.externalId,
        ),
      },
    ])
    out.push(...(await deps.store.enqueueItems(rows)).items)
  }
  return out
}
