import type { Clock } from '@hub/core'
import { z } from 'zod'

/** `extensions.cost.throttleStatus` of a GraphQL Admin response. */
export const throttleStatusSchema = z.object({
  maximumAvailable: z.number().nonnegative(),
  currentlyAvailable: z.number(),
  restoreRate: z.number().positive(),
})
/** @see throttleStatusSchema */
export type ThrottleStatus = z.infer<typeof throttleStatusSchema>

/** `extensions.cost` of a GraphQL Admin response. */
export const queryCostSchema = z.object({
  requestedQueryCost: z.number().nullish(),
  actualQueryCost: z.number().nullish(),
  throttleStatus: throttleStatusSchema,
})
/** @see queryCostSchema */
export type QueryCost = z.infer<typeof queryCostSchema>

/**
 * A local model of Shopify's leaky bucket for one app+shop, fed by every response's
 * `throttleStatus`. Before a query it says how long to wait so the query's estimated cost is
 * available, and it charges the estimate up front so concurrent queries do not overdraw.
 */
export class CostPacer {
  #status: ThrottleStatus | null = null
  #observedAt = 0
  #charged = 0

  /** Record the bucket as Shopify reported it at `atMs`. */
  observe(status: ThrottleStatus, atMs: number): void {
    this.#status = status
    this.#observedAt = atMs
    this.#charged = 0
  }

  /** Points available at `atMs` by the model, or null before the first response. */
  available(atMs: number): number | null {
    const status = this.#status
    if (status === null) return null
    const restored = (Math.max(0, atMs - this.#observedAt) / 1000) * status.restoreRate
    return Math.min(status.maximumAvailable, status.currentlyAvailable + restored) - this.#charged
  }

  /**
   * Milliseconds to wait until `cost` points are available (0 when they are or nothing is known
   * yet). A cost above the bucket size waits for a full bucket.
   */
  waitMs(cost: number, atMs: number): number {
    const status = this.#status
    const available = this.available(atMs)
    if (status === null || available === null) return 0
    const needed = Math.min(cost, status.maximumAvailable) - available
    return needed <= 0 ? 0 : Math.ceil((needed / status.restoreRate) * 1000)
  }

  /** Charge `cost` points for a query about to be sent. */
  charge(cost: number): void {
    this.#charged += cost
  }

  #queue: Promise<void> = Promise.resolve()

  /**
   * Wait until `cost` points are available, then charge them. Callers queue up, so concurrent
   * queries on one shop (several clients sharing this pacer) never count the same points twice.
   */
  acquire(cost: number, clock: Clock, signal?: AbortSignal, onWait?: (ms: number) => void): Promise<void> {
    const turn = this.#queue.then(async () => {
      const wait = this.waitMs(cost, clock.now().getTime())
      if (wait > 0) {
        onWait?.(wait)
        await clock.sleep(wait, signal)
      }
      this.charge(cost)
    })
    this.#queue = turn.catch(() => {})
    return turn
  }

  /** The last reported bucket, for diagnostics. */
  snapshot(): ThrottleStatus | null {
    return this.#status
  }
}

/** Shortest back-off after THROTTLED even when the bucket says less: avoids hot retry loops. */
const MIN_THROTTLE_WAIT_MS = 100

/**
 * How long to back off after a THROTTLED answer: exactly until the requested cost is restored
 * when the answer says how full the bucket is, else one second (Shopify's guidance).
 */
export function throttledRetryAfterMs(cost: QueryCost | null): number {
  if (!cost || typeof cost.requestedQueryCost !== 'number') return 1000
  const { currentlyAvailable, restoreRate } = cost.throttleStatus
  const restoreMs = Math.ceil(((cost.requestedQueryCost - currentlyAvailable) / restoreRate) * 1000)
  return Math.max(MIN_THROTTLE_WAIT_MS, restoreMs)
}
