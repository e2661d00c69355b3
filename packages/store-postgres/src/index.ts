/**
 * `@hub/store-postgres`: the Commerce Hub store on PostgreSQL (`pg`) and PGlite (embedded).
 *
 * @packageDocumentation
 */
export type { SqlDriver, SqlExecutor } from './driver.js'
export { isUniqueViolation, UNIQUE_VIOLATION } from './driver.js'
export { type PgConnection, pgDriver } from './drivers/pg-driver.js'
export { pgliteDriver } from './drivers/pglite-driver.js'
export { checkSchemaName, DEFAULT_SCHEMA, wakeChannel } from './ident.js'
export { type Migration, migrations, migrationsSql } from './migrations/index.js'
export { MigrationChecksumError, runMigrations } from './migrations/migrate.js'
export { type PgliteStoreOptions, pgliteStore } from './pglite-store.js'
export { type PostgresStoreOptions, postgresStore } from './postgres-store.js'
export { DEFAULT_MAX_ATTEMPTS } from './store/items.js'
export { queueSql } from './store/queue.js'
export { createSqlStore, type SqlHubStore, type SqlStoreOptions } from './store/sql-store.js'
