import pg from 'pg'
import { config } from './config.js'

/** Which store call a statement belongs to, by its text. */
function statementLabel(query: string): string {
  // pg_stat_activity keeps the first 1,024 bytes: the INSERT INTO items may be cut off.
  if (query.includes('jsonb_to_recordset') && query.includes('idempotency_key')) return 'enqueueItems'
  if (/INSERT INTO "[^"]+"\.webhook_events/.test(query)) return 'recordWebhookEvent'
  if (/UPDATE "[^"]+"\.webhook_events/.test(query)) return 'updateWebhookEvent'
  if (/INSERT INTO "[^"]+"\.runs/.test(query)) return 'createRun'
  if (/FROM "[^"]+"\.connections/.test(query)) return 'findConnection'
  if (/FROM "[^"]+"\.mappings/.test(query)) return 'getMapping'
  return query.replace(/\s+/g, ' ').trim().slice(0, 30)
}

/**
 * Samples `pg_stat_activity` every 50 ms for active statements on one schema and counts what
 * they wait on (`Lock:object` is the NOTIFY queue lock taken at commit, `LWLock:WALWrite` /
 * `IO:WALSync` the commit's WAL flush, `CPU` no wait). `stop()` returns the top entries with
 * their share of samples.
 */
export async function sampleWaits(schema: string): Promise<{ stop(): Promise<string> }> {
  const client = new pg.Client({ connectionString: config.databaseUrl })
  await client.connect()
  const counts = new Map<string, number>()
  let total = 0
  let running = true
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ wait: string; query: string }>(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS wait, query
           FROM pg_stat_activity
          WHERE state = 'active' AND pid <> pg_backend_pid() AND position($1 in query) > 0`,
        [`"${schema}"`],
      )
      for (const row of rows) {
        const key = `${row.wait} in ${statementLabel(row.query)}`
        counts.set(key, (counts.get(key) ?? 0) + 1)
        total += 1
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })()
  return {
    async stop() {
      running = false
      await loop
      await client.end()
      return [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([key, n]) => `${key} ${Math.round((100 * n) / Math.max(1, total))} %`)
        .join(', ')
    },
  }
}
