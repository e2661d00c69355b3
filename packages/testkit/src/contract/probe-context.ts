import {
  type ExecutionContext,
  type Hub,
  type Json,
  NotFoundError,
  type Scope,
  silentLogger,
  systemClock,
} from '@hub/core'

/**
 * An {@link ExecutionContext} for calling an adapter's ports directly in contract tests, outside
 * the worker: real connection and decrypted credentials, plans kept in memory, enqueue and
 * mapping writes refused (a port probe must not need them).
 */
export async function buildProbeContext(
  hub: Hub,
  scope: Scope,
  connectionId: string,
  itemId: string,
): Promise<ExecutionContext> {
  const connection = await hub.connections.get(scope, connectionId)
  const item = await hub.store.getItem(scope, itemId)
  if (!connection) throw new NotFoundError('connection', connectionId)
  if (!item) throw new NotFoundError('item', itemId)
  const credentials = await hub.connections.credentials(scope, connectionId)
  const refuse = async (): Promise<never> => {
    throw new Error('a port probe may not enqueue or write mappings')
  }
  return {
    item,
    connection,
    credentials,
    async saveCredentials(next: Json) {
      await hub.connections.setCredentials(scope, connectionId, next)
    },
    async setConnectionStatus(status, reason) {
      await hub.connections.setStatus(scope, connectionId, status, reason)
    },
    async savePlan(plan) {
      item.diagnosticPayload = plan
    },
    recordExcerpt() {},
    enqueue: refuse,
    mappings: {
      get: (entityType, externalId) => hub.store.getMapping(scope, { connectionId, entityType, externalId }),
      upsert: refuse,
      update: refuse,
      findByInternalId: (entityType, internalId) =>
        hub.store.findMappings(scope, { connectionId, entityType, internalId }),
    },
    checkpoints: { get: async () => null, save: async () => {} },
    marketplace: {
      specificationVersion: 'v1',
      submitProduct: refuse,
      getInventory: refuse,
      adjustInventory: refuse,
    },
    logger: silentLogger,
    clock: systemClock,
    signal: new AbortController().signal,
  }
}
