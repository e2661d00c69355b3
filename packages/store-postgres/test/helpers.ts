import { randomBytes } from 'node:crypto'
import { PGlite } from '@electric-sql/pglite'
import { pgliteStore, postgresStore, type SqlHubStore } from '../src/index.js'

/** Real PostgreSQL for the suites that need it; unset → those suites skip with a reason. */
export const DATABASE_URL = process.env.DATABASE_URL

/** Why the real-PostgreSQL suites are skipped, shown in the test name. */
export const NO_DATABASE = 'skipped: DATABASE_URL is not set (CI sets it to the local PostgreSQL)'

/** A fresh schema name, so every store instance is isolated. */
export function randomSchema(): string {
  return `hub_t_${randomBytes(6).toString('hex')}`
}

/** A migrated store on real PostgreSQL in its own schema, dropped again on `close()`. */
export async function pgTestStore(options: { max?: number } = {}): Promise<SqlHubStore> {
  const schema = randomSchema()
  const store = postgresStore({ connectionString: DATABASE_URL!, schema, ...options })
  await store.migrate()
  const close = store.close.bind(store)
  return Object.assign(store, {
    async close() {
      await store.driver.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {})
      await close()
    },
  })
}

let shared: PGlite | null = null

/**
 * A PGlite store in a fresh schema of one shared in-memory database (starting PGlite takes about
 * a second, a schema a few milliseconds). The schema is dropped on `close()`.
 */
export async function pgliteTestStore(): Promise<SqlHubStore> {
  shared ??= new PGlite()
  const db = shared
  const schema = randomSchema()
  const store = pgliteStore({ db, schema })
  await store.migrate()
  const close = store.close.bind(store)
  return Object.assign(store, {
    async close() {
      await close()
      await db.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    },
  })
}
