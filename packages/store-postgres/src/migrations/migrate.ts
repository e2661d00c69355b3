import { HubError } from '@hub/core'
import type { SqlDriver } from '../driver.js'
import { checkSchemaName } from '../ident.js'
import { migrations, migrationsTableSql } from './index.js'

/** A recorded migration's checksum differs from this package's: someone edited released SQL. */
export class MigrationChecksumError extends HubError {
  constructor(schema: string, version: number) {
    super(
      'MIGRATION_CHECKSUM_MISMATCH',
      `migration ${version} recorded in schema "${schema}" has a different checksum than this version of @hub/store-postgres`,
    )
  }
}

/**
 * Apply missing migrations in one transaction under a transaction-scoped advisory lock keyed by
 * the schema name: concurrent callers (many processes starting at once) queue on the lock, and
 * each one that follows sees the versions the first recorded and applies nothing.
 * Returns the versions this call applied.
 */
export async function runMigrations(driver: SqlDriver, schema: string): Promise<number[]> {
  checkSchemaName(schema)
  return driver.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`hub-migrate:${schema}`])
    await tx.exec(`CREATE SCHEMA IF NOT EXISTS "${schema}";\n${migrationsTableSql(schema)}`)
    const rows = await tx.query<{ version: number; checksum: string }>(
      `SELECT version, checksum FROM "${schema}".migrations ORDER BY version`,
    )
    const applied = new Map(rows.map((r) => [r.version, r.checksum]))
    const done: number[] = []
    for (const m of migrations) {
      const checksum = applied.get(m.version)
      if (checksum !== undefined) {
        if (checksum !== m.checksum) throw new MigrationChecksumError(schema, m.version)
        continue
      }
      await tx.exec(m.sql(schema))
      await tx.query(`INSERT INTO "${schema}".migrations (version, name, checksum) VALUES ($1, $2, $3)`, [
        m.version,
        m.name,
        m.checksum,
      ])
      done.push(m.version)
    }
    return done
  })
}
