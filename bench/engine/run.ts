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
import { backendCpuSeconds, processCpuSeconds, withApplicationName } from './cpu.js'
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
  walPerJob: number
  /** CPU µs per job: the enqueuing process, the worker processes, their PostgreSQL backends. */
  cpu: { enqueue: number; workers: number; postgres: number | null }
}

interface Child {
  process: ChildProcess
  /** CPU seconds the worker reports when told to stop. */
  cpu: Promise<number>
}

function startChild(contender: Contender, id: string, app: string): Promise<Child> {
  const child = spawn(
    process.execPath,
    ['--conditions=@hub/source', '--import', 'tsx', childFile, contender, id],
    {
      cwd: benchDir,
      env: { ...childEnv(), BENCH_APP: app },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  )
  let reportCpu: (seconds: number) => void = () => {}
  const cpu = new Promise<number>((resolve) => {
    reportCpu = resolve
  })
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`${contender} worker exited with ${code} before it was ready`)),
    )
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line === 'ready') resolve({ process: child, cpu })
      if (line.startsWith('cpu ')) reportCpu(Number(line.slice(4)))
    })
  })
}

/** Stop a worker; resolves with the CPU seconds it used since it was ready. */
async function stopChild(child: Child): Promise<number> {
  const exited = new Promise((resolve) => child.process.once('exit', resolve))
  child.process.stdin!.write('stop\n')
  await exited
  return child.cpu
}

const isHub = (contender: Contender) => contender === 'hub' || contender === 'hub-fastest'

/**
 * Enqueue every job in batches; resolves with the CPU seconds the enqueuing connection's server
 * backend used (read before it closes; `null` when the server is not local).
 */
async function enqueueAll(
  admin: pg.Pool,
  contender: Contender,
  fixture: HubFixture | null,
  app: string,
): Promise<number | null> {
  const connectionString = withApplicationName(config.databaseUrl, app)
  if (isHub(contender)) {
    const store = postgresStore({ connectionString, schema: config.hubSchema, max: 1 })
    for (let start = 0; start < config.jobs; start += config.enqueueBatch) {
      const count = Math.min(config.enqueueBatch, config.jobs - start)
      await store.enqueueItems(newItems(fixture!, `job-${start}`, count))
    }
    const cpu = await backendCpuSeconds(admin, app)
    await store.close()
    return cpu
  }
  const utils = await makeWorkerUtils({ connectionString, schema: config.graphileSchema })
  for (let start = 0; start < config.jobs; start += config.enqueueBatch) {
    const count = Math.min(config.enqueueBatch, config.jobs - start)
    await utils.addJobs(Array.from({ length: count }, () => ({ identifier: 'noop', payload: {} })))
  }
  const cpu = await backendCpuSeconds(admin, app)
  await utils.release()
  return cpu
}

/** Workers start idle; the clock runs from the first enqueue until no job is left. */
async function scenario(admin: pg.Pool, contender: Contender, processes: number): Promise<Result> {
  const fixture = isHub(contender) ? await resetHub(admin) : null
  if (!fixture) await resetGraphile(admin)
  const app = `bench_${contender.replace('-', '_')}_${processes}`
  const children = await Promise.all(
    Array.from({ length: processes }, (_, i) => startChild(contender, `w${i}`, app)),
  )
  const wal0 = await walPosition(admin)
  const pg0 = await backendCpuSeconds(admin, app)
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const enqueueBackendCpu = await enqueueAll(admin, contender, fixture, `${app}_enqueue`)
  const enqueued = performance.now()
  const enqueueCpu = processCpuSeconds(cpu0)
  const kind = isHub(contender) ? 'hub' : 'graphile'
  while (await remaining(admin, kind)) await new Promise((r) => setTimeout(r, 20))
  const seconds = (performance.now() - t0) / 1000
  const walPerJob = (await walSince(admin, wal0)) / config.jobs
  const pg1 = await backendCpuSeconds(admin, app)
  const workerCpu = (await Promise.all(children.map(stopChild))).reduce((a, b) => a + b, 0)
  const perJob = (seconds: number) => (seconds * 1e6) / config.jobs
  return {
    contender,
    processes,
    enqueuePerSec: config.jobs / ((enqueued - t0) / 1000),
    jobsPerSec: config.jobs / seconds,
    seconds,
    walPerJob,
    cpu: {
      enqueue: perJob(enqueueCpu),
      workers: perJob(workerCpu),
      postgres:
        pg0 === null || pg1 === null || enqueueBackendCpu === null
          ? null
          : perJob(pg1 - pg0 + enqueueBackendCpu),
    },
  }
}

async function walPosition(admin: pg.Pool): Promise<string> {
  const { rows } = await admin.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')
  return rows[0]!.lsn
}

/** WAL bytes written since `from` (by everything on the server, so only a guide on a shared one). */
async function walSince(admin: pg.Pool, from: string): Promise<number> {
  const { rows } = await admin.query<{ bytes: string }>(
    'SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::bigint AS bytes',
    [from],
  )
  return Number(rows[0]!.bytes)
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

function printResults(results: Result[], latency: { hub: Latency; graphile: Latency } | null) {
  console.log(
    `\n${config.jobs.toLocaleString('en-US')} no-op jobs, concurrency ${config.concurrency} per process\n`,
  )
  console.log(
    '| queue | processes | enqueue jobs/s | enqueue + claim + complete jobs/s | seconds | WAL bytes/job | CPU µs/job: enqueuer / workers / PostgreSQL |',
  )
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |')
  for (const r of results) {
    const pgCpu = r.cpu.postgres === null ? '–' : fmt(r.cpu.postgres)
    console.log(
      `| ${r.contender} | ${r.processes} | ${fmt(r.enqueuePerSec)} | ${fmt(r.jobsPerSec)} | ${r.seconds.toFixed(1)} | ${fmt(r.walPerJob)} | ${fmt(r.cpu.enqueue)} / ${fmt(r.cpu.workers)} / ${pgCpu} |`,
    )
  }
  console.log('\n| processes | hub | vs graphile default | vs graphile fastest |')
  console.log('| ---: | --- | ---: | ---: |')
  for (const processes of config.processes) {
    const of = (c: Contender) =>
      results.find((r) => r.contender === c && r.processes === processes)?.jobsPerSec
    for (const hub of ['hub', 'hub-fastest'] as const) {
      const ratio = (c: Contender) => {
        const [a, b] = [of(hub), of(c)]
        return a === undefined || b === undefined ? '–' : (a / b).toFixed(2)
      }
      if (of(hub) === undefined) continue
      console.log(`| ${processes} | ${hub} | ${ratio('graphile-default')} | ${ratio('graphile-fastest')} |`)
    }
  }
  if (!latency) return
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
for (const processes of config.processes) {
  for (const contender of config.contenders) {
    const result = await scenario(admin, contender, processes)
    console.error(`${contender} × ${processes}: ${fmt(result.jobsPerSec)} jobs/s`)
    results.push(result)
  }
}
const fixture = await resetHub(admin)
await resetGraphile(admin)
const latency =
  config.latencySamples > 0 ? { hub: await hubLatency(fixture), graphile: await graphileLatency() } : null
printResults(results, latency)
await admin.query(`DROP SCHEMA IF EXISTS "${config.hubSchema}" CASCADE`)
await admin.query(`DROP SCHEMA IF EXISTS "${config.graphileSchema}" CASCADE`)
await admin.end()
