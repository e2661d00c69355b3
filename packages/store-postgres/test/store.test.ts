import { HubError, NotFoundError } from '@hub/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { SqlHubStore } from '../src/index.js'
import { succeed, type Tenant, tenant, until } from './fixtures.js'
import { DATABASE_URL, NO_DATABASE, pgliteTestStore, pgTestStore } from './helpers.js'

const drivers = [
  { name: 'PGlite', make: pgliteTestStore, enabled: true },
  {
    name: `PostgreSQL${DATABASE_URL ? '' : ` (${NO_DATABASE})`}`,
    make: () => pgTestStore({ max: 12 }),
    enabled: !!DATABASE_URL,
  },
]

const T0 = new Date('2030-01-01T00:00:00.000Z')
const at = (ms: number) => new Date(T0.getTime() + ms)

for (const driver of drivers) {
  describe.skipIf(!driver.enabled)(`SQL store on ${driver.name}`, () => {
    let store: SqlHubStore
    let t: Tenant
    beforeEach(async () => {
      store = await driver.make()
      t = await tenant(store)
    })
    afterEach(async () => {
      await store.close()
    })

    it('enqueues idempotently, also under concurrent callers', async () => {
      const batches = await Promise.all(
        Array.from({ length: 8 }, () => store.enqueueItems([t.item('a'), t.item('b'), t.item('a')])),
      )
      expect(batches.reduce((n, b) => n + b.created, 0)).toBe(2)
      const ids = new Set(batches.flatMap((b) => b.items.map((i) => i.id)))
      expect(ids.size).toBe(2)
      expect(batches[0]!.items[0]!.id).toBe(batches[0]!.items[2]!.id)
      expect(await store.listItems(t.scope)).toHaveLength(2)
    })

    it('refuses items of a run or connection the seller does not own', async () => {
      const other = await tenant(store, 'seller-2')
      await expect(store.enqueueItems([{ ...t.item('x'), runId: other.runId }])).rejects.toBeInstanceOf(
        NotFoundError,
      )
      await expect(store.enqueueItems([{ ...t.item('x'), maxAttempts: 0 }])).rejects.toBeInstanceOf(HubError)
    })

    it('claims every item exactly once across concurrent claimers', async () => {
      await store.enqueueItems(Array.from({ length: 300 }, (_, i) => t.item(`k${i}`, { nextAttemptAt: T0 })))
      const seen = new Map<string, number>()
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (;;) {
            const got = await store.claimItems({ workerId: `w${w}`, limit: 7, leaseMs: 60_000, now: at(1) })
            if (got.length === 0) return
            for (const item of got) seen.set(item.id, (seen.get(item.id) ?? 0) + 1)
          }
        }),
      )
      expect(seen.size).toBe(300)
      expect([...seen.values()].every((n) => n === 1)).toBe(true)
    })

    it('never runs two items with the same serial key at once, even when claimers race', async () => {
      const keys = ['sku-1', 'sku-2', 'sku-3']
      await store.enqueueItems(
        Array.from({ length: 30 }, (_, i) => t.item(`s${i}`, { serialKey: keys[i % 3]!, nextAttemptAt: T0 })),
      )
      let finished = 0
      while (finished < 30) {
        const batches = await Promise.all(
          Array.from({ length: 6 }, (_, w) =>
            store.claimItems({ workerId: `w${w}`, limit: 5, leaseMs: 60_000, now: at(1) }),
          ),
        )
        const running = await store.listItems(t.scope, { status: 'running' })
        const perKey = new Map<string, number>()
        for (const item of running) perKey.set(item.serialKey!, (perKey.get(item.serialKey!) ?? 0) + 1)
        expect([...perKey.values()].every((n) => n === 1)).toBe(true)
        const claimed = batches.flat()
        expect(claimed.length).toBeGreaterThan(0)
        for (const item of claimed) {
          expect(await store.finishItem(succeed(item, item.leaseOwner!, at(2)))).not.toBeNull()
          finished++
        }
      }
    })

    it('reclaims an expired lease, records lease_expired, and refuses the old owner', async () => {
      const [item] = (await store.enqueueItems([t.item('x', { serialKey: 'k', nextAttemptAt: T0 })])).items
      const [first] = await store.claimItems({ workerId: 'w1', limit: 1, leaseMs: 1_000, now: at(0) })
      expect(first?.id).toBe(item!.id)
      expect(await store.claimItems({ workerId: 'w2', limit: 1, leaseMs: 1_000, now: at(999) })).toEqual([])
      const [again] = await store.claimItems({ workerId: 'w2', limit: 1, leaseMs: 1_000, now: at(1_000) })
      expect(again).toMatchObject({
        id: item!.id,
        attempt: 2,
        leaseOwner: 'w2',
        lastError: { code: 'LEASE_EXPIRED' },
      })
      expect(await store.finishItem(succeed(first!, 'w1', at(1_001)))).toBeNull()
      expect(await store.heartbeat('w1', [item!.id], 1_000, at(1_001))).toEqual([])
      expect(await store.heartbeat('w2', [item!.id], 5_000, at(1_001))).toEqual([item!.id])
      expect((await store.finishItem(succeed(again!, 'w2', at(1_002))))?.status).toBe('succeeded')
      const attempts = await store.listAttempts(t.scope, item!.id)
      expect(attempts.map((a) => [a.attempt, a.outcome, a.workerId])).toEqual([
        [1, 'lease_expired', 'w1'],
        [2, 'succeeded', 'w2'],
      ])
    })

    it('keeps the serial key held while its holder heartbeats past the first lease', async () => {
      await store.enqueueItems([
        t.item('a', { serialKey: 'k', nextAttemptAt: T0 }),
        t.item('b', { serialKey: 'k', nextAttemptAt: T0 }),
      ])
      const [a] = await store.claimItems({ workerId: 'w1', limit: 5, leaseMs: 1_000, now: at(0) })
      await store.heartbeat('w1', [a!.id], 10_000, at(500))
      expect(await store.claimItems({ workerId: 'w2', limit: 5, leaseMs: 1_000, now: at(5_000) })).toEqual([])
      expect((await store.nextDueAt())?.getTime()).toBe(at(10_500).getTime())
      await store.finishItem(succeed(a!, 'w1', at(5_001)))
      const [b] = await store.claimItems({ workerId: 'w2', limit: 5, leaseMs: 1_000, now: at(5_002) })
      expect(b?.idempotencyKey).toBe('b')
    })

    it('retries at nextAttemptAt, dead-letters a crash on the last attempt, and replays', async () => {
      const [item] = (await store.enqueueItems([t.item('x', { maxAttempts: 2, nextAttemptAt: T0 })])).items
      const [c1] = await store.claimItems({ workerId: 'w', limit: 1, leaseMs: 1_000, now: at(0) })
      const error = { code: 'HTTP_503', message: 'later', retryable: true }
      const failed = await store.finishItem({
        itemId: c1!.id,
        workerId: 'w',
        outcome: { status: 'failed', error, nextAttemptAt: at(60_000) },
        attempt: { startedAt: at(0), finishedAt: at(1), outcome: 'failed', error },
        now: at(1),
      })
      expect(failed).toMatchObject({ status: 'failed', attempt: 1, lastError: error, leaseOwner: null })
      expect((await store.nextDueAt())?.getTime()).toBe(at(60_000).getTime())
      expect(await store.claimItems({ workerId: 'w', limit: 1, leaseMs: 1_000, now: at(59_999) })).toEqual([])
      await store.claimItems({ workerId: 'w', limit: 1, leaseMs: 1_000, now: at(60_000) })
      expect(await store.reapExpiredLeases(at(60_999))).toBe(0)
      expect(await store.reapExpiredLeases(at(61_000))).toBe(1)
      const dead = await store.getItem(t.scope, item!.id)
      expect(dead).toMatchObject({ status: 'dead', lastError: { code: 'LEASE_EXPIRED' } })
      expect(await store.replay({ sellerId: 'other' }, { itemId: item!.id }, at(70_000))).toEqual([])
      const [replayed] = await store.replay(t.scope, { runId: t.runId }, at(70_000))
      expect(replayed).toMatchObject({ status: 'pending', attempt: 0, nextAttemptAt: at(70_000) })
    })

    it('gives a released item back untouched', async () => {
      await store.enqueueItems([t.item('x', { nextAttemptAt: T0 })])
      const [c] = await store.claimItems({ workerId: 'w', limit: 1, leaseMs: 1_000, now: at(0) })
      const released = await store.finishItem({
        itemId: c!.id,
        workerId: 'w',
        outcome: { status: 'released' },
        attempt: { startedAt: at(0), finishedAt: at(1), outcome: 'released' },
        now: at(1),
      })
      expect(released).toMatchObject({ status: 'pending', attempt: 0, leaseOwner: null })
      expect(await store.claimItems({ workerId: 'w', limit: 1, leaseMs: 1_000, now: at(2) })).toHaveLength(1)
    })

    it('records a webhook event once when deliveries race; the losers get the winner row', async () => {
      const input = {
        provider: 'shopify',
        providerEventId: 'evt-1',
        connectionId: t.connectionId,
        sellerId: 'seller-1',
        topic: 'inventory_levels/update',
        occurredAt: null,
        receivedAt: T0,
        headers: { 'x-shopify-topic': 'inventory_levels/update' },
        payload: { n: 1 },
      }
      const results = await Promise.all(Array.from({ length: 10 }, () => store.recordWebhookEvent(input)))
      expect(results.filter((r) => r.created)).toHaveLength(1)
      expect(new Set(results.map((r) => r.event.id)).size).toBe(1)
      await expect(
        store.recordWebhookEvent({ ...input, providerEventId: 'e2', sellerId: 'x' }),
      ).rejects.toBeInstanceOf(NotFoundError)
    })

    it('converges concurrent mapping upserts on one row and one open conflict', async () => {
      const key = { connectionId: t.connectionId, entityType: 'variant', externalId: 'v1' }
      const upserts = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.upsertMapping(t.scope, { ...key, baseline: i })),
      )
      expect(new Set(upserts.map((m) => m.id)).size).toBe(1)
      const mapping = await store.getMapping(t.scope, key)
      expect(mapping?.version).toBe(10)
      expect(await store.updateMapping(t.scope, mapping!.id, { baseline: 1 }, 9)).toBeNull()
      expect((await store.updateMapping(t.scope, mapping!.id, { baseline: 1 }, 10))?.version).toBe(11)
      await expect(store.upsertMapping({ sellerId: 'seller-2' }, key)).rejects.toBeInstanceOf(NotFoundError)
      const conflict = {
        connectionId: t.connectionId,
        mappingId: mapping!.id,
        entityType: 'variant',
        externalId: 'v1',
        internalId: null,
        diffs: [{ field: 'title', ours: 'a', theirs: 'b', base: null }],
        sourceHash: 'h1',
        targetHash: null,
      }
      const created = await Promise.all(
        Array.from({ length: 10 }, () => store.createConflict(t.scope, conflict)),
      )
      expect(created.filter((c) => c.created)).toHaveLength(1)
      expect(new Set(created.map((c) => c.conflict.id)).size).toBe(1)
    })

    it('wakes onWake listeners through NOTIFY on enqueue, replay and release', async () => {
      let wakes = 0
      const off = store.onWake(() => wakes++)
      await store.listening()
      await store.enqueueItems([t.item('x', { nextAttemptAt: T0 })])
      await until(() => wakes >= 1)
      const [c] = await store.claimItems({ workerId: 'w', limit: 1, leaseMs: 1_000, now: at(0) })
      await store.finishItem({
        itemId: c!.id,
        workerId: 'w',
        outcome: { status: 'released' },
        attempt: { startedAt: at(0), finishedAt: at(1), outcome: 'released' },
        now: at(1),
      })
      await until(() => wakes >= 2)
      off()
    })

    it('prunes finished items with their attempts and processed events, in batches', async () => {
      await store.enqueueItems(Array.from({ length: 7 }, (_, i) => t.item(`k${i}`, { nextAttemptAt: T0 })))
      const claimed = await store.claimItems({ workerId: 'w', limit: 5, leaseMs: 1_000, now: at(0) })
      for (const item of claimed) await store.finishItem(succeed(item, 'w', at(1)))
      const { event } = await store.recordWebhookEvent({
        provider: 'shopify',
        providerEventId: 'e',
        connectionId: t.connectionId,
        sellerId: 'seller-1',
        topic: 't',
        occurredAt: null,
        receivedAt: T0,
        headers: {},
        payload: null,
      })
      await store.updateWebhookEvent(t.scope, event.id, { status: 'processed' })
      expect(await store.prune({ olderThan: at(1), batchSize: 2 })).toEqual({
        items: 0,
        attempts: 0,
        events: 1,
      })
      expect(await store.prune({ olderThan: at(2), batchSize: 2 })).toEqual({
        items: 5,
        attempts: 5,
        events: 0,
      })
      expect(await store.listItems(t.scope)).toHaveLength(2)
    })

    it('scopes every read by seller', async () => {
      const [item] = (await store.enqueueItems([t.item('x')])).items
      expect(await store.getItem({ sellerId: 'seller-2' }, item!.id)).toBeNull()
      expect(await store.listItems({ sellerId: 'seller-2' })).toEqual([])
      expect(await store.getConnection({ sellerId: 'seller-2' }, t.connectionId)).toBeNull()
      await expect(store.getItem({ sellerId: '' }, item!.id)).rejects.toMatchObject({ code: 'SCOPE_INVALID' })
    })
  })
}
