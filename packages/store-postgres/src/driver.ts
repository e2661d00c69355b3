/** Runs SQL. Parameters are `$1…$n`; rows come back as plain objects keyed by column name. */
export interface SqlExecutor {
  query<R extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>
  /** Run one or more statements without parameters (migrations). */
  exec(text: string): Promise<void>
}

/**
 * The tiny surface the store needs from a database client. The SQL lives in the store; a driver
 * only moves it (`pg` Pool or PGlite), so both run exactly the same statements.
 */
export interface SqlDriver extends SqlExecutor {
  /** Short name for diagnostics: `postgres` or `pglite`. */
  readonly name: string
  /**
   * Run `fn` in one transaction on one connection; commit on success, roll back on error.
   * `asyncCommit` commits without waiting for the WAL flush (`synchronous_commit = off`): for
   * writes whose loss in a server crash is harmless, such as a claim (the item just becomes
   * claimable again). Visibility to other sessions is immediate either way.
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>, options?: { asyncCommit?: boolean }): Promise<T>
  /** LISTEN on `channel`; `onNotify` runs for every notification. Resolves once listening. */
  listen(channel: string, onNotify: () => void): Promise<() => Promise<void>>
  /** Close what the driver opened (a pool passed in by the host is left open). */
  close(): Promise<void>
}

/** The SQLSTATE of a unique violation. */
export const UNIQUE_VIOLATION = '23505'

/** Whether `error` is a PostgreSQL unique violation (either driver). */
export function isUniqueViolation(error: unknown): boolean {
  return (
    typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION
  )
}
