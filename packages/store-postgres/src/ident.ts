import { ConfigError } from '@hub/core'

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

/** Default PostgreSQL schema of the store's tables. */
export const DEFAULT_SCHEMA = 'hub'

/** Validate a schema name (lower-case identifier, at most 63 characters) or throw a {@link ConfigError}. */
export function checkSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) {
    throw new ConfigError(
      `invalid schema name ${JSON.stringify(schema)}: use lower-case letters, digits and _ (at most 63, not starting with a digit)`,
    )
  }
  return schema
}

/** The NOTIFY channel the store signals "work may be due" on, one per schema. */
export function wakeChannel(schema: string): string {
  return `${schema}_wake`
}
