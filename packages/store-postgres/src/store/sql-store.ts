import { HUB_STORE_SPEC_VERSION, type HubStore } from '@hub/core'
import type { SqlDriver } from '../driver.js'
import { checkSchemaName, DEFAULT_SCHEMA, wakeChannel } from '../ident.js'
import { runMigrations } from '../migrations/migrate.js'
import { conflictMethods } from './conflicts.js'
import { connectionMethods } from './connections.js'
import type { StoreContext } from './context.js'
import { itemMethods } from './items.js'
import { mappingMethods } from './mappings.js'
import { pruneMethods } from './prune.js'
import { queueMethods } from './queue.js'
import { runMethods } from './runs.js'
import { wakeSignal } from './wake-signal.js'
import { webhookMethods } from './webhooks.js'

/** Options shared by both store factories. */
export interface SqlStoreOptions {
  /** PostgreSQL schema of the tables. Default `hub`. */
  schema?: string
  /** Time source for created/updated timestamps. Default the system clock. */
  now?: () => Date
  /**
   * Run the migrations before the first query. Default `false` for `postgresStore` (call
   * `migrate()` at start-up, or run `migrationsSql()` in your own migrations), `true` for `pgliteStore`.
   */
  autoMigrate?: boolean
}

/** A {@link HubStore} on PostgreSQL, with the optional methods always present. */
export interface SqlHubStore extends HubStore {
  readonly schema: string
  migrate(): Promise<void>
  onWake(listener: () => void): () => void
  nextDueAt(): Promise<Date | null>
  prune: NonNullable<HubStore['prune']>
  /** Resolves once the LISTEN behind {@link onWake} is active (or immediately with no listener). */
  listening(): Promise<void>
  /** The driver, for host code that needs raw SQL on the same connection(s). */
  readonly driver: SqlDriver
}

/** The store over any {@link SqlDriver}: the one implementation behind `postgresStore` and `pgliteStore`. */
export function createSqlStore(driver: SqlDriver, options: SqlStoreOptions = {}): SqlHubStore {
  const schema = checkSchemaName(options.schema ?? DEFAULT_SCHEMA)
  const channel = wakeChannel(schema)
  let migrated: Promise<void> | null = null
  const migrate = () => {
    migrated ??= runMigrations(driver, schema).then(
      () => undefined,
      (error: unknown) => {
        migrated = null
        throw error
      },
    )
    return migrated
  }
  const db = options.autoMigrate ? migratingFirst(driver, migrate) : driver
  const listeners = new Set<() => void>()
  const wakeLocal = () => {
    for (const fn of listeners) fn()
  }
  const ctx: StoreContext = {
    db,
    s: `"${schema}"`,
    channel,
    wake: wakeSignal(db, channel, wakeLocal),
    now: options.now ?? (() => new Date()),
  }
  let unlisten: Promise<(() => Promise<void>) | null> | null = null

  const startListening = () => {
    unlisten ??= db
      .listen(channel, wakeLocal)
      // Without LISTEN the engine still polls; a later subscriber retries.
      .catch(() => {
        unlisten = null
        return null
      })
  }

  return {
    specificationVersion: HUB_STORE_SPEC_VERSION,
    name: driver.name,
    schema,
    driver,
    migrate,
    async close() {
      listeners.clear()
      const stop = await unlisten
      unlisten = null
      await stop?.().catch(() => {})
      await driver.close()
    },
    onWake(listener) {
      listeners.add(listener)
      startListening()
      return () => {
        listeners.delete(listener)
      }
    },
    async listening() {
      await unlisten
    },
    ...connectionMethods(ctx),
    ...webhookMethods(ctx),
    ...runMethods(ctx),
    ...itemMethods(ctx),
    ...queueMethods(ctx),
    ...mappingMethods(ctx),
    ...conflictMethods(ctx),
    ...pruneMethods(ctx),
  }
}

/** A driver that waits for the migrations before its first statement. */
function migratingFirst(driver: SqlDriver, migrate: () => Promise<void>): SqlDriver {
  return {
    name: driver.name,
    query: async (text, params) => {
      await migrate()
      return driver.query(text, params)
    },
    exec: async (text) => {
      await migrate()
      return driver.exec(text)
    },
    transaction: async (fn, options) => {
      await migrate()
      return driver.transaction(fn, options)
    },
    listen: async (channel, onNotify) => {
      await migrate()
      return driver.listen(channel, onNotify)
    },
    close: () => driver.close(),
  }
}
