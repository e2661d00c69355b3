import { CredentialError, PermanentError } from '@hub/core'

/** An OAuth step failed for a reason retrying cannot fix (bad HMAC, stale timestamp, reused state…). */
export class ShopifyAuthError extends PermanentError {}

/**
 * The connection's tokens can no longer be used or refreshed (`invalid_grant`, revoked, expired
 * refresh token): the merchant must install the app again. `needsReauth` lets an engine that does
 * not know Shopify mark the connection for re-authorization.
 */
export class ShopifyReauthRequiredError extends CredentialError {
  /** Always true: the connection needs a new OAuth grant. */
  readonly needsReauth = true as const
  constructor(message: string, options?: { cause?: unknown }) {
    super('SHOPIFY_REAUTH_REQUIRED', message, options)
  }
}

/** One entry of a mutation's `userErrors`. */
export interface ShopifyUserErrorEntry {
  /** Shopify's error code, e.g. `CHANGE_FROM_QUANTITY_STALE`; null when the mutation has none. */
  code: string | null
  /** Path of the offending input field, e.g. `['input', 'changes', '0', 'delta']`. */
  field: string[] | null
  message: string
}

/** A mutation answered with `userErrors`: the input was refused, retrying it unchanged cannot help. */
export class ShopifyUserError extends PermanentError {
  /** Every user error Shopify returned (the first one gives `code` and `field`). */
  readonly userErrors: readonly ShopifyUserErrorEntry[]
  /** Path of the first offending field. */
  readonly field: string[] | null
  constructor(mutation: string, userErrors: readonly ShopifyUserErrorEntry[]) {
    const first = userErrors[0]
    super(
      first?.code ?? 'SHOPIFY_USER_ERROR',
      `${mutation}: ${userErrors.map((e) => `${e.field?.join('.') ?? '(input)'}: ${e.message}`).join('; ')}`,
    )
    this.userErrors = userErrors
    this.field = first?.field ?? null
  }
}

/**
 * A query asked for more than Shopify's single-query limit (1000 points). Retrying the same query
 * cannot help; the caller splits it (see `withPageSizeSplitting`).
 */
export class ShopifyMaxCostExceededError extends PermanentError {
  /** The cost Shopify computed for the query, when it said. */
  readonly requestedCost: number | null
  constructor(message: string, requestedCost: number | null) {
    super('SHOPIFY_MAX_COST_EXCEEDED', message)
    this.requestedCost = requestedCost
  }
}

/** Top-level GraphQL errors other than throttling and cost (ACCESS_DENIED, BAD_REQUEST, parse errors…). */
export class ShopifyGraphqlError extends PermanentError {}
