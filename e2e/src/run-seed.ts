import type { HubStore } from '@hub/core'
import { summarize, type Verdict, verdict } from './convergence.js'
import { recover } from './recovery.js'
import { seededRng } from './rng.js'
import { playTraffic, type TrafficOptions, type TrafficReport } from './traffic.js'
import { buildWorld, type World } from './world.js'

/** Options of {@link runSeed}. */
export interface SeedOptions {
  seed: number
  store: HubStore
  /** Label of the store in the summary. */
  storeName: string
  products?: number
  initial?: number
  steps?: number
  leaseMs?: number
  /** See {@link TrafficOptions.inFlightSaleRate}. Default 0.1. */
  inFlightSaleRate?: TrafficOptions['inFlightSaleRate']
  /** See {@link TrafficOptions.wooCheckoutDuringWrite}. Default true. */
  wooCheckoutDuringWrite?: boolean
}

/** Everything one seed produced, for the assertions. */
export interface SeedOutcome {
  world: World
  traffic: TrafficReport
  verdict: Verdict
  /** Items still open when the recovery's deadline passed (empty when it went quiet). */
  open: number
  summary: string
  durationMs: number
}

/**
 * One convergence run: build the world, start two workers (one in a process that will be
 * killed), play the seeded traffic, recover, and judge. The world is closed before returning.
 */
export async function runSeed(options: SeedOptions): Promise<SeedOutcome> {
  const started = Date.now()
  const products = options.products ?? 20
  const initial = options.initial ?? 40
  const leaseMs = options.leaseMs ?? 600
  const rng = seededRng(options.seed)
  const world = await buildWorld({
    seed: options.seed,
    rng,
    products,
    initial,
    store: options.store,
    leaseMs,
  })
  try {
    const doomed = world.doomedHub.worker({ concurrency: 4, leaseMs, pollMs: 25, workerId: 'doomed' })
    const survivor = world.hub.worker({ concurrency: 4, leaseMs, pollMs: 25, workerId: 'survivor' })
    await doomed.start()
    await survivor.start()
    const workers = [doomed, survivor]
    const steps = options.steps ?? 200
    const traffic = await playTraffic(world, rng, {
      steps,
      reserve: 6,
      inFlightSaleRate: options.inFlightSaleRate ?? 0.1,
      wooCheckoutDuringWrite: options.wooCheckoutDuringWrite ?? true,
      initial,
      crashAtStep: Math.floor(steps / 3),
      workers,
    })
    const open = await recover(world, workers.slice(1), 12_000)
    const result = await verdict(world, traffic, initial)
    const durationMs = Date.now() - started
    return {
      world,
      traffic,
      verdict: result,
      open: open.length,
      durationMs,
      summary: summarize(`seed ${options.seed}, ${options.storeName}`, world, traffic, result, durationMs),
    }
  } finally {
    await world.close()
  }
}
