import { randomBytes } from 'node:crypto'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createHub,
  createKeyring,
  createRegistry,
  type Hub,
  type Keyring,
  keyringFromEnv,
  type Logger,
  type ProviderAdapter,
  type RetryPolicy,
  silentLogger,
  type Worker,
  type WorkerOptions,
} from '@hub/core'
import { pgliteStore, postgresStore, type SqlHubStore } from '@hub/store-postgres'
import { createHostActions, type HostActions } from './host-actions.js'
import { operatorRoutes } from './http/operator-api.js'
import { type SqlMarketplace, sqlMarketplace } from './marketplace/index.js'
import {
  type AuthRouteHandler,
  collectAuthRoutes,
  type HostProvider,
  toHostProviders,
} from './provider-wiring.js'
import { createHttpServer, type SellerResolver, sellerFromHeader } from './server.js'

/** Options of {@link createApp}. */
export interface AppOptions {
  /** PostgreSQL connection string. Unset: embedded PGlite (in memory, or in `dataDir`). */
  databaseUrl?: string | undefined
  /** PGlite data directory, to keep data across restarts without PostgreSQL. Ignored with `databaseUrl`. */
  dataDir?: string | undefined
  /** The providers this backend runs (adapters, with their auth routes). */
  providers: readonly (HostProvider | ProviderAdapter)[]
  /**
   * Encrypts stored credentials. Default: `keyringFromEnv()` (`HUB_KEYRING` / `HUB_ENCRYPTION_KEY`)
   * with a persistent database; a random key for the in-memory database (its data dies with it).
   */
  keyring?: Keyring | undefined
  logger?: Logger | undefined
  /** Listen address. Default `127.0.0.1`. */
  host?: string | undefined
  /** Listen port; `0` picks a free one. Default 3000. */
  port?: number | undefined
  /** When set, the operator API requires `authorization: Bearer <token>`. */
  operatorToken?: string | undefined
  /** Who the operator API acts for. Default the `x-seller-id` header; derive it from your auth instead. */
  resolveSeller?: SellerResolver | undefined
  worker?: WorkerOptions | undefined
  retry?: Partial<RetryPolicy> | undefined
  /** PostgreSQL schemas of the hub store and of the marketplace tables. Default `hub`, `marketplace`. */
  schemas?: { hub?: string; marketplace?: string } | undefined
  /** How often expired leases of crashed workers are reaped (`hub.sweep()`). Default 60 s; 0 disables. */
  sweepIntervalMs?: number | undefined
}

/** The running backend. */
export interface App {
  hub: Hub
  store: SqlHubStore
  marketplace: SqlMarketplace
  actions: HostActions
  worker: Worker
  server: Server
  /** Migrate, start the worker, listen. Resolves with the base URL. */
  start(): Promise<{ url: string }>
  /** Stop the worker (in-flight items finish or are released), close the server and the database. */
  stop(): Promise<void>
}

/**
 * Wire the backend: the hub store (PGlite by default, PostgreSQL with `databaseUrl`), the
 * marketplace's own tables on the same database, the hub, a worker and the HTTP server.
 *
 * @example
 * const app = createApp({ providers: [shopifyWiring, wooWiring] })
 * const { url } = await app.start()
 */
export function createApp(options: AppOptions): App {
  const logger = options.logger ?? silentLogger
  const providers = toHostProviders(options.providers)
  // Check the wiring before the database opens, so a bad one fails fast and leaves nothing running.
  createRegistry(providers.map((p) => p.adapter))
  const authRoutes = collectAuthRoutes(providers)
  const persistent = Boolean(options.databaseUrl || options.dataDir)
  const schema = options.schemas?.hub ?? 'hub'
  const keyring =
    options.keyring ??
    (persistent
      ? keyringFromEnv()
      : createKeyring({ keys: { ephemeral: randomBytes(32) }, currentKeyId: 'ephemeral' }))
  const store = options.databaseUrl
    ? postgresStore({ connectionString: options.databaseUrl, schema })
    : pgliteStore({ schema, ...(options.dataDir ? { dataDir: options.dataDir } : {}) })
  try {
    return wire(options, store, keyring, providers, authRoutes, logger)
  } catch (error) {
    // Invalid wiring (e.g. a provider createHub refuses): do not leave the database open.
    store.close().catch(() => {})
    throw error
  }
}

function wire(
  options: AppOptions,
  store: SqlHubStore,
  keyring: Keyring,
  providers: HostProvider[],
  authRoutes: Map<string, AuthRouteHandler>,
  logger: Logger,
): App {
  // The marketplace runs on the store's own driver: one database, one pool (or one PGlite).
  const marketplace = sqlMarketplace({
    driver: store.driver,
    ...(options.schemas?.marketplace ? { schema: options.schemas.marketplace } : {}),
  })
  const hub = createHub({
    store,
    providers: providers.map((p) => p.adapter),
    marketplace,
    keyring,
    logger,
    ...(options.retry ? { retry: options.retry } : {}),
  })
  const actions = createHostActions(hub, marketplace)
  const resolveSeller = options.resolveSeller ?? sellerFromHeader
  const worker = hub.worker({ concurrency: 8, ...options.worker })
  const server = createHttpServer({
    hub,
    operator: operatorRoutes({ hub, marketplace, actions }),
    authRoutes,
    authContext: { hub, marketplace, sellerOf: (request) => resolveSeller(request.headers) },
    resolveSeller,
    operatorToken: options.operatorToken,
    logger,
    async health() {
      await store.driver.query('SELECT 1')
      return { database: store.driver.name, worker: { inFlight: worker.inFlight() } }
    },
  })

  let sweepTimer: ReturnType<typeof setInterval> | null = null
  let stopping: Promise<void> | null = null

  const stop = () => {
    stopping ??= (async () => {
      if (sweepTimer) clearInterval(sweepTimer)
      await worker.stop()
      if (server.listening) {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        server.closeAllConnections()
        await closed
      }
      await hub.close()
    })()
    return stopping
  }

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(options.port ?? 3000, options.host ?? '127.0.0.1', () => {
        server.off('error', reject)
        resolve()
      })
    })

  return {
    hub,
    store,
    marketplace,
    actions,
    worker,
    server,
    async start() {
      try {
        await store.migrate()
        await marketplace.migrate()
        await worker.start()
        await listen()
      } catch (error) {
        // A failed start (database unreachable, port taken) leaves nothing running.
        await stop().catch(() => {})
        throw error
      }
      const interval = options.sweepIntervalMs ?? 60_000
      if (interval > 0) {
        sweepTimer = setInterval(() => {
          hub.sweep().catch((error: unknown) => logger.warn({ err: String(error) }, 'sweep failed'))
        }, interval)
        sweepTimer.unref()
      }
      const address = server.address() as AddressInfo
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
      const url = `http://${host}:${address.port}`
      logger.info({ url, database: store.driver.name, providers: hub.registry.names() }, 'backend started')
      return { url }
    },
    stop,
  }
}
