import { Worker as Thread } from 'node:worker_threads'
import { config } from './config.js'
import { captureTemplates, deliveriesFrom, interleave } from './deliveries.js'
import type { LoadInput, LoadResult } from './load-generator.js'
import { fmt, ms, summarize } from './stats.js'
import type { Row } from './table.js'
import { sampleWaits } from './wait-sampler.js'
import { buildWorld, type World } from './world.js'

const GOAL_PER_SECOND = 2_000

/** Run the load generator in a worker thread and wait for its report. */
function runLoadGenerator(input: LoadInput): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const thread = new Thread(new URL('./load-generator.ts', import.meta.url), { workerData: input })
    thread.once('message', (result: LoadResult) => {
      resolve(result)
      void thread.terminate()
    })
    thread.once('error', reject)
    thread.once('exit', (code) => {
      if (code !== 0 && code !== 1) reject(new Error(`load generator exited with ${code}`))
    })
  })
}

/**
 * Throughput of one-row INSERT transactions on the store's own pool with the same number of
 * requests in flight: the database's commit rate, the baseline of the HTTP row. With
 * `notify`, each INSERT also calls `pg_notify` in its transaction, as `enqueueItems` does.
 */
async function insertsPerSecond(world: World, count: number, notify: boolean): Promise<number> {
  const table = `"${world.db.schema}".bench_baseline_${notify ? 'notify' : 'plain'}`
  await world.db.pool.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, payload jsonb NOT NULL)`)
  const sql = notify
    ? `WITH i AS (INSERT INTO ${table} (payload) VALUES ($1) RETURNING id)
       SELECT pg_notify('${world.db.schema}_baseline', '') FROM i`
    : `INSERT INTO ${table} (payload) VALUES ($1)`
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: config.httpConcurrency }, async () => {
      while (next < count) {
        next += 1
        await world.db.pool.query(sql, [JSON.stringify({ next })])
      }
    }),
  )
  return count / ((performance.now() - started) / 1000)
}

/**
 * Webhook ingest over HTTP: the hub's handler mounted with `toNodeHandler` on `node:http`
 * (127.0.0.1), a load generator in a worker thread sending N distinct signed deliveries (half
 * Shopify, half WooCommerce, interleaved) with C requests in flight over keep-alive. Loss check:
 * every delivery answered 200 `accepted`, and the database holds exactly N events with N
 * distinct provider event ids and exactly the items the answers reported.
 */
export async function runHttpLoad(): Promise<Row[]> {
  const world = await buildWorld({ name: 'http', products: 5, initial: 1_000 })
  try {
    const templates = await captureTemplates(world)
    await world.settle()
    await world.worker.stop()
    const half = Math.ceil(config.httpDeliveries / 2)
    const deliveries = interleave(
      deliveriesFrom(templates, 'shopify', half, 0),
      deliveriesFrom(templates, 'woocommerce', config.httpDeliveries - half, 0),
    )
    const eventsBefore = await world.db.count('webhook_events')
    const itemsBefore = await world.db.count('items')
    const waits = await sampleWaits(world.db.schema)
    const cpuBefore = process.threadCpuUsage()
    const result = await runLoadGenerator({
      baseUrl: world.hubUrl,
      deliveries,
      concurrency: config.httpConcurrency,
    })
    const cpu = process.threadCpuUsage(cpuBefore)
    const topWaits = await waits.stop()
    // The main thread only: it serves the hub (the load generator runs in its own thread).
    const cpuShare = (cpu.user + cpu.system) / 1000 / result.elapsedMs
    const events = (await world.db.count('webhook_events')) - eventsBefore
    const { rows } = await world.db.pool.query<{ n: string }>(
      `SELECT count(DISTINCT (provider, provider_event_id)) AS n FROM "${world.db.schema}".webhook_events`,
    )
    const distinctEvents = Number(rows[0]!.n) - eventsBefore
    const items = (await world.db.count('items')) - itemsBefore
    const n = deliveries.length
    const expectedItems = half + 2 * (n - half)
    const lossless =
      result.statuses['200'] === n &&
      result.accepted === n &&
      events === n &&
      distinctEvents === n &&
      items === result.created &&
      items === expectedItems
    const perSecond = n / (result.elapsedMs / 1000)
    const plain = await insertsPerSecond(world, n, false)
    const notifying = await insertsPerSecond(world, n, true)
    const latency = summarize(result.latencies)
    const statuses = Object.entries(result.statuses)
      .map(([status, count]) => `${count}× ${status}`)
      .join(', ')
    return [
      {
        section: 'ingest (HTTP)',
        measure: `${fmt(n, 0)} signed deliveries, ${config.httpConcurrency} in flight, keep-alive`,
        value: `${fmt(perSecond, 0)} deliveries/s`,
        goal: '≥ 2,000/s',
        met: perSecond >= GOAL_PER_SECOND && lossless,
        note:
          `${fmt(perSecond / plain, 2)}× the INSERT baseline; ${fmt(result.elapsedMs / 1000, 2)} s; ` +
          `request p50 / p99 ${ms(latency.p50)} / ${ms(latency.p99)}`,
      },
      {
        section: 'ingest (HTTP)',
        measure: `baseline: one-row INSERT transactions, same pool, ${config.httpConcurrency} in flight`,
        value: `${fmt(plain, 0)} commits/s`,
        goal: '—',
        met: null,
        note: `with pg_notify in each transaction (as enqueueItems does): ${fmt(notifying, 0)} commits/s`,
      },
      {
        section: 'ingest (HTTP)',
        measure: 'where the time goes during the load (server thread CPU)',
        value: `${fmt(cpuShare * 100, 0)} % of a core`,
        goal: '—',
        met: null,
        note: `CPU of the thread serving the hub; database waits sampled: ${topWaits}`,
      },
      {
        section: 'ingest (HTTP)',
        measure: 'loss check: answers, events, items',
        value: lossless ? 'none lost or doubled' : 'MISMATCH',
        goal: 'every delivery recorded once',
        met: lossless,
        note:
          `${statuses}; ${result.accepted} accepted; ${events} events (${distinctEvents} distinct); ` +
          `${items} items (answers said ${result.created}, expected ${expectedItems})` +
          (result.firstError ? `; first error: ${result.firstError}` : ''),
      },
    ]
  } finally {
    await world.close()
  }
}
