import { type Clock, systemClock } from '@hub/core'

/** What an OAuth `state` nonce is bound to while the merchant is on Shopify's consent screen. */
export interface OAuthStateRecord {
  /** The shop the install was started for; the callback must come back for the same shop. */
  shop: string
  /** Caller's binding (a session or seller id) returned by the callback check, or null. */
  bindTo: string | null
  expiresAt: Date
}

/**
 * Where pending OAuth states live. `take` must be atomic (get and delete in one step) so a state
 * is usable once even when two callbacks race: a database store would `DELETE … RETURNING`.
 */
export interface OAuthStateStore {
  save(state: string, record: OAuthStateRecord): Promise<void>
  /** Remove and return the record, or null if absent (never issued, expired and pruned, or used). */
  take(state: string): Promise<OAuthStateRecord | null>
}

/** Options of {@link memoryOAuthStateStore}. */
export interface MemoryOAuthStateStoreOptions {
  clock?: Clock
  /** Pending states kept at most; the oldest are dropped first. Default 10,000. */
  maxEntries?: number
}

/**
 * An in-process {@link OAuthStateStore} (single-node apps, tests). Expired entries are pruned on
 * every save, and the map never grows past `maxEntries`.
 */
export function memoryOAuthStateStore(options: MemoryOAuthStateStoreOptions = {}): OAuthStateStore {
  const clock = options.clock ?? systemClock
  const maxEntries = options.maxEntries ?? 10_000
  const entries = new Map<string, OAuthStateRecord>()
  return {
    async save(state, record) {
      const now = clock.now().getTime()
      for (const [key, value] of entries) if (value.expiresAt.getTime() <= now) entries.delete(key)
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next().value
        if (oldest === undefined) break
        entries.delete(oldest)
      }
      entries.set(state, { ...record })
    },
    async take(state) {
      const record = entries.get(state) ?? null
      entries.delete(state)
      return record
    },
  }
}
