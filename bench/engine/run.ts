/**
 * Engine benchmark: enqueue + claim + complete N no-op jobs on the local PostgreSQL with the hub
 * store and with graphile-worker (default configuration, and its fastest: local queue + batched
 * completion), same job count and concurrency, in 1 and 2 worker processes; then enqueue→start
 * latency of an idle worker for both. Run: `pnpm --filter @hub/bench engine [jobs] [concurrency]`.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { postgresStore } from '@hub/store-postgres'
import { makeWorkerUtils } from 'graphile-worker'
import pg from 'pg'
import { type Contender, childEnv, config } from './config.js'
import { graphileLatency, hubLatency, type Latency } from './latency.js'
import { type HubFixture, newItems, remaining, resetGraphile, resetHub } from './setup.js'

const childFile = fileURLToPath(new URL('./child.ts', import.meta.url))
const benchDir = fileURLToPath(new URL('../', import.meta.url))

interface Result {
  contender: Contender
  processes: number
  enqueuePerSec: number
  jobsPerSec: number
  seconds: number
}

function startChild(contender: Contender, id: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--conditions=@hub/source', '--import', 'tsx', childFile, contender, id],
    {
      cwd: benchDir,
      env: childEnv(),
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`${contender} worker exited with ${code} before it was ready`)),
    )
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') resolve(child)
    })
  })
}

async function stopChild(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.stdin!.write('stop\n')
  await exited
}

const isHub = (contender: Contender) => contender === 'hub' || contender === 'hub-fastest'

async function enqueueAll(contender: Contender, fixture: HubFixture | null): Promise<void> {
  if (isHub(contender)) {
    const store = postgresStore({ connectionString: config.databaseUrl, schema: config.hubSchema })
    for (let start = 0; start < config.jobs; start += config.enqueueBatch) {
      const count = Math.min(config.enqueueBatch, config.jobs - start)
      await store.enqueueItems(newItems(fixture!, `job-${start}`, count))
    }
    await store.close()
    return
  }
  const utils = await makeWorkerUtils({ connectionString: config.databaseUrl, schema: config.graphileSchema })
  for (let start = 0; start < config.jobs; start += config.enqueueBatch) {
    const count = Math.min(config.enqueueBatch, config.jobs - start)
    await utils.addJobs(Array.from({ length: count }, () => ({ identifier: 'noop', payload: {} })))
  }
  await utils.release()
}

/** Workers start idle; the clock runs from the first enqueue until no job is left. */
async function scenario(admin: pg.Pool, contender: Contender, processes: number): Promise<Result> {
  const fixture = isHub(contender) ? await resetHub(admin) : null
  if (!fixture) await resetGraphile(admin)
  const children = await Promise.all(
    Array.from({ length: processes }, (_, i) => startChild(contender, `w${i}`)),
  )
  const t0 = performance.now()
  await enqueueAll(contender, fixture)
  const enqueued = performance.now()
  const kind = isHub(contender) ? 'hub' : 'graphile'
  while (await remaining(admin, kind)) await new Promise((r) => setTimeout(r, 20))
  const seconds = (performance.now() - t0) / 1000
  await Promise.all(children.map(stopChild))
  return {
    contender,
    processes,
    enqueuePerSec: config.jobs / ((enqueued - t0) / 1000),
    jobsPerSec: config.jobs / seconds,
    seconds,
  }
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

function printResults(results: Result[], latency: { hub: Latency; graphile: Latency }) {
  console.log(
    `\n${config.jobs.toLocaleString('en-US')} no-op jobs, concurrency ${config.concurrency} per process\n`,
  )
  console.log('| queue | processes | enqueue jobs/s | enqueue + claim + complete jobs/s | seconds |')
  console.log('| --- | ---: | ---: | ---: | ---: |')
  for (const r of results) {
    console.log(
      `| ${r.contender} | ${r.processes} | ${fmt(r.enqueuePerSec)} | ${fmt(r.jobsPerSec)} | ${r.seconds.toFixed(1)} |`,
    )
  }
  console.log('\n| processes | hub | vs graphile default | vs graphile fastest |')
  console.log('| ---: | --- | ---: | ---: |')
  for (const processes of [1, 2]) {
    const of = (c: Contender) =>
      results.find((r) => r.contender === c && r.processes === processes)!.jobsPerSec
    for (const hub of ['hub', 'hub-fastest'] as const) {
      const ratio = (c: Contender) => (of(hub) / of(c)).toFixed(2)
      console.log(`| ${processes} | ${hub} | ${ratio('graphile-default')} | ${ratio('graphile-fastest')} |`)
    }
  }
  console.log(`\nenqueue→start latency, idle worker, ${config.latencySamples} samples (ms)\n`)
  console.log('| queue | p50 | p99 | max |')
  console.log('| --- | ---: | ---: | ---: |')
  for (const [name, l] of Object.entries(latency)) {
    console.log(`| ${name} | ${l.p50.toFixed(1)} | ${l.p99.toFixed(1)} | ${l.max.toFixed(1)} |`)
  }
}

if (
  !(
    Number.isInteger(config.jobs) &&
    config.jobs > 0 &&
    Number.isInteger(config.concurrency) &&
    config.concurrency > 0
  )
) {
  throw new Error(`usage: run.ts [jobs > 0] [concurrency > 0] (got ${config.jobs}, ${config.concurrency})`)
}
const admin = new pg.Pool({ connectionString: config.databaseUrl, max: 2 })
const results: Result[] = []
for (const processes of [1, 2]) {
  for (const contender of ['hub', 'hub-fastest', 'graphile-default', 'graphile-fastest'] as const) {
    const result = await scenario(admin, contender, processes)
    console.error(`${contender} × ${processes}: ${fmt(result.jobsPerSec)} jobs/s`)
    results.push(result)
  }
}
const fixture = await resetHub(admin)
await resetGraphile(admin)
const latency = { hub: await hubLatency(fixture), graphile: await graphileLatency() }
printResults(results, latency)
await admin.query(`DROP SCHEMA IF EXISTS "${config.hubSchema}" CASCADE`)
await admin.query(`DROP SCHEMA IF EXISTS "${config.graphileSchema}" CASCADE`)
await admin.end()
