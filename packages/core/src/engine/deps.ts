import type { Clock } from '../ports/clock.js'
import type { Keyring } from '../ports/keyring.js'
import type { Logger } from '../ports/logger.js'
import type { MarketplacePort } from '../ports/marketplace.js'
import type { HubStore } from '../ports/store.js'
import type { Redactor } from '../security/redact.js'
import type { BackoffOptions } from './backoff.js'
import type { ProviderRegistry } from './registry.js'

/** Retry settings of the engine. */
export interface RetryPolicy extends BackoffOptions {
  /** Attempts before an item goes dead, unless the item sets its own. Default 8. */
  maxAttempts: number
}

/** What the engine's parts share. Built once by `createHub`. */
export interface EngineDeps {
  store: HubStore
  registry: ProviderRegistry
  marketplace: MarketplacePort
  keyring: Keyring
  logger: Logger
  clock: Clock
  retry: RetryPolicy
  /** A redactor that also hides these secret values (the decrypted credentials in scope). */
  redactorFor(secretValues: readonly string[]): Redactor
}
