import { PGlite } from '@electric-sql/pglite'
import { pgliteDriver } from './drivers/pglite-driver.js'
import { createSqlStore, type SqlHubStore, type SqlStoreOptions } from './store/sql-store.js'

/** Options of {@link pgliteStore}. */
export interface PgliteStoreOptions extends SqlStoreOptions {
  /** Directory of the database files. Default: in memory (lost on close). Ignored with `db`. */
  dataDir?: string
  /** An existing PGlite instance (left open on `close()`). */
  db?: PGlite
}

/**
 * The embedded store: real PostgreSQL compiled to WebAssembly, in process, zero set-up. Runs the
 * same SQL as `postgresStore`, and migrates itself before its first query (`autoMigrate`
 * defaults to `true` here).
 *
 * @example
 * const store = pgliteStore() // in memory; pgliteStore({ dataDir: './.hub-db' }) keeps the data
 */
export function pgliteStore(options: PgliteStoreOptions = {}): SqlHubStore {
  const db = options.db ?? new PGlite(options.dataDir)
  return createSqlStore(pgliteDriver(db, { ownsDb: !options.db }), { autoMigrate: true, ...options })
}
