import { randomUUID } from 'node:crypto'
import type { HubStore, SyncItem } from '@hub/core'
import { expect } from 'vitest'
import type { DefineTest } from './store-conformance.js'
import { itemError, range, sleep } from './store-seed.js'

const ids = (items: SyncItem[]) => items.map((item) => item.id)

/** Claiming: atomicity, order, leases, serial keys, attempts. */
export function registerClaimTests<S extends HubStore>(test: DefineTest<S>): void {
  test('claim.exactly-once', async ({ store, seed, concurrency, claimItems }) => {
    const tenant = await seed.tenant()
    const items = await seed.enqueue(tenant, claimItems)
    const claims = new Map<string, number>()
    const now = seed.at(1000)
    await Promise.all(
      range(concurrency).map(async (worker) => {
        const workerId = `worker-${worker}`
        // Bounded: a correct store drains in far fewer rounds.
        for (let round = 0; round < claimItems; round++) {
          const claimed = await seed.claim(workerId, { now, limit: 1 + (worker % 4) * 3 })
          if (claimed.length === 0) return
          for (const item of claimed) {
            claims.set(item.id, (claims.get(item.id) ?? 0) + 1)
            expect(item).toMatchObject({ status: 'running', attempt: 1, leaseOwner: workerId })
          }
          for (const item of claimed) {
            const done = await seed.finish(item, workerId, { status: 'succeeded' }, now)
            expect(done?.status).toBe('succeeded')
          }
        }
      }),
    )
    const twice = [...claims].filter(([, n]) => n !== 1)
    expect(twice).toEqual([])
    expect(claims.size).toBe(items.length)
    const succeeded = await store.listItems(tenant.scope, { status: 'succeeded', limit: claimItems + 10 })
    expect(succeeded).toHaveLength(items.length)
  })

  test('claim.due-order', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const [late, early, middle, future] = await Promise.all(
      [3000, 1000, 2000, 60_000].map(
        async (ms) => (await seed.enqueue(tenant, 1, { nextAttemptAt: seed.at(ms) }))[0]!,
      ),
    )
    const other = await seed.tenant({ sellerId: tenant.scope.sellerId, provider: `${seed.provider}-other` })
    const [otherItem] = await seed.enqueue(other, 1)
    const now = seed.at(5000)

    expect(await seed.claim('w', { now: seed.at(500) })).toEqual([])
    const first = await seed.claim('w', { now, limit: 2 })
    expect(ids(first)).toEqual([early!.id, middle!.id])
    expect(first[0]!.leaseExpiresAt?.getTime()).toBe(now.getTime() + 60_000)
    expect(ids(await seed.claim('w', { now }))).toEqual([late!.id])
    expect(await seed.claim('w', { now })).toEqual([])
    expect(await seed.claim('w', { now, limit: 0 })).toEqual([])
    expect(ids(await seed.claim('w', { now, providers: [other.connection.provider] }))).toEqual([
      otherItem!.id,
    ])
    expect(ids(await seed.claim('w', { now: seed.at(60_000) }))).toEqual([future!.id])
    expect((await store.getItem(tenant.scope, future!.id))?.status).toBe('running')

    // Without nextAttemptAt an item is due from the moment it is enqueued.
    const plain = await seed.tenant({ sellerId: tenant.scope.sellerId, provider: `${seed.provider}-plain` })
    const [dueNow] = await store
      .enqueueItems([{ ...seed.item(plain), nextAttemptAt: undefined }])
      .then((r) => r.items)
    const providers = [plain.connection.provider]
    expect(await seed.claim('w', { now: new Date(Date.now() - 3_600_000), providers })).toEqual([])
    expect(ids(await seed.claim('w', { now: new Date(Date.now() + 60_000), providers }))).toEqual([
      dueNow!.id,
    ])
  })

  test('claim.lease-expiry', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const [item] = await seed.enqueue(tenant, 1)
    const [held] = await seed.claim('a', { now: seed.at(1000), leaseMs: 1000 })
    expect(held).toMatchObject({ id: item!.id, attempt: 1, leaseOwner: 'a' })
    expect(held!.leaseExpiresAt?.getTime()).toBe(seed.at(2000).getTime())

    expect(await seed.claim('b', { now: seed.at(1500), leaseMs: 1000 })).toEqual([])
    const [taken] = await seed.claim('b', { now: seed.at(2500), leaseMs: 1000 })
    expect(taken).toMatchObject({ id: item!.id, attempt: 2, leaseOwner: 'b', status: 'running' })

    expect(await seed.finish(held!, 'a', { status: 'succeeded' }, seed.at(2600))).toBeNull()
    expect(await store.heartbeat('a', [item!.id], 1000, seed.at(2600))).toEqual([])
    expect(await store.saveDiagnostic(item!.id, 'a', { plan: 'stale' })).toBe(false)
    expect(await store.getItem(tenant.scope, item!.id)).toMatchObject({
      status: 'running',
      attempt: 2,
      leaseOwner: 'b',
      diagnosticPayload: null,
    })
    const attempts = await store.listAttempts(tenant.scope, item!.id)
    expect(attempts).toEqual([
      expect.objectContaining({ attempt: 1, outcome: 'lease_expired', itemId: item!.id }),
    ])

    expect(await seed.finish(taken!, 'b', { status: 'succeeded' }, seed.at(2700))).toMatchObject({
      status: 'succeeded',
    })
  })

  test('claim.heartbeat', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const [one, two] = await seed.enqueue(tenant, 2)
    await seed.claim('a', { now: seed.at(1000), leaseMs: 1000 })
    const kept = await store.heartbeat('a', [one!.id, two!.id, randomUUID()], 5000, seed.at(1900))
    expect(kept.sort()).toEqual([one!.id, two!.id].sort())
    expect((await store.getItem(tenant.scope, one!.id))?.leaseExpiresAt?.getTime()).toBe(
      seed.at(6900).getTime(),
    )
    expect(await store.heartbeat('b', [one!.id], 5000, seed.at(1900))).toEqual([])
    expect(await seed.claim('b', { now: seed.at(5000) })).toEqual([])
    expect(ids(await seed.claim('b', { now: seed.at(7000) })).sort()).toEqual([one!.id, two!.id].sort())
  })

  test('claim.reap', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const [last] = await seed.enqueue(tenant, 1, { maxAttempts: 1 })
    const [spare] = await seed.enqueue(tenant, 1, { maxAttempts: 3 })
    await seed.claim('a', { now: seed.at(1000), leaseMs: 1000 })

    expect(await store.reapExpiredLeases(seed.at(1500))).toBe(0)
    expect(await store.reapExpiredLeases(seed.at(3000))).toBe(1)
    const dead = await store.getItem(tenant.scope, last!.id)
    expect(dead).toMatchObject({ status: 'dead', leaseOwner: null, leaseExpiresAt: null, attempt: 1 })
    expect(dead?.lastError).toEqual(expect.objectContaining({ code: expect.any(String) }))
    const attempts = await store.listAttempts(tenant.scope, last!.id)
    expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, 'lease_expired']])
    expect(await store.reapExpiredLeases(seed.at(4000))).toBe(0)

    expect(await store.getItem(tenant.scope, spare!.id)).toMatchObject({ status: 'running', leaseOwner: 'a' })
    expect(await seed.claim('b', { now: seed.at(3000) })).toEqual([
      expect.objectContaining({ id: spare!.id, attempt: 2 }),
    ])
  })

  test('claim.serial-key', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const sibling = await seed.tenant({ sellerId: tenant.scope.sellerId })
    const k1 = [
      ...(await seed.enqueue(tenant, 1, { serialKey: 'inv:k1', nextAttemptAt: seed.at(0) })),
      ...(await seed.enqueue(sibling, 1, { serialKey: 'inv:k1', nextAttemptAt: seed.at(1) })),
      ...(await seed.enqueue(tenant, 1, { serialKey: 'inv:k1', nextAttemptAt: seed.at(2) })),
    ]
    const k2 = await seed.enqueue(tenant, 3, (i) => ({ serialKey: 'inv:k2', nextAttemptAt: seed.at(i) }))
    const free = await seed.enqueue(tenant, 2, { serialKey: null })
    const first = await seed.claim('w')
    expect(ids(first).sort()).toEqual([k1[0]!.id, k2[0]!.id, free[0]!.id, free[1]!.id].sort())
    expect(await seed.claim('w2')).toEqual([])
    await seed.finish(first.find((i) => i.id === k1[0]!.id)!, 'w', { status: 'succeeded' })
    expect(ids(await seed.claim('w2'))).toEqual([k1[1]!.id])
    expect((await store.getItem(tenant.scope, k2[1]!.id))?.status).toBe('pending')
  })

  test('claim.serial-key-expired', async ({ seed }) => {
    const tenant = await seed.tenant()
    const [crashed] = await seed.enqueue(tenant, 1, { serialKey: 'inv:k3' })
    await seed.claim('a', { now: seed.at(1000), leaseMs: 1000 })
    const [waiting] = await seed.enqueue(tenant, 1, { serialKey: 'inv:k3', nextAttemptAt: seed.at(500) })
    expect(await seed.claim('b', { now: seed.at(1500) })).toEqual([])
    const claimed = await seed.claim('b', { now: seed.at(2500) })
    expect(claimed).toHaveLength(1)
    expect([crashed!.id, waiting!.id]).toContain(claimed[0]!.id)
    expect(await seed.claim('c', { now: seed.at(2600) })).toEqual([])
  })

  test('claim.serial-key-concurrent', async ({ store, seed, concurrency }) => {
    const tenant = await seed.tenant()
    const total = 120
    await seed.enqueue(tenant, total, (i) => ({ serialKey: i % 10 === 9 ? null : `inv:key-${i % 6}` }))
    const held = new Set<string>()
    const seen = new Set<string>()
    const violations: string[] = []
    const now = seed.at(1000)
    const deadline = Date.now() + 20_000
    await Promise.all(
      range(concurrency).map(async (worker) => {
        const workerId = `worker-${worker}`
        while (seen.size < total && Date.now() < deadline) {
          const claimed = await seed.claim(workerId, { now, limit: 3 })
          if (claimed.length === 0) {
            await sleep(1)
            continue
          }
          for (const item of claimed) {
            if (seen.has(item.id)) violations.push(`claimed twice: ${item.id}`)
            seen.add(item.id)
            if (item.serialKey !== null) {
              if (held.has(item.serialKey)) violations.push(`two running with ${item.serialKey}`)
              held.add(item.serialKey)
            }
          }
          await sleep(0)
          for (const item of claimed) {
            // Let go of the key before the store does, so a fast re-claim is never a false alarm.
            if (item.serialKey !== null) held.delete(item.serialKey)
            await seed.finish(item, workerId, { status: 'succeeded' }, now)
          }
        }
      }),
    )
    expect(violations).toEqual([])
    expect(seen.size).toBe(total)
    expect(await store.listItems(tenant.scope, { status: 'succeeded', limit: total + 1 })).toHaveLength(total)
  })

  test('claim.reclaim-race', async ({ store, seed, concurrency }) => {
    const tenant = await seed.tenant()
    const items = await seed.enqueue(tenant, 60)
    const held = await seed.claim('old', { now: seed.at(1000), leaseMs: 1000 })
    expect(held).toHaveLength(items.length)
    const expired = seed.at(2500)
    const finishedByOld = new Set<string>()
    const kept = new Set<string>()
    const claimedByNew = new Set<string>()
    await Promise.all([
      // New claimers take what expired, while...
      ...range(Math.max(2, Math.floor(concurrency / 2))).map(async (worker) => {
        for (let round = 0; round < items.length; round++) {
          const claimed = await seed.claim(`new-${worker}`, { now: expired, limit: 4 })
          if (claimed.length === 0) return
          for (const item of claimed) {
            expect(claimedByNew.has(item.id), `claimed twice: ${item.id}`).toBe(false)
            claimedByNew.add(item.id)
            expect(item.attempt).toBe(2)
          }
        }
      }),
      // ...the old owner, late, finishes every other item and heartbeats the rest.
      ...held
        .filter((_, i) => i % 2 === 0)
        .map(async (item) => {
          if (await seed.finish(item, 'old', { status: 'succeeded' }, expired)) finishedByOld.add(item.id)
        }),
      ...held
        .filter((_, i) => i % 2 === 1)
        .map(async (item) => {
          for (const id of await store.heartbeat('old', [item.id], 60_000, expired)) kept.add(id)
        }),
    ])
    for (const item of items) {
      const old = finishedByOld.has(item.id) || kept.has(item.id)
      expect(old !== claimedByNew.has(item.id), `item ${item.id}: old owner ${old}, new claimer`).toBe(true)
      const stored = await store.getItem(tenant.scope, item.id)
      if (finishedByOld.has(item.id)) expect(stored).toMatchObject({ status: 'succeeded', attempt: 1 })
      else if (kept.has(item.id))
        expect(stored).toMatchObject({ status: 'running', leaseOwner: 'old', attempt: 1 })
      else
        expect(stored).toMatchObject({
          status: 'running',
          attempt: 2,
          leaseOwner: expect.stringMatching(/^new-/),
        })
    }
  })

  test('claim.max-attempts', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const [item] = await seed.enqueue(tenant, 1, { maxAttempts: 2 })
    const [one] = await seed.claim('w', { now: seed.at(1000) })
    await seed.finish(
      one!,
      'w',
      { status: 'failed', error: itemError('E'), nextAttemptAt: seed.at(2000) },
      seed.at(1100),
    )
    const [two] = await seed.claim('w', { now: seed.at(2000) })
    expect(two).toMatchObject({ id: item!.id, attempt: 2 })
    await seed.finish(
      two!,
      'w',
      { status: 'failed', error: itemError('E'), nextAttemptAt: seed.at(3000) },
      seed.at(2100),
    )
    expect(await seed.claim('w', { now: seed.at(100_000) })).toEqual([])
    expect(await store.getItem(tenant.scope, item!.id)).toMatchObject({ status: 'failed', attempt: 2 })
  })
}
