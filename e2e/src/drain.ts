import type { Hub, Scope, SyncItem } from '@hub/core'

const OPEN: SyncItem['status'][] = ['pending', 'failed', 'running']

/** Every item of a seller (paged, so a store with a default page size is read in full). */
export async function listAllItems(
  hub: Hub,
  scope: Scope,
  status?: SyncItem['status'][],
): Promise<SyncItem[]> {
  const out: SyncItem[] = []
  for (;;) {
    const last = out.at(-1)
    const page = await hub.store.listItems(scope, {
      limit: 500,
      ...(status ? { status } : {}),
      ...(last ? { after: last.id } : {}),
    })
    out.push(...page)
    if (page.length < 500) return out
  }
}

/** Options of {@link drainUntilQuiet}. */
export interface DrainOptions {
  hub: Hub
  scope: Scope
  leaseMs: number
  /** Deliver the stores' pending webhooks (called between drains). */
  flush: () => Promise<void>
  /** Give up after this long (the caller then sees open items and fails). */
  deadlineMs: number
}

/**
 * What a deployment's workers and housekeeping do until nothing is left: run due items, deliver
 * webhooks, reap leases of crashed workers (`hub.sweep`), wait for back-offs and expiring
 * leases. Quiet = no pending, failed or running item twice in a row. Bounded by `deadlineMs`.
 * Returns the open items left (empty when quiet).
 */
export async function drainUntilQuiet(options: DrainOptions): Promise<SyncItem[]> {
  const { hub, scope } = options
  const worker = hub.worker({ concurrency: 4, leaseMs: options.leaseMs, workerId: 'e2e-drainer' })
  const deadline = Date.now() + options.deadlineMs
  let quietRounds = 0
  let open: SyncItem[] = []
  while (Date.now() < deadline) {
    await options.flush()
    await hub.sweep(scope)
    const ran = await worker.drain()
    open = await listAllItems(hub, scope, OPEN)
    if (open.length === 0 && ran === 0) {
      quietRounds += 1
      if (quietRounds >= 2) return []
    } else {
      quietRounds = 0
    }
    await new Promise((resolve) => setTimeout(resolve, open.length === 0 ? 5 : 20))
  }
  return open
}
