import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type SqlHubStore, wakeChannel } from '../src/index.js'
import { tenant, until } from './fixtures.js'
import { DATABASE_URL, NO_DATABASE, pgTestStore } from './helpers.js'

describe.skipIf(!DATABASE_URL)(
  `LISTEN connection on PostgreSQL${DATABASE_URL ? '' : ` (${NO_DATABASE})`}`,
  () => {
    let store: SqlHubStore
    beforeEach(async () => {
      store = await pgTestStore()
    })
    afterEach(async () => {
      await store.close()
    })

    const listeners = async () => {
      const rows = await store.driver.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE query = $1 AND state = 'idle'`,
        [`LISTEN "${wakeChannel(store.schema)}"`],
      )
      return rows.map((r) => r.pid)
    }

    it('reconnects after the listening connection is killed, and wakes listeners', async () => {
      const t = await tenant(store)
      let wakes = 0
      store.onWake(() => wakes++)
      await store.listening()
      const [pid] = await listeners()
      expect(pid).toBeDefined()
      await store.driver.query('SELECT pg_terminate_backend($1)', [pid])
      // After reconnecting, every listener is woken once (notifications in the gap are lost).
      await until(() => wakes >= 1, 5_000)
      const again = await listeners()
      expect(again.length).toBe(1)
      expect(again[0]).not.toBe(pid)
      const before = wakes
      await store.enqueueItems([t.item('after-reconnect')])
      await until(() => wakes > before, 5_000)
    })
  },
)
