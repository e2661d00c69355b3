import type { NewSyncItem } from '@hub/core'
import { postgresStore } from '@hub/store-postgres'
import { runMigrations } from 'graphile-worker'
import type pg from 'pg'
import { config } from './config.js'

/** The connection and run every benchmark item belongs to. */
export interface HubFixture {
  connectionId: string
  runId: string
}

/** A fresh hub schema with one connection and one run. */
export async function resetHub(admin: pg.Pool): Promise<HubFixture> {
  await admin.query(`DROP SCHEMA IF EXISTS "${config.hubSchema}" CASCADE`)
  const store = postgresStore({ connectionString: config.databaseUrl, schema: config.hubSchema })
  await store.migrate()
  const connection = await store.createConnection({
    sellerId: 'bench',
    provider: 'bench',
    externalAccountId: 'bench',
  })
  const run = await store.createRun({ sellerId: 'bench', connectionId: connection.id, kind: 'manual' })
  await store.close()
  return { connectionId: connection.id, runId: run.id }
}

/** A fresh graphile-worker schema. */
export async function resetGraphile(admin: pg.Pool): Promise<void> {
  await admin.query(`DROP SCHEMA IF EXISTS "${config.graphileSchema}" CASCADE`)
  await runMigrations({ connectionString: config.databaseUrl, schema: config.graphileSchema })
}

/** `count` no-op items with keys `prefix-0…`. */
export function newItems(fixture: HubFixture, prefix: string, count: number): NewSyncItem[] {
  return Array.from({ length: count }, (_, i) => ({
    runId: fixture.runId,
    connectionId: fixture.connectionId,
    sellerId: 'bench',
    provider: 'bench',
    operation: 'noop',
    idempotencyKey: `${prefix}-${i}`,
    entityType: 'noop',
  }))
}

/** Whether any job is left unfinished. */
export async function remaining(admin: pg.Pool, contender: 'hub' | 'graphile'): Promise<boolean> {
  const sql =
    contender === 'hub'
      ? `SELECT EXISTS (SELECT 1 FROM "${config.hubSchema}".item_queue) AS left`
      : `SELECT EXISTS (SELECT 1 FROM "${config.graphileSchema}"._private_jobs) AS left`
  const { rows } = await admin.query<{ left: boolean }>(sql)
  return rows[0]!.left
}
