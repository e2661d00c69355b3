import { createHmac } from 'node:crypto'
import type { FakeClock } from './clock.js'
import type { Rng } from './rng.js'

/** Access token lifetime of expiring offline tokens. */
export const ACCESS_TOKEN_TTL_S = 3600
/** Refresh token lifetime (90 days). */
export const REFRESH_TOKEN_TTL_S = 90 * 24 * 3600
/** How long an authorization code can be exchanged. */
export const AUTH_CODE_TTL_S = 60

/**
 * The OAuth callback HMAC Shopify sends: drop `hmac`/`signature`, sort the remaining keys with
 * `localeCompare`, serialize with URLSearchParams, HMAC-SHA256 with the client secret, lowercase hex.
 */
export function signOAuthQuery(params: Record<string, string>, secret: string): string {
  const keys = Object.keys(params)
    .filter((key) => key !== 'hmac' && key !== 'signature')
    .sort((a, b) => a.localeCompare(b))
  const search = new URLSearchParams()
  for (const key of keys) search.append(key, params[key] as string)
  return createHmac('sha256', secret).update(search.toString()).digest('hex')
}

/** A token the fake issued. */
export interface TokenRecord {
  accessToken: string
  scope: string
  /** Epoch ms; null = non-expiring offline token. */
  expiresAt: number | null
  revoked: boolean
}

interface RefreshRecord {
  refreshToken: string
  expiresAt: number
  /** The access token issued with this refresh token. */
  accessToken: string
  /** Once the pair issued by refreshing this token is used, this one is dead. */
  consumed: boolean
  /** The refresh token this one replaced (still valid until this pair is used). */
  previous: string | null
  /** The refresh token issued when this one was last used. */
  replacedBy: string | null
}

/** Body of a successful `POST /admin/oauth/access_token`. */
export type TokenResponse =
  | { access_token: string; scope: string }
  | {
      access_token: string
      scope: string
      expires_in: number
      refresh_token: string
      refresh_token_expires_in: number
    }

/** An OAuth error body, as `{error, error_description}` with its HTTP status. */
export interface OAuthFailure {
  status: number
  body: { error: string; error_description: string }
}

/**
 * Authorization codes, expiring offline tokens with rotating refresh tokens, and revocation.
 * Only one expiring token family is active per app+shop: acquiring a new one revokes the others.
 * After a refresh, the previous refresh token keeps working until the new pair is first used.
 */
export class OAuthServer {
  readonly #clock: FakeClock
  readonly #rng: Rng
  readonly #codes = new Map<string, { scope: string; expiresAt: number }>()
  readonly #tokens = new Map<string, TokenRecord>()
  readonly #refresh = new Map<string, RefreshRecord>()

  constructor(clock: FakeClock, rng: Rng) {
    this.#clock = clock
    this.#rng = rng
  }

  #random(prefix: string): string {
    const bytes = Array.from({ length: 16 }, () => this.#rng.int(256).toString(16).padStart(2, '0')).join('')
    return `${prefix}${bytes}`
  }

  /** Issues a single-use authorization code. */
  issueCode(scope: string): string {
    const code = this.#random('')
    this.#codes.set(code, { scope, expiresAt: this.#clock.now() + AUTH_CODE_TTL_S * 1000 })
    return code
  }

  /** Exchanges a code for a token (`expiring` → access + refresh pair). */
  exchangeCode(code: string, expiring: boolean): TokenResponse | OAuthFailure {
    const entry = this.#codes.get(code)
    this.#codes.delete(code)
    if (!entry || entry.expiresAt < this.#clock.now()) {
      return {
        status: 400,
        body: {
          error: 'invalid_request',
          error_description: 'The authorization code was not found or was already used',
        },
      }
    }
    return this.issueToken(entry.scope, expiring)
  }

  /** Issues a token directly (admin helper and code exchange). */
  issueToken(scope: string, expiring: boolean): TokenResponse {
    const accessToken = this.#random('shpat_')
    if (!expiring) {
      this.#tokens.set(accessToken, { accessToken, scope, expiresAt: null, revoked: false })
      return { access_token: accessToken, scope }
    }
    this.#revokeExpiring()
    return this.#issuePair(scope, null)
  }

  #issuePair(scope: string, previous: string | null): TokenResponse {
    const now = this.#clock.now()
    const accessToken = this.#random('shpat_')
    const refreshToken = this.#random('shprt_')
    this.#tokens.set(accessToken, {
      accessToken,
      scope,
      expiresAt: now + ACCESS_TOKEN_TTL_S * 1000,
      revoked: false,
    })
    this.#refresh.set(refreshToken, {
      refreshToken,
      expiresAt: now + REFRESH_TOKEN_TTL_S * 1000,
      accessToken,
      consumed: false,
      previous,
      replacedBy: null,
    })
    return {
      access_token: accessToken,
      scope,
      expires_in: ACCESS_TOKEN_TTL_S,
      refresh_token: refreshToken,
      refresh_token_expires_in: REFRESH_TOKEN_TTL_S,
    }
  }

  #revokeExpiring(): void {
    for (const token of this.#tokens.values()) if (token.expiresAt !== null) token.revoked = true
    for (const record of this.#refresh.values()) record.consumed = true
  }

  /**
   * `grant_type=refresh_token`: rotates the pair, or `invalid_grant` for an unknown, expired or
   * retired refresh token. Refreshing again with the same token before its replacement was used
   * is allowed (lost responses); the unused replacement is then retired instead.
   */
  refresh(refreshToken: string): TokenResponse | OAuthFailure {
    const record = this.#refresh.get(refreshToken)
    const invalid = (description: string): OAuthFailure => ({
      status: 400,
      body: { error: 'invalid_grant', error_description: description },
    })
    if (!record) return invalid('The refresh token is invalid.')
    if (record.consumed) return invalid('The refresh token was already used.')
    if (record.expiresAt < this.#clock.now()) return invalid('The refresh token has expired.')
    this.#retirePrevious(record)
    if (record.replacedBy) this.#retire(record.replacedBy)
    const scope = this.#tokens.get(record.accessToken)?.scope ?? ''
    const oldAccess = this.#tokens.get(record.accessToken)
    if (oldAccess) oldAccess.revoked = true
    const pair = this.#issuePair(scope, refreshToken)
    record.replacedBy = 'refresh_token' in pair ? pair.refresh_token : null
    return pair
  }

  #retire(refreshToken: string): void {
    const record = this.#refresh.get(refreshToken)
    if (!record) return
    record.consumed = true
    const access = this.#tokens.get(record.accessToken)
    if (access) access.revoked = true
  }

  /** First use of a rotated pair ends the grace of the refresh token it replaced. */
  #retirePrevious(record: RefreshRecord): void {
    if (!record.previous) return
    const previous = this.#refresh.get(record.previous)
    if (previous) previous.consumed = true
  }

  /**
   * The token on a GraphQL request, if valid. Using a freshly rotated pair retires the refresh
   * token it replaced (the 2026-08 "more resilient refreshes" rule).
   */
  authenticate(accessToken: string | null): TokenRecord | undefined {
    if (!accessToken) return undefined
    const token = this.#tokens.get(accessToken)
    if (!token || token.revoked) return undefined
    if (token.expiresAt !== null && token.expiresAt <= this.#clock.now()) return undefined
    for (const record of this.#refresh.values())
      if (record.accessToken === accessToken) this.#retirePrevious(record)
    return token
  }

  /** Uninstall: every token and refresh token stops working at once. */
  revokeAll(): void {
    for (const token of this.#tokens.values()) token.revoked = true
    for (const record of this.#refresh.values()) record.consumed = true
    this.#codes.clear()
  }
}
