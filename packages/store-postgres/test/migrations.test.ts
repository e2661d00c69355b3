import { PGlite } from '@electric-sql/pglite'
import { ConfigError } from '@hub/core'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import {
  MigrationChecksumError,
  migrations,
  migrationsSql,
  pgliteStore,
  postgresStore,
} from '../src/index.js'
import { migrationsTableSql } from '../src/migrations/index.js'
import { DATABASE_URL, NO_DATABASE, randomSchema } from './helpers.js'

describe('migrations', () => {
  it('rejects a schema name that is not a plain identifier', () => {
    expect(() => pgliteStore({ schema: 'hub; DROP TABLE x' })).toThrow(ConfigError)
    expect(() => migrationsSql('Hub')).toThrow(ConfigError)
  })

  it('exports the SQL for host migrations, with every version recorded and checksummed', () => {
    const sql = migrationsSql('shop_hub')
    expect(sql).toContain('CREATE SCHEMA IF NOT EXISTS "shop_hub"')
    expect(sql).toContain('CREATE TABLE "shop_hub".items')
    for (const m of migrations) expect(sql).toContain(`VALUES (${m.version}, '${m.name}', '${m.checksum}')`)
    expect(sql).not.toContain(':schema')
  })

  it('migrates PGlite once, and again is a no-op', async () => {
    const store = pgliteStore({ schema: 'hub' })
    await store.migrate()
    await store.migrate()
    const rows = await store.driver.query<{ version: number }>('SELECT version FROM hub.migrations')
    expect(rows.map((r) => r.version)).toEqual(migrations.map((m) => m.version))
    await store.close()
  })

  it('migration 2 moves the leases of unfinished items into item_queue', async () => {
    const db = new PGlite()
    const v1 = migrations[0]!
    await db.exec(`CREATE SCHEMA hub; ${migrationsTableSql('hub')} ${v1.sql('hub')}`)
    await db.query('INSERT INTO hub.migrations (version, name, checksum) VALUES (1, $1, $2)', [
      v1.name,
      v1.checksum,
    ])
    await db.exec(`INSERT INTO hub.connections VALUES ('c1', 's1', 'p', 'a', 'active', null, '{}', null, '{}', now(), now());
      INSERT INTO hub.runs VALUES ('r1', 's1', 'c1', 'manual', null, now())`)
    const item = (id: string, status: string, attempt: number, owner: string | null, lease: string) =>
      db.query(
        `INSERT INTO hub.items (id, run_id, connection_id, seller_id, provider, operation, idempotency_key,
           entity_type, status, attempt, max_attempts, next_attempt_at, lease_owner, lease_expires_at, created_at, updated_at)
         VALUES ($1, 'r1', 'c1', 's1', 'p', 'op', $1, 'e', $2, $3, 3, now() - interval '1 minute', $4, ${lease}, now(), now())`,
        [id, status, attempt, owner],
      )
    await item('a-pending', 'pending', 0, null, 'NULL')
    await item('b-failed', 'failed', 1, null, 'NULL')
    await item('c-running', 'running', 1, 'w-live', "now() + interval '1 hour'")
    await item('d-expired', 'running', 2, 'w-dead', "now() - interval '1 minute'")
    await item('e-done', 'succeeded', 1, null, 'NULL')

    const store = pgliteStore({ db, schema: 'hub' })
    const scope = { sellerId: 's1' }
    const states = (await store.listItems(scope)).map((i) => [i.id, i.status, i.attempt, i.leaseOwner])
    expect(states).toEqual([
      ['a-pending', 'pending', 0, null],
      ['b-failed', 'failed', 1, null],
      ['c-running', 'running', 1, 'w-live'],
      ['d-expired', 'running', 2, 'w-dead'],
      ['e-done', 'succeeded', 1, null],
    ])
    const claimed = await store.claimItems({ workerId: 'w', limit: 10, leaseMs: 30_000, now: new Date() })
    expect(claimed.map((i) => [i.id, i.attempt])).toEqual([
      ['a-pending', 1],
      ['b-failed', 2],
      ['d-expired', 3],
    ])
    expect(await store.listAttempts(scope, 'd-expired')).toMatchObject([
      { outcome: 'lease_expired', attempt: 2 },
    ])
    await store.close()
    await db.close()
  })
})

describe.skipIf(!DATABASE_URL)(`migrations on PostgreSQL${DATABASE_URL ? '' : ` (${NO_DATABASE})`}`, () => {
  const admin = new pg.Pool({ connectionString: DATABASE_URL, max: 2 })
  const schemas: string[] = []
  afterAll(async () => {
    for (const schema of schemas) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    await admin.end()
  })

  it('is safe from many processes at once: 8 stores migrate the same schema concurrently', async () => {
    const schema = randomSchema()
    schemas.push(schema)
    const stores = Array.from({ length: 8 }, () =>
      postgresStore({ connectionString: DATABASE_URL!, schema, max: 2 }),
    )
    await Promise.all(stores.map((s) => s.migrate()))
    const { rows } = await admin.query(`SELECT version, checksum FROM "${schema}".migrations`)
    expect(rows).toEqual(migrations.map((m) => ({ version: m.version, checksum: m.checksum })))
    await Promise.all(stores.map((s) => s.close()))
  })

  it('accepts a schema created by migrationsSql() and refuses a tampered checksum', async () => {
    const schema = randomSchema()
    schemas.push(schema)
    await admin.query(migrationsSql(schema))
    const store = postgresStore({ connectionString: DATABASE_URL!, schema })
    await store.migrate()
    await admin.query(`UPDATE "${schema}".migrations SET checksum = 'edited' WHERE version = 1`)
    const again = postgresStore({ connectionString: DATABASE_URL!, schema })
    await expect(again.migrate()).rejects.toBeInstanceOf(MigrationChecksumError)
    await Promise.all([store.close(), again.close()])
  })
})
