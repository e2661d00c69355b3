import type { Rng } from './rng.js'

/**
 * Webhook deliveries held back for a random time before they reach the hub: the "delayed"
 * fault for a store whose fake has no delay switch of its own (WooCommerce). Requests are
 * delivered oldest-due first; answers are counted by HTTP status.
 */
export interface DeliveryQueue {
  /** Hold one request for `0..maxDelayMs` (0 when delays are off). */
  hold(request: Request): void
  /** Deliver every request that is due now. */
  deliverDue(): Promise<void>
  /** Deliver everything held, due or not. */
  deliverAll(): Promise<void>
  setMaxDelay(ms: number): void
  pending(): number
  /** Deliveries made so far by HTTP status. */
  readonly statuses: Map<number, number>
}

/** Create a {@link DeliveryQueue} that posts to `deliver` (the hub's webhook handler). */
export function deliveryQueue(deliver: (request: Request) => Promise<Response>, rng: Rng): DeliveryQueue {
  let held: { request: Request; dueAt: number }[] = []
  let maxDelayMs = 0
  const statuses = new Map<number, number>()
  const send = async (batch: { request: Request }[]) => {
    for (const { request } of batch) {
      const response = await deliver(request)
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
    }
  }
  return {
    hold(request) {
      held.push({ request, dueAt: Date.now() + (maxDelayMs > 0 ? rng.int(maxDelayMs + 1) : 0) })
    },
    async deliverDue() {
      const now = Date.now()
      const due = held.filter((h) => h.dueAt <= now).sort((a, b) => a.dueAt - b.dueAt)
      held = held.filter((h) => h.dueAt > now)
      await send(due)
    },
    async deliverAll() {
      while (held.length > 0) {
        const all = held.sort((a, b) => a.dueAt - b.dueAt)
        held = []
        await send(all)
      }
    },
    setMaxDelay(ms) {
      maxDelayMs = ms
    },
    pending: () => held.length,
    statuses,
  }
}
