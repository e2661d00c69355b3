import { createHash } from 'node:crypto'
import pg from 'pg'
import type { SqlDriver, SqlExecutor } from '../driver.js'
import { storeTypes } from './timestamp.js'

/** How to reach PostgreSQL: a connection string (the driver owns the pool) or the host's own pool. */
export type PgConnection = { connectionString: string; max?: number } | { pool: pg.Pool }

type Queryable = Pick<pg.PoolClient, 'query'>

const names = new Map<string, string>()

/** Named statements are parsed and planned once per connection, then only bound and executed. */
function statementName(text: string): string {
  let name = names.get(text)
  if (!name) {
    name = `hub_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`
    names.set(text, name)
  }
  return name
}

function executor(client: Queryable): SqlExecutor {
  return {
    async query<R extends object>(text: string, params: readonly unknown[] = []) {
      const result = await client.query<R>({
        name: statementName(text),
        text,
        values: [...params],
        types: storeTypes,
      })
      return result.rows
    },
    async exec(text: string) {
      await client.query(text)
    },
  }
}

/** A {@link SqlDriver} over a `pg` Pool, with one dedicated client for LISTEN that reconnects on error. */
export function pgDriver(connection: PgConnection): SqlDriver {
  const ownsPool = !('pool' in connection)
  const pool =
    'pool' in connection
      ? connection.pool
      : new pg.Pool({ connectionString: connection.connectionString, max: connection.max ?? 10 })
  // An idle client's network error must not crash the host; the next query reconnects.
  if (ownsPool) pool.on('error', () => {})
  const base = executor(pool)
  const listeners = new Map<string, Set<() => void>>()
  let listenClient: pg.PoolClient | null = null
  let connecting: Promise<void> | null = null
  let closed = false
  let retryMs = 100

  const notifyAll = () => {
    for (const set of listeners.values()) for (const fn of set) fn()
  }

  const connect = async (): Promise<void> => {
    const client = await pool.connect()
    client.on('notification', (message) => {
      for (const fn of listeners.get(message.channel) ?? []) fn()
    })
    client.on('error', () => {
      if (listenClient !== client) return
      listenClient = null
      client.release(true)
      scheduleReconnect()
    })
    for (const channel of listeners.keys()) await client.query(`LISTEN "${channel}"`)
    listenClient = client
    retryMs = 100
  }

  const ensureListening = (): Promise<void> => {
    if (listenClient) return Promise.resolve()
    connecting ??= connect().finally(() => {
      connecting = null
    })
    return connecting
  }

  function scheduleReconnect() {
    if (closed) return
    const timer = setTimeout(() => {
      ensureListening().then(
        // Notifications sent while disconnected are lost: wake everyone once to re-check.
        () => notifyAll(),
        () => {
          retryMs = Math.min(retryMs * 2, 5_000)
          scheduleReconnect()
        },
      )
    }, retryMs)
    timer.unref?.()
  }

  return {
    name: 'postgres',
    query: base.query,
    exec: base.exec,
    async transaction(fn, options) {
      const client = await pool.connect()
      try {
        await client.query(options?.asyncCommit ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN')
        const result = await fn(executor(client))
        await client.query('COMMIT')
        client.release()
        return result
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {})
        client.release()
        throw error
      }
    },
    async listen(channel, onNotify) {
      let set = listeners.get(channel)
      const isNew = !set
      if (!set) {
        set = new Set()
        listeners.set(channel, set)
      }
      set.add(onNotify)
      if (listenClient && isNew) await listenClient.query(`LISTEN "${channel}"`)
      else await ensureListening()
      return async () => {
        set.delete(onNotify)
        if (set.size > 0) return
        listeners.delete(channel)
        await listenClient?.query(`UNLISTEN "${channel}"`).catch(() => {})
      }
    },
    async close() {
      closed = true
      listeners.clear()
      const client = listenClient
      listenClient = null
      await connecting?.catch(() => {})
      client?.release()
      if (ownsPool) await pool.end()
    },
  }
}
