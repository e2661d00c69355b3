import pg from 'pg'
import { describe, expect, it } from 'vitest'
import { parseTimestamptz } from '../src/drivers/timestamp.js'

const pgParse = pg.types.getTypeParser(1184, 'text') as (text: string) => Date

describe('parseTimestamptz', () => {
  const samples = [
    '2026-11-26 01:44:26.139+00',
    '2026-11-26 01:44:26+00',
    '2026-11-26 01:44:26.1+00',
    '2026-11-26 01:44:26.139512+00',
    '2026-11-26 01:44:26.999999+00',
    '2026-02-28 23:59:59.5-08',
    '2026-06-01 12:00:00.25+05:30',
    '2026-06-01 12:00:00-03:30',
    '1970-01-01 00:00:00+00',
    '0101-01-01 00:00:00+00',
    '2026-11-26 01:44:26.139+00 BC',
    '0050-01-01 00:00:00+00',
    'infinity',
    '-infinity',
  ]

  it.each(samples)('reads %s as pg does', (text) => {
    const ours = parseTimestamptz(text)
    const theirs = pgParse(text)
    expect(ours instanceof Date ? ours.getTime() : ours).toEqual(
      theirs instanceof Date ? theirs.getTime() : theirs,
    )
  })

  it('agrees with pg on what PostgreSQL prints for random instants', () => {
    for (let i = 0; i < 1_000; i++) {
      const ms = Math.floor(Math.random() * 4_102_444_800_000)
      const iso = new Date(ms).toISOString()
      const text = `${iso.slice(0, 10)} ${iso.slice(11, 23)}+00`
      expect(parseTimestamptz(text).getTime()).toBe(pgParse(text).getTime())
    }
  })
})
