/**
 * A worker process for the multi-process test: claim → side effect → finishItem, with `CONCURRENCY`
 * items in flight, heartbeats, and NOTIFY wake-ups. The side effect inserts into a table with a
 * unique key; a unique violation there means the item ran twice and is logged in `duplicates`.
 * Exits once no item of the schema is left unfinished.
 */
import pg from 'pg'
import { isUniqueViolation, postgresStore } from '../src/index.js'

const { DATABASE_URL, SCHEMA, WORKER_ID } = process.env
const concurrency = Number(process.env.CONCURRENCY ?? 8)
const leaseMs = Number(process.env.LEASE_MS ?? 2_000)
const s = `"${SCHEMA}"`

const store = postgresStore({ connectionString: DATABASE_URL!, schema: SCHEMA!, max: concurrency + 2 })
// The side effect stands for a call to another system; its commit need not wait for the WAL
// flush (the store's own writes do). Its unique key is what detects a second execution.
const effects = new pg.Pool({
  connectionString: DATABASE_URL!,
  max: concurrency,
  options: '-c synchronous_commit=off',
})
const inflight = new Set<string>()
let wake: (() => void) | null = null
store.onWake(() => wake?.())

async function execute(itemId: string): Promise<void> {
  try {
    await effects.query(`INSERT INTO ${s}.effects (item_id, worker) VALUES ($1, $2)`, [itemId, WORKER_ID])
  } catch (error) {
    if (!isUniqueViolation(error)) throw error
    await effects.query(`INSERT INTO ${s}.duplicates (item_id, worker) VALUES ($1, $2)`, [itemId, WORKER_ID])
  }
  const now = new Date()
  await store.finishItem({
    itemId,
    workerId: WORKER_ID!,
    outcome: { status: 'succeeded' },
    attempt: { startedAt: now, finishedAt: now, outcome: 'succeeded' },
    now,
  })
}

const heartbeat = setInterval(() => {
  if (inflight.size > 0) void store.heartbeat(WORKER_ID!, [...inflight], leaseMs, new Date()).catch(() => {})
}, leaseMs / 4)

for (;;) {
  const free = concurrency - inflight.size
  const claimed =
    free > 0 ? await store.claimItems({ workerId: WORKER_ID!, limit: free, leaseMs, now: new Date() }) : []
  for (const item of claimed) {
    inflight.add(item.id)
    void execute(item.id).finally(() => {
      inflight.delete(item.id)
      wake?.()
    })
  }
  if (claimed.length > 0 && inflight.size < concurrency) continue
  if (inflight.size === 0) {
    const [left] = await store.driver.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM ${s}.items WHERE status <> 'succeeded'`,
    )
    if (left!.n === 0) break
  }
  // Sleep until an item finishes, a NOTIFY arrives, or a lease may have expired (poll fallback).
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, 200)
    function done() {
      clearTimeout(timer)
      wake = null
      resolve()
    }
    wake = done
  })
}
clearInterval(heartbeat)
await store.close()
await effects.end()
