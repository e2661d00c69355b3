import { randomUUID } from 'node:crypto'
import type { Connection, HubStore, ItemOutcome, NewSyncItem, Scope, SyncItem, SyncRun } from '@hub/core'

/** A seller with one connection and one run: where a test puts its items. */
export interface Tenant {
  scope: Scope
  connection: Connection
  run: SyncRun
}

/**
 * Builds the rows a test needs. Every name it makes is unique (seller, provider, account), and
 * every claim is limited to the test's own provider, so tests do not see each other's rows.
 */
export class Seed {
  /** The provider of this test's connections; claims filter on it. */
  readonly provider = `conf-${randomUUID().slice(0, 8)}`
  /** The test's time origin, a whole second. Items are due from here on. */
  readonly t0 = new Date(Math.floor(Date.now() / 1000) * 1000)
  private counter = 0

  constructor(readonly store: HubStore) {}

  /** `t0 + ms`. */
  at(ms: number): Date {
    return new Date(this.t0.getTime() + ms)
  }

  /** A fresh seller (unless given) with a connection of this test's provider and a run. */
  async tenant(options: { sellerId?: string; provider?: string } = {}): Promise<Tenant> {
    const sellerId = options.sellerId ?? `seller-${randomUUID()}`
    const connection = await this.store.createConnection({
      sellerId,
      provider: options.provider ?? this.provider,
      externalAccountId: `shop-${randomUUID()}.example`,
      status: 'active',
    })
    const run = await this.store.createRun({
      sellerId,
      connectionId: connection.id,
      kind: 'manual',
      trigger: 'conformance',
    })
    return { scope: { sellerId }, connection, run }
  }

  /** A new run of the tenant's connection. */
  run(tenant: Tenant, kind: SyncRun['kind'] = 'manual'): Promise<SyncRun> {
    return this.store.createRun({ sellerId: tenant.scope.sellerId, connectionId: tenant.connection.id, kind })
  }

  /** An item input for the tenant, due at `t0` unless overridden. */
  item(tenant: Tenant, overrides: Partial<NewSyncItem> = {}): NewSyncItem {
    this.counter += 1
    return {
      runId: tenant.run.id,
      connectionId: tenant.connection.id,
      sellerId: tenant.scope.sellerId,
      provider: tenant.connection.provider,
      operation: 'conformance.op',
      idempotencyKey: `key-${this.counter}-${randomUUID()}`,
      entityType: 'thing',
      externalId: `ext-${this.counter}`,
      payload: { n: this.counter },
      nextAttemptAt: this.t0,
      ...overrides,
    }
  }

  /** Enqueue `count` new items (in chunks, so big seeds stay cheap for SQL stores). */
  async enqueue(
    tenant: Tenant,
    count: number,
    overrides: Partial<NewSyncItem> | ((index: number) => Partial<NewSyncItem>) = {},
  ): Promise<SyncItem[]> {
    const inputs = Array.from({ length: count }, (_, i) =>
      this.item(tenant, typeof overrides === 'function' ? overrides(i) : overrides),
    )
    const items: SyncItem[] = []
    for (let i = 0; i < inputs.length; i += 100) {
      items.push(...(await this.store.enqueueItems(inputs.slice(i, i + 100))).items)
    }
    return items
  }

  /** Claim this test's due items at `now` (default `t0 + 1 s`). */
  claim(
    workerId: string,
    options: { now?: Date; limit?: number; leaseMs?: number; providers?: string[] } = {},
  ): Promise<SyncItem[]> {
    return this.store.claimItems({
      workerId,
      limit: options.limit ?? 1000,
      leaseMs: options.leaseMs ?? 60_000,
      now: options.now ?? this.at(1000),
      providers: options.providers ?? [this.provider],
    })
  }

  /** Finish a claimed item with an outcome, writing an attempt of the same name. */
  finish(
    item: SyncItem,
    workerId: string,
    outcome: ItemOutcome,
    now: Date = this.at(1500),
  ): Promise<SyncItem | null> {
    const error = 'error' in outcome ? outcome.error : null
    return this.store.finishItem({
      itemId: item.id,
      workerId,
      outcome,
      now,
      attempt: { startedAt: item.updatedAt, finishedAt: now, outcome: outcome.status, error, excerpt: null },
    })
  }

  /**
   * Claim these items (all must be due) and finish each with its outcome, or leave it running.
   * Other items the claim happened to take are released again.
   */
  async drive(
    items: Array<{ item: SyncItem; outcome: ItemOutcome | 'running' }>,
    workerId = 'driver',
  ): Promise<void> {
    const claimed = new Map((await this.claim(workerId)).map((c) => [c.id, c]))
    for (const { item, outcome } of items) {
      const held = claimed.get(item.id)
      if (!held) throw new Error(`conformance setup: item ${item.id} was not claimable`)
      claimed.delete(item.id)
      if (outcome !== 'running') await this.finish(held, workerId, outcome)
    }
    for (const other of claimed.values()) await this.finish(other, workerId, { status: 'released' })
  }
}

/** An error outcome helper. */
export function itemError(code: string, retryable = true) {
  return { code, message: `${code} happened`, retryable }
}

/** `n` numbers from 0. */
export function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

/** Resolve after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** Wait until `check()` is true, polling, up to `timeoutMs`; false on timeout. */
export async function eventually(check: () => boolean, timeoutMs = 2_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) return false
    await sleep(5)
  }
  return true
}
