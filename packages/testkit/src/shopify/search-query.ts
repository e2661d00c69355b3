import { compareIds } from './connection.js'

/** One `field:op value` term of Shopify's search syntax. */
export interface SearchTerm {
  field: string
  op: '=' | '>' | '>=' | '<' | '<='
  value: string
}

/**
 * Parses the subset of Shopify's search syntax the fake filters on: space- or `AND`-separated
 * `field:value`, `field:>value`, `field:>=value`, `field:<value`, `field:<=value`, values optionally
 * quoted. `OR`, negation and free text are ignored (the fake does not filter on them).
 */
export function parseSearchQuery(query: string | null | undefined): SearchTerm[] {
  if (!query) return []
  const terms: SearchTerm[] = []
  const pattern = /([a-z_]+):(>=|<=|>|<)?\s*(?:'([^']*)'|"([^"]*)"|(\S+))/gi
  for (const match of query.matchAll(pattern)) {
    const field = match[1]?.toLowerCase() ?? ''
    const op = (match[2] ?? '=') as SearchTerm['op']
    const value = match[3] ?? match[4] ?? match[5] ?? ''
    terms.push({ field, op, value })
  }
  return terms
}

function compare(actual: number | string, op: SearchTerm['op'], expected: number | string): boolean {
  switch (op) {
    case '=':
      return actual === expected
    case '>':
      return actual > expected
    case '>=':
      return actual >= expected
    case '<':
      return actual < expected
    case '<=':
      return actual <= expected
  }
}

/** Whether a timestamp (epoch ms) satisfies a date term; unparseable dates match nothing. */
export function matchesDate(actualMs: number, term: SearchTerm): boolean {
  const expected = Date.parse(term.value)
  if (Number.isNaN(expected)) return false
  return compare(actualMs, term.op, expected)
}

/** Whether a string field satisfies a term (case-insensitive equality; `*` suffix = prefix match). */
export function matchesText(actual: string | null, term: SearchTerm): boolean {
  if (actual === null) return false
  const a = actual.toLowerCase()
  const e = term.value.toLowerCase()
  if (e.endsWith('*')) return a.startsWith(e.slice(0, -1))
  return compare(a, term.op, e)
}

/** Whether a numeric id satisfies a term (`id:>123`). */
export function matchesId(actual: string, term: SearchTerm): boolean {
  if (!/^\d+$/.test(term.value)) return false
  return compare(compareIds(actual, term.value), term.op, 0)
}
