import { HubError, type Scope } from '@hub/core'

/** Throw the typed error the memory store throws for input a store cannot accept. */
export function invalid(message: string): never {
  throw new HubError('STORE_INPUT_INVALID', message)
}

/** The seller of a scope, or a typed error (never a silent unscoped query). */
export function sellerOf(scope: Scope): string {
  const sellerId: unknown = scope?.sellerId
  if (typeof sellerId !== 'string' || sellerId.length === 0) {
    throw new HubError('SCOPE_INVALID', 'a store scope needs a non-empty sellerId')
  }
  return sellerId
}

/** A non-empty string or a typed error. */
export function nonEmpty(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) invalid(`${what} must be a non-empty string`)
  return value
}

/** A valid Date or a typed error. */
export function validDate(value: unknown, what: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) invalid(`${what} must be a valid Date`)
  return value
}

/** A value of an enum schema or a typed error. */
export function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value as T)) invalid(`unknown ${what} "${String(value)}"`)
  return value as T
}
