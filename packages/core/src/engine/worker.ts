import { randomUUID } from 'node:crypto'
import type { SyncItem } from '../domain/schemas.js'
import type { EngineDeps } from './deps.js'
import { type CoreOperation, executeClaimedItem } from './execute-item.js'

/** Options of a worker. */
export interface WorkerOptions {
  /** Items executed at once. Default 4. */
  concurrency?: number
  /** Lease length; heartbeats renew it every third of it. Default 30 s. */
  leaseMs?: number
  /** Fallback poll interval when the store has no wake-up signal or is idle. Default 1 s. */
  pollMs?: number
  /** Only claim items of these providers. */
  providers?: string[]
  /** Stable id in leases and attempt history. Default a random UUID. */
  workerId?: string
}

/** A running worker. */
export interface Worker {
  readonly id: string
  /** Start claiming. Resolves once the loop runs. */
  start(): Promise<void>
  /**
   * Stop claiming; wait up to `timeoutMs` (default 10 s) for in-flight items, then abort the rest
   * (they are released back to `pending`, not counted as failed attempts).
   */
  stop(options?: { timeoutMs?: number }): Promise<void>
  /** Claim and run until nothing is due now; for tests, scripts and cron-style hosts. */
  drain(options?: { maxItems?: number }): Promise<number>
  /** Items currently executing. */
  inFlight(): number
}

/** Create a worker over the engine's dependencies. */
export function createWorker(
  deps: EngineDeps,
  coreOperations: Readonly<Record<string, CoreOperation>>,
  options: WorkerOptions = {},
): Worker {
  const id = options.workerId ?? `worker-${randomUUID()}`
  const concurrency = Math.max(1, options.concurrency ?? 4)
  const leaseMs = options.leaseMs ?? 30_000
  const pollMs = options.pollMs ?? 1_000
  const inflight = new Map<string, { controller: AbortController; done: Promise<void> }>()
  const stopController = new AbortController()
  let running = false
  let loop: Promise<void> | null = null
  let heartbeatTimer: ReturnType<typeof setInterval> | null = null
  let wake: (() => void) | null = null
  // A wake-up that arrives while the loop is not sleeping (mid-claim): the next sleep returns at once.
  let wakePending = false
  const signalWake = () => {
    if (wake) wake()
    else wakePending = true
  }
  let unsubscribe: (() => void) | null = null

  const claim = async (limit: number): Promise<SyncItem[]> => {
    if (limit <= 0) return []
    return deps.store.claimItems({
      workerId: id,
      limit,
      leaseMs,
      now: deps.clock.now(),
      ...(options.providers ? { providers: options.providers } : {}),
    })
  }

  const launch = (item: SyncItem) => {
    const controller = new AbortController()
    const onStop = () => controller.abort(new Error('worker stopping'))
    stopController.signal.addEventListener('abort', onStop, { once: true })
    const done = executeClaimedItem(deps, coreOperations, item, id, controller.signal)
      .then(() => undefined)
      .catch((error: unknown) => {
        // The store failed while finishing: the lease expires and the item is claimed again.
        deps.logger.error({ itemId: item.id, err: String(error) }, 'could not record item outcome')
      })
      .finally(() => {
        stopController.signal.removeEventListener('abort', onStop)
        inflight.delete(item.id)
        signalWake()
      })
    inflight.set(item.id, { controller, done })
  }

  const heartbeat = async () => {
    const ids = [...inflight.keys()]
    if (ids.length === 0) return
    try {
      const kept = new Set(await deps.store.heartbeat(id, ids, leaseMs, deps.clock.now()))
      for (const itemId of ids) {
        if (!kept.has(itemId)) inflight.get(itemId)?.controller.abort(new Error('lease lost'))
      }
    } catch (error) {
      deps.logger.warn({ err: String(error) }, 'heartbeat failed')
    }
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (wakePending) {
        wakePending = false
        resolve()
        return
      }
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        wake = null
        resolve()
      }
      wake = done
    })

  const run = async () => {
    while (running) {
      let claimed: SyncItem[] = []
      // Work signalled from here on is seen by this claim or wakes the sleep after it.
      wakePending = false
      try {
        claimed = await claim(concurrency - inflight.size)
      } catch (error) {
        deps.logger.error({ err: String(error) }, 'claim failed')
      }
      claimed.forEach(launch)
      if (!running) break
      if (claimed.length === 0 || inflight.size >= concurrency) {
        let wait = pollMs
        if (claimed.length === 0 && inflight.size < concurrency && deps.store.nextDueAt) {
          const due = await deps.store.nextDueAt().catch(() => null)
          if (due) wait = Math.min(pollMs, Math.max(0, due.getTime() - deps.clock.now().getTime()))
        }
        await sleep(wait)
      }
    }
  }

  return {
    id,
    async start() {
      if (running) return
      running = true
      unsubscribe = deps.store.onWake?.(signalWake) ?? null
      heartbeatTimer = setInterval(() => void heartbeat(), Math.max(50, Math.floor(leaseMs / 3)))
      heartbeatTimer.unref?.()
      loop = run()
    },
    async stop({ timeoutMs = 10_000 } = {}) {
      running = false
      wake?.()
      await loop
      const pending = [...inflight.values()].map((f) => f.done)
      const timedOut = await Promise.race([
        Promise.all(pending).then(() => false),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(true), timeoutMs).unref?.()),
      ])
      if (timedOut) {
        stopController.abort(new Error('worker stopping'))
        await Promise.all([...inflight.values()].map((f) => f.done))
      }
      if (heartbeatTimer) clearInterval(heartbeatTimer)
      unsubscribe?.()
    },
    async drain({ maxItems = Number.POSITIVE_INFINITY } = {}) {
      let processed = 0
      const timer = setInterval(() => void heartbeat(), Math.max(50, Math.floor(leaseMs / 3)))
      timer.unref?.()
      try {
        while (processed < maxItems) {
          const batch = await claim(Math.min(concurrency, maxItems - processed))
          if (batch.length === 0) break
          batch.forEach(launch)
          await Promise.all(batch.map((item) => inflight.get(item.id)?.done))
          processed += batch.length
        }
      } finally {
        clearInterval(timer)
      }
      return processed
    },
    inFlight: () => inflight.size,
  }
}
