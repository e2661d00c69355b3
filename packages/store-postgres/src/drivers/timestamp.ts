import pg from 'pg'

const TIMESTAMPTZ_OID = 1184

const digit = (text: string, at: number): number => text.charCodeAt(at) - 48
const digits = (text: string, from: number, count: number): number => {
  let n = 0
  for (let i = from; i < from + count; i++) {
    const d = digit(text, i)
    if (d < 0 || d > 9) return Number.NaN
    n = n * 10 + d
  }
  return n
}

const pgTimestamptz = (text: string): Date => pg.types.getTypeParser(TIMESTAMPTZ_OID, 'text')(text) as Date

/**
 * Parse PostgreSQL's ISO text of a `timestamptz` (`2026-11-26 01:44:26.139512+00`, offsets like
 * `+05:30`) without a regular expression; anything else (BC, infinity, other date styles) goes
 * to `pg`'s own parser. Millisecond precision, as `Date` has.
 */
export function parseTimestamptz(text: string): Date {
  if (text.length < 22 || text.charCodeAt(4) !== 45 || text.charCodeAt(10) !== 32) return pgTimestamptz(text)
  const year = digits(text, 0, 4)
  const month = digits(text, 5, 2)
  const day = digits(text, 8, 2)
  const hour = digits(text, 11, 2)
  const minute = digits(text, 14, 2)
  const second = digits(text, 17, 2)
  let at = 19
  let ms = 0
  if (text.charCodeAt(at) === 46) {
    let scale = 100
    at++
    while (at < text.length) {
      const d = digit(text, at)
      if (d < 0 || d > 9) break
      ms += d * scale
      scale /= 10
      at++
    }
    ms = Math.floor(ms)
  }
  const sign = text.charCodeAt(at)
  if (sign !== 43 && sign !== 45) return pgTimestamptz(text)
  const offsetHours = digits(text, at + 1, 2)
  let offsetMinutes = 0
  let end = at + 3
  if (text.charCodeAt(end) === 58) {
    offsetMinutes = digits(text, end + 1, 2)
    end += 3
  }
  if (end !== text.length) return pgTimestamptz(text)
  const offset = (sign === 45 ? -1 : 1) * (offsetHours * 60 + offsetMinutes)
  const time = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset * 60_000
  // Date.UTC maps years 0–99 to 1900–1999: leave those (and any NaN) to the full parser.
  if (Number.isNaN(time) || year < 100) return pgTimestamptz(text)
  return new Date(time)
}

/** Type parsers of the store's queries: `pg`'s defaults with the fast `timestamptz` above. */
export const storeTypes = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === TIMESTAMPTZ_OID && format !== 'binary'
      ? parseTimestamptz
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
}
