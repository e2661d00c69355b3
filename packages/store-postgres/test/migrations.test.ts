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
