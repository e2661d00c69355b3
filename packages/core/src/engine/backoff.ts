/** Retry timing of failed items. */
export interface BackoffOptions {
  /** Delay cap of the first retry, in ms. Default 1000. */
  baseMs?: number
  /** Largest delay, in ms. Default 15 minutes. */
  maxMs?: number
  /** Random source in [0, 1); injectable for tests. */
  random?: () => number
}

/**
 * Exponential backoff with full jitter: a uniform delay in `[0, min(maxMs, baseMs·2^(attempt−1))]`.
 * A provider's `retryAfterMs` (e.g. Retry-After, THROTTLED) is a floor: never retry earlier.
 */
export function backoffDelay(
  attempt: number,
  retryAfterMs: number | undefined,
  options: BackoffOptions = {},
): number {
  const base = options.baseMs ?? 1_000
  const max = options.maxMs ?? 15 * 60_000
  const random = options.random ?? Math.random
  const exponent = Math.min(Math.max(attempt - 1, 0), 30)
  const cap = Math.min(max, base * 2 ** exponent)
  const jittered = Math.floor(random() * cap)
  return Math.max(jittered, Math.ceil(retryAfterMs ?? 0))
}
