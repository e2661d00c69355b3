import { type ChildProcess, spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { postgresStore } from '../src/index.js'
import { DATABASE_URL, NO_DATABASE, randomSchema } from './helpers.js'

const ITEMS = 10_000
const PROCESSES = 4
const CONCURRENCY = 8
const LEASE_MS = 2_000
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))
const workerFile = fileURLToPath(new URL('./mp-worker.ts', import.meta.url))

/** A schema with `ITEMS` pending items and the side-effect tables. */
async function prepare(admin: pg.Pool): Promise<string> {
  const schema = randomSchema()
  const store = postgresStore({ connectionString: DATABASE_URL!, schema })
  await store.migrate()
  await admin.query(`CREATE TABLE "${schema}".effects (item_id text PRIMARY KEY, worker text NOT NULL)`)
  await admin.query(`CREATE TABLE "${schema}".duplicates (item_id text NOT NULL, worker text NOT NULL)`)
  const connection = await store.createConnection({ sellerId: 's', provider: 'p', externalAccountId: 'a' })
  const run = await store.createRun({ sellerId: 's', connectionId: connection.id, kind: 'manual' })
  for (let start = 0; start < ITEMS; start += 1_000) {
    await store.enqueueItems(
      Array.from({ length: 1_000 }, (_, i) => ({
        runId: run.id,
        connectionId: connection.id,
        sellerId: 's',
        provider: 'p',
        operation: 'effect',
        idempotencyKey: `item-${start + i}`,
        entityType: 'thing',
      })),
    )
  }
  await store.close()
  return schema
}

function startWorker(schema: string, id: string): { child: ChildProcess; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--conditions=@hub/source', '--import', 'tsx', workerFile], {
    cwd: repoRoot,
    env: {
      ...process.env,
      SCHEMA: schema,
      WORKER_ID: id,
      CONCURRENCY: String(CONCURRENCY),
      LEASE_MS: String(LEASE_MS),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, exited }
}

async function count(admin: pg.Pool, sql: string): Promise<number> {
  const { rows } = await admin.query<{ n: number }>(sql)
  return rows[0]!.n
}

describe.skipIf(!DATABASE_URL)(
  `multi-process: ${PROCESSES} OS processes × concurrency ${CONCURRENCY}, ${ITEMS} items${DATABASE_URL ? '' : ` (${NO_DATABASE})`}`,
  () => {
    const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 })
    const schemas: string[] = []
    afterAll(async () => {
      for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await admin.end()
    })

    async function verify(schema: string) {
      const s = `"${schema}"`
      expect(await count(admin, `SELECT count(*)::int AS n FROM ${s}.effects`)).toBe(ITEMS)
      expect(await count(admin, `SELECT count(DISTINCT item_id)::int AS n FROM ${s}.effects`)).toBe(ITEMS)
      // 0 lost: every item succeeded and has its side effect.
      expect(await count(admin, `SELECT count(*)::int AS n FROM ${s}.items WHERE status = 'succeeded'`)).toBe(
        ITEMS,
      )
      expect(
        await count(
          admin,
          `SELECT count(*)::int AS n FROM ${s}.items i WHERE NOT EXISTS (SELECT 1 FROM ${s}.effects e WHERE e.item_id = i.id)`,
        ),
      ).toBe(0)
    }

    it('executes every item exactly once', { timeout: 180_000 }, async () => {
      const schema = await prepare(admin)
      schemas.push(schema)
      const started = performance.now()
      const workers = Array.from({ length: PROCESSES }, (_, i) => startWorker(schema, `proc-${i}`))
      const codes = await Promise.all(workers.map((w) => w.exited))
      const seconds = (performance.now() - started) / 1000
      expect(codes).toEqual([0, 0, 0, 0])
      await verify(schema)
      expect(await count(admin, `SELECT count(*)::int AS n FROM "${schema}".duplicates`)).toBe(0)
      expect(await count(admin, `SELECT count(*)::int AS n FROM "${schema}".items WHERE attempt <> 1`)).toBe(
        0,
      )
      console.info(
        `multi-process: ${ITEMS} items in ${seconds.toFixed(1)} s (${Math.round(ITEMS / seconds)}/s)`,
      )
    })

    it('recovers the items of a SIGKILLed process after its leases expire', {
      timeout: 180_000,
    }, async () => {
      const schema = await prepare(admin)
      schemas.push(schema)
      const workers = Array.from({ length: PROCESSES }, (_, i) => startWorker(schema, `proc-${i}`))
      const s = `"${schema}"`
      while ((await count(admin, `SELECT count(*)::int AS n FROM ${s}.effects`)) < ITEMS / 2) {
        await new Promise((r) => setTimeout(r, 20))
      }
      workers[0]!.child.kill('SIGKILL')
      const orphaned = await count(
        admin,
        `SELECT count(*)::int AS n FROM ${s}.item_state WHERE status = 'running' AND lease_owner = 'proc-0'`,
      )
      const codes = await Promise.all(workers.map((w) => w.exited))
      expect(codes.slice(1)).toEqual([0, 0, 0])
      await verify(schema)
      // The killed process's in-flight items were reclaimed after lease expiry, with a lease_expired attempt.
      const reclaimed = await count(
        admin,
        `SELECT count(*)::int AS n FROM ${s}.attempts WHERE outcome = 'lease_expired'`,
      )
      expect(reclaimed).toBeGreaterThan(0)
      expect(reclaimed).toBeLessThanOrEqual(CONCURRENCY)
      // A re-run can only hit the unique key for an item the killed process ran before dying.
      const duplicates = await admin.query<{ item_id: string; first: string }>(
        `SELECT d.item_id, e.worker AS first FROM ${s}.duplicates d JOIN ${s}.effects e USING (item_id)`,
      )
      expect(duplicates.rows.length).toBeLessThanOrEqual(reclaimed)
      for (const row of duplicates.rows) expect(row.first).toBe('proc-0')
      console.info(
        `multi-process with SIGKILL: ${orphaned} items orphaned at kill, ${reclaimed} reclaimed after lease expiry, ` +
          `${duplicates.rows.length} re-runs stopped by the unique key`,
      )
    })
  },
)
