import {
  type Clock,
  type Connection,
  createHub,
  createKeyring,
  type Hub,
  type HubStore,
  type LogFields,
  type Logger,
  memoryMarketplace,
  memoryStore,
  type ProviderAdapter,
} from '../../src/index.js'
import { ACME_SECRET, type AcmeShop, acmeProvider, acmeShop, type Script, signAcme } from './acme-provider.js'

/** A clock tests move by hand; `sleep` resolves at once (the engine never busy-waits in tests). */
export function manualClock(start = new Date('2026-11-25T12:00:00Z')) {
  let now = start.getTime()
  const clock: Clock & { advance(ms: number): void; set(d: Date): void } = {
    now: () => new Date(now),
    sleep: async () => {},
    advance(ms) {
      now += ms
    },
    set(d) {
      now = d.getTime()
    },
  }
  return clock
}

/** A logger that keeps every line, to scan for secrets. */
export function memoryLogger() {
  const lines: Array<{ level: string; fields: LogFields; message?: string }> = []
  const at =
    (level: string) =>
    (fields: LogFields, message?: string): void => {
      lines.push({ level, fields, ...(message !== undefined ? { message } : {}) })
    }
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
  return { logger, lines }
}

export const TEST_KEY = Buffer.alloc(32, 7)

export interface Harness {
  hub: Hub
  store: HubStore
  shop: AcmeShop
  scripts: Map<string, Script>
  marketplace: ReturnType<typeof memoryMarketplace>
  clock: ReturnType<typeof manualClock>
  logs: ReturnType<typeof memoryLogger>
  connection: Connection
  scope: { sellerId: string }
}

/** One seller connected to the scripted "acme" provider over a memory store. */
export async function harness(
  options: {
    stock?: Record<string, number>
    extraProviders?: ProviderAdapter[]
    maxAttempts?: number
    store?: HubStore
    clock?: ReturnType<typeof manualClock>
  } = {},
): Promise<Harness> {
  const store = options.store ?? memoryStore()
  const shop = acmeShop(options.stock)
  const scripts = new Map<string, Script>()
  const marketplace = memoryMarketplace()
  const clock = options.clock ?? manualClock()
  const logs = memoryLogger()
  const hub = createHub({
    store,
    providers: [acmeProvider(shop, scripts), ...(options.extraProviders ?? [])],
    marketplace,
    keyring: createKeyring({ keys: { k1: TEST_KEY }, currentKeyId: 'k1' }),
    logger: logs.logger,
    clock,
    retry: { maxAttempts: options.maxAttempts ?? 3, baseMs: 1_000, maxMs: 60_000, random: () => 0.5 },
  })
  const scope = { sellerId: 'seller_a' }
  const connection = await hub.connections.create({
    sellerId: scope.sellerId,
    provider: 'acme',
    externalAccountId: 'a.acme.test',
    credentials: { webhookSecret: ACME_SECRET, apiToken: 'tok_live_9f8e7d6c5b4a' },
  })
  return { hub, store, shop, scripts, marketplace, clock, logs, connection, scope }
}

/** Build a signed acme webhook Request. */
export function acmeRequest(
  body: object,
  options: { shop?: string; secret?: string; signature?: string } = {},
) {
  const text = JSON.stringify(body)
  return new Request('http://localhost/hooks/acme', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-acme-shop': options.shop ?? 'a.acme.test',
      'x-acme-signature': options.signature ?? signAcme(text, options.secret),
    },
    body: text,
  })
}
