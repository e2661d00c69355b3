import { ConfigError } from '../errors.js'
import { type ProviderAdapter, SUPPORTED_PROVIDER_SPEC_VERSIONS } from '../ports/provider.js'

/** Operations the core runs itself (using the adapter's ports); adapters may not redefine them. */
export const CORE_OPERATIONS = ['inventory.reconcile', 'catalog.submit', 'catalog.change'] as const

/** Maps `connection.provider` to its adapter. Boring on purpose. */
export interface ProviderRegistry {
  get(provider: string): ProviderAdapter | undefined
  names(): string[]
}

/**
 * Build the registry. Refuses duplicates, unsupported `specificationVersion`s (naming both the
 * adapter's and the supported ones) and adapters that redefine a core operation.
 */
export function createRegistry(adapters: readonly ProviderAdapter[]): ProviderRegistry {
  const byName = new Map<string, ProviderAdapter>()
  for (const adapter of adapters) {
    if (!adapter || typeof adapter.provider !== 'string' || adapter.provider.length === 0) {
      throw new ConfigError('every provider adapter needs a non-empty `provider` name')
    }
    if (!SUPPORTED_PROVIDER_SPEC_VERSIONS.includes(adapter.specificationVersion)) {
      throw new ConfigError(
        `provider "${adapter.provider}" implements ProviderAdapter specification "${String(adapter.specificationVersion)}", ` +
          `but this @hub/core supports ${SUPPORTED_PROVIDER_SPEC_VERSIONS.map((v) => `"${v}"`).join(', ')}`,
      )
    }
    if (byName.has(adapter.provider)) {
      throw new ConfigError(`provider "${adapter.provider}" is registered twice`)
    }
    for (const op of CORE_OPERATIONS) {
      if (op in adapter.operations) {
        throw new ConfigError(`provider "${adapter.provider}" redefines core operation "${op}"`)
      }
    }
    byName.set(adapter.provider, adapter)
  }
  return {
    get: (provider) => byName.get(provider),
    names: () => [...byName.keys()],
  }
}
