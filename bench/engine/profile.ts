/**
 * Where the time goes on the hub's hot path, one process, no overlap: enqueue N items, then
 * claim them in batches, then finish them in batches; prints ms per phase and WAL bytes per item.
 * Run (from bench/): `node --conditions=@hub/source --import tsx engine/profile.ts [jobs] [batch]`.
 */
import { readFileSync } from 'node:fs'
import type { SyncItem } from '@hub/core'
import { postgresStore } from '@hub/store-postgres'
import pg from 'pg'
import { config } from './config.js'
import { newItems, resetHub } from './setup.js'

const jobs = Number(process.argv[2] ?? 20_000)
const batch = Number(process.argv[3] ?? 500)
const admin = new pg.Pool({ connectionString: config.databaseUrl, max: 2 })
const lsn = async () =>
  (await admin.query<{ l: string }>('SELECT pg_current_wal_lsn()::text AS l')).rows[0]!.l
const walDiff = async (from: string) =>
  Number(
    (
      await admin.query<{ d: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint AS d', [
        from,
      ])
    ).rows[0]!.d,
  )

async function phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const l0 = await lsn()
  const pg0 = await backendCpu()
  const t0 = performance.now()
  const cpu0 = process.cpuUsage()
  const r = await fn()
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  const pgCpu = (await backendCpu()) - pg0
  const wal = await walDiff(l0)
  const perItem = (us: number) => `${(us / jobs).toFixed(0).padStart(4)} µs/item`
  console.log(
    `${name.padEnd(8)} ${ms.toFixed(0).padStart(6)} ms ${((jobs / ms) * 1000).toFixed(0).padStart(7)}/s  node ${perItem(cpu.user + cpu.system)}  postgres ${perItem(pgCpu * 1e6)}  WAL ${(wal / jobs).toFixed(0)} B/item`,
  )
  return r
}

const fixture = await resetHub(admin)
const url = `${config.databaseUrl}${config.databaseUrl.includes('?') ? '&' : '?'}application_name=hub_profile`
const store = postgresStore({ connectionString: url, schema: config.hubSchema })

/** CPU seconds used so far by the PostgreSQL backends serving this script (Linux, local server). */
async function backendCpu(): Promise<number> {
  const { rows } = await admin.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE application_name = 'hub_profile'`,
  )
  let ticks = 0
  for (const { pid } of rows) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      ticks += Number(stat[11]) + Number(stat[12])
    } catch {}
  }
  return ticks / 100
}
await phase('enqueue', async () => {
  for (let start = 0; start < jobs; start += 1_000)
    await store.enqueueItems(newItems(fixture, `p${start}`, Math.min(1_000, jobs - start)))
})
const claimed: SyncItem[] = []
await phase('claim', async () => {
  for (;;) {
    const got = await store.claimItems({ workerId: 'p', limit: batch, leaseMs: 60_000, now: new Date() })
    if (got.length === 0) break
    claimed.push(...got)
  }
})
await phase('finish', async () => {
  const now = new Date()
  await Promise.all(
    claimed.map((item) =>
      store.finishItem({
        itemId: item.id,
        workerId: 'p',
        outcome: { status: 'succeeded' },
        attempt: { startedAt: now, finishedAt: now, outcome: 'succeeded' },
        now,
      }),
    ),
  )
})
console.log(`claimed ${claimed.length}`)
await store.close()
// Statistics reach pg_stat_user_tables when the backends report them (at most ~1 s later).
await new Promise((r) => setTimeout(r, 1_500))
const { rows: stats } = await admin.query<{ table: string; updates: string; hot: string }>(
  `SELECT relname AS table, n_tup_upd AS updates, n_tup_hot_upd AS hot FROM pg_stat_user_tables
   WHERE schemaname = $1 AND relname IN ('items', 'item_queue') ORDER BY relname`,
  [config.hubSchema],
)
for (const s of stats) console.log(`${s.table}: ${s.updates} updates, ${s.hot} HOT`)
await admin.query(`DROP SCHEMA IF EXISTS "${config.hubSchema}" CASCADE`)
await admin.end()
