import { createHash } from 'node:crypto'
import { checkSchemaName, DEFAULT_SCHEMA } from '../ident.js'
import { initial } from './001-initial.js'
import { itemQueue } from './002-item-queue.js'

/** One versioned migration. */
export interface Migration {
  version: number
  name: string
  /** SQL for a given (validated) schema name. */
  sql(schema: string): string
  /** sha256 of the SQL template, independent of the schema name. */
  checksum: string
}

function migration(version: number, name: string, template: string): Migration {
  return {
    version,
    name,
    sql: (schema) => template.replaceAll(':schema', `"${checkSchemaName(schema)}"`),
    checksum: createHash('sha256').update(template).digest('hex'),
  }
}

/** Every migration, in order. Append only. */
export const migrations: readonly Migration[] = [
  migration(1, 'initial', initial),
  migration(2, 'item-queue', itemQueue),
]

/**
 * The whole schema as one SQL script, for hosts that run their own migrations (Medusa, Knex,
 * Flyway…). It creates the schema and the `migrations` table and records every version with its
 * checksum, so a later `store.migrate()` sees them applied and adds only newer ones.
 */
export function migrationsSql(schema: string = DEFAULT_SCHEMA): string {
  const s = `"${checkSchemaName(schema)}"`
  const parts = [`CREATE SCHEMA IF NOT EXISTS ${s};`, migrationsTableSql(schema)]
  for (const m of migrations) {
    parts.push(`-- ${m.version} ${m.name}`, m.sql(schema).trim())
    parts.push(
      `INSERT INTO ${s}.migrations (version, name, checksum) VALUES (${m.version}, '${m.name}', '${m.checksum}');`,
    )
  }
  return `${parts.join('\n')}\n`
}

/** DDL of the table that records applied migrations. */
export function migrationsTableSql(schema: string): string {
  return `CREATE TABLE IF NOT EXISTS "${checkSchemaName(schema)}".migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`
}
