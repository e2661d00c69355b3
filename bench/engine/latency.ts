import { postgresStore } from '@hub/store-postgres'
import { Logger, makeWorkerUtils, run } from 'graphile-worker'
import { config } from './config.js'
import { hubLoop } from './hub-loop.js'
import { type HubFixture, newItems } from './setup.js'

/** p50, p99 and max of samples in ms. */
export interface Latency {
  p50: number
  p99: number
  max: number
}

function summarize(samples: number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Enqueue one item at a time into an idle hub worker; time from the enqueue call to the item's start. */
export async function hubLatency(fixture: HubFixture): Promise<Latency> {
  const worker = postgresStore({ connectionString: config.databaseUrl, schema: config.hubSchema })
  const producer = postgresStore({ connectionString: config.databaseUrl, schema: config.hubSchema })
  let started: ((at: number) => void) | null = null
  const loop = hubLoop(worker, {
    workerId: 'latency',
    concurrency: config.concurrency,
    onStart: () => started?.(performance.now()),
  })
  await worker.listening()
  await pause(200)
  const samples: number[] = []
  for (let i = 0; i < config.latencySamples; i++) {
    const start = new Promise<number>((resolve) => {
      started = resolve
    })
    const t0 = performance.now()
    await producer.enqueueItems(newItems(fixture, `latency-${i}`, 1))
    samples.push((await start) - t0)
    await pause(10)
  }
  await loop.stop()
  await Promise.all([worker.close(), producer.close()])
  return summarize(samples)
}

/** The same for graphile-worker in its default configuration (LISTEN/NOTIFY on `add_job`). */
export async function graphileLatency(): Promise<Latency> {
  let started: ((at: number) => void) | null = null
  const logger = new Logger(() => () => {})
  const runner = await run({
    connectionString: config.databaseUrl,
    schema: config.graphileSchema,
    concurrency: config.concurrency,
    noHandleSignals: true,
    logger,
    taskList: { noop: async () => started?.(performance.now()) },
  })
  const utils = await makeWorkerUtils({
    connectionString: config.databaseUrl,
    schema: config.graphileSchema,
    logger,
  })
  await pause(200)
  const samples: number[] = []
  for (let i = 0; i < config.latencySamples; i++) {
    const start = new Promise<number>((resolve) => {
      started = resolve
    })
    const t0 = performance.now()
    await utils.addJob('noop', {})
    samples.push((await start) - t0)
    await pause(10)
  }
  await runner.stop()
  await utils.release()
  return summarize(samples)
}
