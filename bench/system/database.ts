import { postgresStore, type SqlHubStore } from '@hub/store-postgres'
import pg from 'pg'
import { config } from './config.js'

/** A store in a schema of its own, on a pool the benchmark can also query directly. */
export interface BenchDatabase {
  readonly schema: string
  readonly pool: pg.Pool
  readonly store: SqlHubStore
  /** `SELECT count(*)` of a table of the schema. */
  count(table: string, where?: string): Promise<number>
  /** Close the store and the pool, then drop the schema. */
  drop(): Promise<void>
}

/**
 * A fresh, migrated schema `<prefix>_<name>` (dropped first if a crashed run left it) with a
 * PostgreSQL store on a pool of `config.poolSize` connections.
 */
export async function openDatabase(name: string): Promise<BenchDatabase> {
  const schema = `${config.schemaPrefix}_${name}`
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.poolSize })
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  const store = postgresStore({ pool, schema })
  await store.migrate()
  return {
    schema,
    pool,
    store,
    async count(table, where) {
      const { rows } = await pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM "${schema}"."${table}"${where ? ` WHERE ${where}` : ''}`,
      )
      return Number(rows[0]!.n)
    },
    async drop() {
      await store.close()
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      await pool.end()
    },
  }
}
