import { readFileSync } from 'node:fs'
import type pg from 'pg'

/** `databaseUrl` with an `application_name`, so the server's backends of one scenario can be found. */
export function withApplicationName(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl)
  url.searchParams.set('application_name', name)
  return url.toString()
}

/**
 * CPU seconds (user + system) used so far by the PostgreSQL backends connected with
 * `application_name = name`, read from /proc: only when the server runs on this machine (Linux),
 * `null` otherwise. Backends that already disconnected are not counted.
 */
export async function backendCpuSeconds(admin: pg.Pool, name: string): Promise<number | null> {
  const { rows } = await admin.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
    [name],
  )
  let ticks = 0
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
      ticks += Number(fields[11]) + Number(fields[12])
    } catch {
      return null
    }
  }
  return ticks / 100
}

/** CPU seconds (user + system) this process used since `from` (a `process.cpuUsage()` reading). */
export function processCpuSeconds(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from)
  return (used.user + used.system) / 1e6
}
