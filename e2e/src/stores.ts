import { randomBytes } from 'node:crypto'
import type { HubStore } from '@hub/core'
import { postgresStore } from '@hub/store-postgres'

/**
 * A store on real PostgreSQL (`connectionString`, e.g. `DATABASE_URL`) in a fresh schema, so a
 * run never meets the rows of an earlier one; `close()` drops the schema.
 */
export async function isolatedPostgresStore(connectionString: string): Promise<HubStore> {
  const schema = `hub_e2e_${randomBytes(6).toString('hex')}`
  const store = postgresStore({ connectionString, schema })
  await store.migrate()
  const close = store.close.bind(store)
  return Object.assign(store, {
    async close() {
      await store.driver.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {})
      await close()
    },
  })
}
