/**
 * Prints `EXPLAIN (ANALYZE, BUFFERS)` of one claim of 8 items from 100,000 pending ones (rolled
 * back), as shown in packages/store-postgres/README.md. Run: `pnpm --filter @hub/bench explain`.
 */
import { postgresStore, queueSql } from '@hub/store-postgres'
import pg from 'pg'
import { config } from './config.js'
import { newItems, resetHub } from './setup.js'

const admin = new pg.Pool({ connectionString: config.databaseUrl, max: 1 })
const fixture = await resetHub(admin)
const store = postgresStore({ connectionString: config.databaseUrl, schema: config.hubSchema })
for (let start = 0; start < 100_000; start += 1_000)
  await store.enqueueItems(newItems(fixture, `e${start}`, 1_000))
await store.close()
await admin.query(`ANALYZE "${config.hubSchema}".items, "${config.hubSchema}".item_queue`)
const client = await admin.connect()
await client.query('BEGIN')
const now = new Date()
const { rows } = await client.query(
  `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${queueSql(`"${config.hubSchema}"`, 'x').claim}`,
  // limit 8, scan 16 (limit + min(limit, 32)), as claimItems({ limit: 8 }) sends them
  [now, 8, 16, new Date(now.getTime() + 30_000), null, 'explain'],
)
await client.query('ROLLBACK')
client.release()
console.log(rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n'))
await admin.query(`DROP SCHEMA "${config.hubSchema}" CASCADE`)
await admin.end()
