import { config } from './config.js'
import { captureTemplates, deliveriesFrom, type SignedDelivery } from './deliveries.js'
import { fmt, ms, type Summary, summarize } from './stats.js'
import type { Row } from './table.js'
import { buildWorld, type World } from './world.js'

const GOAL_P99_MS = 10
const WARM_UP = 50

/** The Web request a host's route hands to `hub.webhooks`. */
function toRequest(world: World, delivery: SignedDelivery): Request {
  return new Request(`${world.hubUrl}${delivery.path}`, {
    method: 'POST',
    headers: delivery.headers,
    body: delivery.body,
  })
}

/** Time `hub.webhooks(request)` one delivery at a time; every answer must be 200 `accepted`. */
async function timeIngest(world: World, deliveries: readonly SignedDelivery[]): Promise<number[]> {
  const samples: number[] = []
  for (const delivery of deliveries) {
    const request = toRequest(world, delivery)
    const t0 = performance.now()
    const response = await world.hub.webhooks(request)
    const answer = (await response.json()) as { status?: string }
    const elapsed = performance.now() - t0
    if (response.status !== 200 || answer.status !== 'accepted') {
      throw new Error(`${delivery.provider} delivery answered ${response.status} ${JSON.stringify(answer)}`)
    }
    samples.push(elapsed)
  }
  return samples
}

/** Time a bare one-row INSERT round trip on the store's own pool, one at a time. */
async function timeBaselineInsert(world: World, count: number): Promise<number[]> {
  const table = `"${world.db.schema}".bench_baseline`
  await world.db.pool.query(`CREATE TABLE ${table} (id bigserial PRIMARY KEY, payload jsonb NOT NULL)`)
  const samples: number[] = []
  for (let i = 0; i < count + WARM_UP; i += 1) {
    const t0 = performance.now()
    await world.db.pool.query(`INSERT INTO ${table} (payload) VALUES ($1)`, [JSON.stringify({ i })])
    if (i >= WARM_UP) samples.push(performance.now() - t0)
  }
  return samples
}

function latencyRow(measure: string, s: Summary, baseline: Summary): Row {
  return {
    section: 'ingest (in process)',
    measure: `${measure}, p50 / p99 (n=${s.count})`,
    value: `${ms(s.p50)} / ${ms(s.p99)}`,
    goal: 'p99 < 10 ms',
    met: s.p99 < GOAL_P99_MS,
    note: `${fmt(s.p50 / baseline.p50)}× / ${fmt(s.p99 / baseline.p99)}× the INSERT baseline; max ${ms(s.max)}`,
  }
}

/**
 * Webhook ingest in process on PostgreSQL: signed Shopify and WooCommerce deliveries through
 * `hub.webhooks` (identify, verify the HMAC, resolve the connection, record the event, create
 * the run and items), one at a time, with the worker stopped so only ingest touches the
 * database. Baseline: a bare one-row INSERT round trip on the same pool, same run.
 */
export async function runIngest(): Promise<Row[]> {
  const world = await buildWorld({ name: 'ingest', products: 5, initial: 1_000 })
  try {
    const templates = await captureTemplates(world)
    await world.settle()
    await world.worker.stop()
    const n = config.ingestSamples
    const eventsBefore = await world.db.count('webhook_events')
    const itemsBefore = await world.db.count('items')
    await timeIngest(world, deliveriesFrom(templates, 'shopify', WARM_UP, 0))
    await timeIngest(world, deliveriesFrom(templates, 'woocommerce', WARM_UP, 0))
    const shopify = summarize(await timeIngest(world, deliveriesFrom(templates, 'shopify', n, 0)))
    const woo = summarize(await timeIngest(world, deliveriesFrom(templates, 'woocommerce', n, WARM_UP)))
    const baseline = summarize(await timeBaselineInsert(world, n))
    const events = (await world.db.count('webhook_events')) - eventsBefore
    const items = (await world.db.count('items')) - itemsBefore
    const expectedEvents = 2 * (n + WARM_UP)
    // inventory_levels/update → 1 reconcile; product.updated (simple product) → reconcile + catalog.change
    const expectedItems = 3 * (n + WARM_UP)
    if (events !== expectedEvents || items !== expectedItems) {
      throw new Error(
        `ingest recorded ${events} events / ${items} items, expected ${expectedEvents} / ${expectedItems}`,
      )
    }
    return [
      latencyRow('Shopify inventory_levels/update: verify + record + enqueue', shopify, baseline),
      latencyRow('WooCommerce product.updated: verify + record + enqueue', woo, baseline),
      {
        section: 'ingest (in process)',
        measure: `baseline: bare INSERT round trip, same pool, p50 / p99 (n=${baseline.count})`,
        value: `${ms(baseline.p50)} / ${ms(baseline.p99)}`,
        goal: '—',
        met: null,
        note: `${events} events, ${items} items recorded (exactly the deliveries sent)`,
      },
    ]
  } finally {
    await world.close()
  }
}
