import type { SyncItem } from '@hub/core'
import type { SqlHubStore } from '@hub/store-postgres'

/** Options of {@link hubLoop}. */
export interface HubLoopOptions {
  workerId: string
  concurrency: number
  /**
   * 0 (default): what the engine's worker does, claim exactly as many items as there are free
   * slots. N > 0: keep up to N claimed items in a local buffer and refill it when it runs below
   * a quarter, like graphile-worker's `localQueue`.
   */
  prefetch?: number
  /**
   * false (default, as the engine): a slot stays busy until finishItem resolved. true: the slot
   * frees as soon as finishItem is called and the outcomes of many items share one commit, the
   * trade-off of graphile-worker's `completeJobBatchDelay` (a crash before that commit re-runs
   * those items once their leases expire).
   */
  releaseSlotOnFinish?: boolean
  leaseMs?: number
  onStart?: (item: SyncItem) => void
}

/**
 * A worker on the store API directly: claim, run each item (a no-op here), finishItem, and sleep
 * until a slot frees, a NOTIFY arrives, or the poll fallback fires. A slot is held until
 * finishItem resolved, as in the engine; concurrent finishItem calls share a commit in the store.
 */
export function hubLoop(store: SqlHubStore, options: HubLoopOptions) {
  const { workerId, concurrency } = options
  const prefetch = options.prefetch ?? 0
  const leaseMs = options.leaseMs ?? 30_000
  const inflight = new Set<string>()
  const buffer: SyncItem[] = []
  const finishing = new Set<Promise<unknown>>()
  let running = true
  let wake: (() => void) | null = null
  // Set by a NOTIFY or a freed slot; cleared before each claim. A signal that arrives while a
  // claim is in flight (after its snapshot) must not be lost to the sleep that follows it.
  let signalled = false
  const signal = () => {
    signalled = true
    wake?.()
  }
  const off = store.onWake(signal)

  const execute = async (item: SyncItem) => {
    options.onStart?.(item)
    const now = new Date()
    const finished = store.finishItem({
      itemId: item.id,
      workerId,
      outcome: { status: 'succeeded' },
      attempt: { startedAt: now, finishedAt: now, outcome: 'succeeded' },
      now,
    })
    if (!options.releaseSlotOnFinish) return void (await finished)
    finishing.add(finished)
    void finished.finally(() => finishing.delete(finished))
  }

  const pump = () => {
    while (inflight.size < concurrency && buffer.length > 0) {
      const item = buffer.shift()!
      inflight.add(item.id)
      void execute(item).finally(() => {
        inflight.delete(item.id)
        pump()
        signal()
      })
    }
  }

  const want = () =>
    prefetch > 0
      ? buffer.length <= prefetch / 4
        ? prefetch - buffer.length
        : 0
      : concurrency - inflight.size - buffer.length

  const loop = (async () => {
    while (running) {
      signalled = false
      const limit = want()
      const claimed = limit > 0 ? await store.claimItems({ workerId, limit, leaseMs, now: new Date() }) : []
      buffer.push(...claimed)
      pump()
      if (claimed.length > 0 && want() > 0) continue
      if (signalled && want() > 0) continue
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 1_000)
        function done() {
          clearTimeout(timer)
          wake = null
          resolve()
        }
        wake = done
      })
    }
  })()

  return {
    async stop() {
      running = false
      wake?.()
      await loop
      await Promise.all(finishing)
      off()
    },
  }
}
