import { type Clock, systemClock } from '@hub/core'
import type { ShopifyCredentials } from './shopify-auth.js'
import { ShopifyReauthRequiredError } from './shopify-errors.js'

/** What the GraphQL client needs from token handling. */
export interface ShopifyAccessTokenSource {
  /** A usable access token, refreshed first when it is about to expire. */
  accessToken(): Promise<string>
  /**
   * Shopify answered 401 to `rejected`. Returns a newer token (refreshing once if nobody did
   * meanwhile) or throws {@link ShopifyReauthRequiredError} when no refresh is possible.
   */
  refreshAfterUnauthorized(rejected: string): Promise<string>
}

/** One connection's token handling inputs. */
export interface ShopifyTokenSessionInput {
  /** Single-flight key, e.g. the connection id: one refresh at a time per key. */
  key: string
  /** Credentials as the engine decrypted them (may be older than a refresh this process did). */
  credentials: ShopifyCredentials
  /** Persist a refreshed pair atomically (the engine's `ctx.saveCredentials`). */
  save(next: ShopifyCredentials): Promise<void>
  /** Trade a refresh token for a new pair (`ShopifyAuth.refresh` bound to the shop). */
  refresh(refreshToken: string): Promise<ShopifyCredentials>
}

/** Options of {@link ShopifyTokenManager}. */
export interface ShopifyTokenManagerOptions {
  clock?: Clock
  /** Refresh this long before the access token expires. Default 5 minutes. */
  skewMs?: number
}

interface Entry {
  credentials: ShopifyCredentials
  inflight: Promise<ShopifyCredentials> | null
}

const time = (iso: string | null): number => (iso === null ? Number.POSITIVE_INFINITY : Date.parse(iso))

/**
 * Expiring offline tokens for many connections in one process: refreshes before expiry and after a
 * 401, one refresh at a time per connection (concurrent callers share it), and persists the new
 * pair through `save` before anyone uses it. If `save` fails the new pair is never used, which
 * keeps the stored refresh token valid (Shopify honours the previous one until its replacement is
 * used). Across processes, a shared lock is the host's job.
 */
export class ShopifyTokenManager {
  readonly #entries = new Map<string, Entry>()
  readonly #clock: Clock
  readonly #skewMs: number

  constructor(options: ShopifyTokenManagerOptions = {}) {
    this.#clock = options.clock ?? systemClock
    this.#skewMs = options.skewMs ?? 5 * 60_000
  }

  /** Token access for one connection. */
  session(input: ShopifyTokenSessionInput): ShopifyAccessTokenSource {
    const entry = this.#entry(input)
    const refreshOnce = (): Promise<ShopifyCredentials> => {
      entry.inflight ??= this.#refresh(entry, input).finally(() => {
        entry.inflight = null
      })
      return entry.inflight
    }
    return {
      accessToken: async () => {
        if (entry.inflight) return (await entry.inflight).accessToken
        const expiresAt = time(entry.credentials.expiresAt)
        if (expiresAt - this.#skewMs > this.#clock.now().getTime()) return entry.credentials.accessToken
        return (await refreshOnce()).accessToken
      },
      refreshAfterUnauthorized: async (rejected) => {
        if (entry.inflight) return (await entry.inflight).accessToken
        if (entry.credentials.accessToken !== rejected) return entry.credentials.accessToken
        return (await refreshOnce()).accessToken
      },
    }
  }

  /** Keep whichever credentials are newer: ours (refreshed in this process) or the engine's copy. */
  #entry(input: ShopifyTokenSessionInput): Entry {
    const existing = this.#entries.get(input.key)
    if (existing === undefined) {
      const entry: Entry = { credentials: input.credentials, inflight: null }
      this.#entries.set(input.key, entry)
      return entry
    }
    if (time(input.credentials.expiresAt) > time(existing.credentials.expiresAt)) {
      existing.credentials = input.credentials
    }
    return existing
  }

  async #refresh(entry: Entry, input: ShopifyTokenSessionInput): Promise<ShopifyCredentials> {
    const { refreshToken, refreshTokenExpiresAt } = entry.credentials
    if (refreshToken === null) {
      throw new ShopifyReauthRequiredError(
        `access token of ${input.key} rejected or expired and cannot be refreshed`,
      )
    }
    if (time(refreshTokenExpiresAt) <= this.#clock.now().getTime()) {
      throw new ShopifyReauthRequiredError(`refresh token of ${input.key} expired`)
    }
    const next = await input.refresh(refreshToken)
    await input.save(next)
    entry.credentials = next
    return next
  }
}
