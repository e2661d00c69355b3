import { postgresStore } from './src/index.ts'

const store = postgresStore({
  connectionString: 'postgres://postgres@127.0.0.1:5432/test',
  schema: 'hub_perf',
})
await store.driver.exec('DROP SCHEMA IF EXISTS hub_perf CASCADE')
await store.migrate()
const c = await store.createConnection({ sellerId: 's', provider: 'p', externalAccountId: 'a' })
const run = await store.createRun({ sellerId: 's', connectionId: c.id, kind: 'manual' })
let t = performance.now()
for (let b = 0; b < 10; b++)
  await store.enqueueItems(
    Array.from({ length: 1000 }, (_, i) => ({
      runId: run.id,
      connectionId: c.id,
      sellerId: 's',
      provider: 'p',
      operation: 'x',
      idempotencyKey: `k${b}-${i}`,
      entityType: 'e',
    })),
  )
console.log('enqueue 10k ms', Math.round(performance.now() - t))
await store.driver.exec('ANALYZE hub_perf.items')
t = performance.now()
let n = 0
for (let i = 0; i < 200; i++) {
  const got = await store.claimItems({ workerId: 'w', limit: 8, leaseMs: 30000, now: new Date() })
  n += got.length
  await Promise.all(
    got.map((it) =>
      store.finishItem({
        itemId: it.id,
        workerId: 'w',
        outcome: { status: 'succeeded' },
        attempt: { startedAt: new Date(), finishedAt: new Date(), outcome: 'succeeded' },
        now: new Date(),
      }),
    ),
  )
}
console.log('claim+finish', n, 'ms', Math.round(performance.now() - t))
const plan = await store.driver.query(
  `EXPLAIN (ANALYZE, BUFFERS) ${(await import('./src/store/queue.ts')).queueSql('"hub_perf"', 'x').claim}`,
  [new Date(), 8, 16, new Date(Date.now() + 30000), null, 'w2'],
)
console.log(plan.map((r) => r['QUERY PLAN']).join('\n'))
await store.close()
