import type { Connection, ItemError, SyncItem } from '../domain/schemas.js'
import type { ProviderRegistry } from './registry.js'

/** The gate's verdict: run, or stop the item with a status and a reason. */
export type GateVerdict = { run: true } | { run: false; status: 'blocked' | 'skipped'; error: ItemError }

/** Which policy toggle each operation family needs. Operations not listed always pass. */
function requiredToggles(operation: string): Array<keyof Connection['policy']> {
  if (operation === 'inventory.reconcile') return ['inboundInventory', 'outboundInventory']
  if (operation.startsWith('inventory.')) return ['inboundInventory']
  if (operation.startsWith('catalog.')) return ['inboundCatalog']
  return []
}

/**
 * Decide whether an item may run. `blocked` is temporary (replay once fixed): unknown provider,
 * missing or inactive connection. `skipped` is by policy: every toggle the operation needs is off.
 * Reconcile runs when either inventory direction is on; it honours each toggle itself.
 */
export function policyGate(
  item: SyncItem,
  connection: Connection | null,
  registry: ProviderRegistry,
): GateVerdict {
  if (!registry.get(item.provider)) {
    return blocked('PROVIDER_NOT_REGISTERED', `no adapter registered for provider "${item.provider}"`)
  }
  if (!connection) return blocked('CONNECTION_NOT_FOUND', `connection ${item.connectionId} does not exist`)
  const lifecycle = item.operation.startsWith('connection.')
  if (connection.status !== 'active' && !lifecycle) {
    const why = connection.statusReason ? `: ${connection.statusReason}` : ''
    return blocked('CONNECTION_INACTIVE', `connection is ${connection.status}${why}`)
  }
  const toggles = requiredToggles(item.operation)
  if (toggles.length > 0 && toggles.every((t) => !connection.policy[t])) {
    return {
      run: false,
      status: 'skipped',
      error: {
        code: 'POLICY_DISABLED',
        message: `policy disables ${toggles.join(' and ')}`,
        retryable: false,
      },
    }
  }
  return { run: true }
}

function blocked(code: string, message: string): GateVerdict {
  return { run: false, status: 'blocked', error: { code, message, retryable: false } }
}
