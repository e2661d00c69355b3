import type { SqlDriver } from '../driver.js'

/** What every part of the SQL store shares. */
export interface StoreContext {
  db: SqlDriver
  /** The quoted schema, ready to prefix table names: `"hub"`. */
  s: string
  /** NOTIFY channel of this schema. */
  channel: string
  /** Call after a committed write that made work due (see `wakeSignal`). */
  wake: () => void
  /** Time for rows the port gives no `now` for (created/updated timestamps). */
  now: () => Date
}

/**
 * A column assignment of a dynamic `UPDATE … SET`: `[column, value, expr]`, where `expr` turns the
 * parameter placeholder into the assigned expression (default: the placeholder itself).
 */
export type Assignment = [column: string, value: unknown, expr?: (param: string) => string]

/**
 * Build `col = $n, …` for the assignments whose value is not `undefined` (absent from a patch).
 * Parameters are numbered from `first`.
 */
export function setClause(assignments: Assignment[], first: number): { sql: string; params: unknown[] } {
  const parts: string[] = []
  const params: unknown[] = []
  for (const [column, value, expr] of assignments) {
    if (value === undefined) continue
    params.push(value)
    const param = `$${first + params.length - 1}`
    parts.push(`${column} = ${expr ? expr(param) : param}`)
  }
  return { sql: parts.join(', '), params }
}

/** A caller's `limit` as a SQL `LIMIT` parameter: `null` (no limit) when absent, never negative. */
export function pageSize(limit: number | undefined): number | null {
  if (limit === undefined || limit === null || !Number.isFinite(limit)) return null
  return Math.max(0, Math.floor(limit))
}

/** Assignment expression for a jsonb parameter sent as text. */
export const jsonb = (param: string): string => `${param}::jsonb`
