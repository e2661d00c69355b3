import type pg from 'pg'
import { type PgConnection, pgDriver } from './drivers/pg-driver.js'
import { createSqlStore, type SqlHubStore, type SqlStoreOptions } from './store/sql-store.js'

/** Options of {@link postgresStore}: where PostgreSQL is, plus the shared store options. */
export type PostgresStoreOptions = SqlStoreOptions &
  ({ connectionString: string; pool?: never; max?: number } | { pool: pg.Pool; connectionString?: never })

/**
 * The production store on a PostgreSQL server through a `pg` Pool. Pass `connectionString` (the
 * store owns and ends its pool; `max` connections, default 10) or the host's `pool` (left open on
 * `close()`). One extra pooled client is held for LISTEN once someone subscribes to `onWake`.
 * Call `migrate()` once at start-up, or run {@link migrationsSql} in the host's own migrations.
 *
 * @example
 * const store = postgresStore({ connectionString: process.env.DATABASE_URL! })
 * await store.migrate()
 */
export function postgresStore(options: PostgresStoreOptions): SqlHubStore {
  const connection: PgConnection = options.pool
    ? { pool: options.pool }
    : { connectionString: options.connectionString!, ...(options.max ? { max: options.max } : {}) }
  return createSqlStore(pgDriver(connection), options)
}
