import { randomUUID } from 'node:crypto'
import type { HubStore } from '@hub/core'
import { expect } from 'vitest'
import type { DefineTest } from './store-conformance.js'
import { itemError } from './store-seed.js'

/** Finishing items: outcomes, retries, dead letters, attempt history, diagnostics. */
export function registerFinishTests<S extends HubStore>(test: DefineTest<S>): void {
  test('finish.backoff', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const [item] = await seed.enqueue(tenant, 1)
    const [held] = await seed.claim('w', { now: seed.at(1000) })
    const error = itemError('THROTTLED')
    const failed = await seed.finish(
      held!,
      'w',
      { status: 'failed', error, nextAttemptAt: seed.at(60_000) },
      seed.at(1100),
    )
    expect(failed).toMatchObject({
      status: 'failed',
      attempt: 1,
      lastError: error,
      leaseOwner: null,
      leaseExpiresAt: null,
    })
    expect(failed?.nextAttemptAt.getTime()).toBe(seed.at(60_000).getTime())
    expect(await store.getItem(tenant.scope, item!.id)).toMatchObject({ status: 'failed', lastError: error })
    expect(await seed.claim('w', { now: seed.at(30_000) })).toEqual([])
    expect(await seed.claim('w', { now: seed.at(59_999) })).toEqual([])
    expect(await seed.claim('w', { now: seed.at(60_000) })).toEqual([
      expect.objectContaining({ id: item!.id, attempt: 2, status: 'running' }),
    ])
  })

  test('finish.lease-owner', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const [pending, item] = await seed.enqueue(tenant, 2, (i) => ({
      nextAttemptAt: seed.at(i === 0 ? 90_000 : 0),
    }))
    expect(await seed.finish(pending!, 'w', { status: 'succeeded' })).toBeNull()
    expect((await store.getItem(tenant.scope, pending!.id))?.status).toBe('pending')

    const [held] = await seed.claim('owner')
    expect(held?.id).toBe(item!.id)
    expect(await seed.finish(held!, 'intruder', { status: 'dead', error: itemError('X', false) })).toBeNull()
    expect(await store.getItem(tenant.scope, item!.id)).toMatchObject({
      status: 'running',
      leaseOwner: 'owner',
    })
    expect(await store.listAttempts(tenant.scope, item!.id)).toEqual([])
    const done = await seed.finish(held!, 'owner', { status: 'succeeded' })
    expect(done?.status).toBe('succeeded')
    expect(await seed.finish(held!, 'owner', { status: 'succeeded' })).toBeNull()
    expect(await store.listAttempts(tenant.scope, item!.id)).toHaveLength(1)
  })

  test('finish.succeeded', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const [item] = await seed.enqueue(tenant, 1, { internalId: 'int-0', targetHash: 'h0' })
    const [held] = await seed.claim('w')
    const done = await seed.finish(held!, 'w', {
      status: 'succeeded',
      result: { applied: 2, ids: ['a'] },
      internalId: 'int-1',
      targetHash: 'h1',
    })
    const expected = {
      id: item!.id,
      status: 'succeeded',
      result: { applied: 2, ids: ['a'] },
      internalId: 'int-1',
      targetHash: 'h1',
      leaseOwner: null,
      leaseExpiresAt: null,
      lastError: null,
      attempt: 1,
    }
    expect(done).toMatchObject(expected)
    expect(await store.getItem(tenant.scope, item!.id)).toMatchObject(expected)
    expect(await seed.claim('w', { now: seed.at(1_000_000) })).toEqual([])
  })

  test('finish.attempts', async ({ store, seed, raw }) => {
    const tenant = await seed.tenant()
    const [item] = await seed.enqueue(tenant, 1)
    const [first] = await seed.claim('w1', { now: seed.at(1000) })
    const error = itemError('HTTP_503')
    await store.finishItem({
      itemId: item!.id,
      workerId: 'w1',
      now: seed.at(1200),
      outcome: { status: 'failed', error, nextAttemptAt: seed.at(2000) },
      attempt: {
        startedAt: seed.at(1000),
        finishedAt: seed.at(1200),
        outcome: 'failed',
        error,
        excerpt: { request: 'GET /x', status: 503 },
      },
    })
    const [second] = await seed.claim('w2', { now: seed.at(2000) })
    expect(second?.attempt).toBe(2)
    await seed.finish(second!, 'w2', { status: 'succeeded' }, seed.at(2300))
    const attempts = await store.listAttempts(tenant.scope, item!.id)
    expect(attempts).toHaveLength(2)
    expect(attempts[0]).toMatchObject({
      itemId: item!.id,
      sellerId: tenant.scope.sellerId,
      attempt: 1,
      workerId: 'w1',
      outcome: 'failed',
      error,
      excerpt: { request: 'GET /x', status: 503 },
    })
    expect(attempts[0]!.startedAt.getTime()).toBe(seed.at(1000).getTime())
    expect(attempts[0]!.finishedAt.getTime()).toBe(seed.at(1200).getTime())
    expect(attempts[1]).toMatchObject({
      attempt: 2,
      workerId: 'w2',
      outcome: 'succeeded',
      error: null,
      excerpt: null,
    })
    expect(first?.id).toBe(item!.id)
    if (raw.countAttempts) expect(await raw.countAttempts(store, { itemId: item!.id })).toBe(2)
  })

  test('finish.dead-letter', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const [item] = await seed.enqueue(tenant, 1, { maxAttempts: 5 })
    const [held] = await seed.claim('w')
    const error = itemError('VALIDATION', false)
    const dead = await seed.finish(held!, 'w', { status: 'dead', error })
    expect(dead).toMatchObject({ status: 'dead', lastError: error, leaseOwner: null, attempt: 1 })
    expect(await seed.claim('w', { now: seed.at(10_000_000) })).toEqual([])
    expect(await store.getItem(tenant.scope, item!.id)).toMatchObject({ status: 'dead', lastError: error })
    expect((await store.listAttempts(tenant.scope, item!.id)).map((a) => a.outcome)).toEqual(['dead'])

    for (const status of ['skipped', 'blocked'] as const) {
      const [other] = await seed.enqueue(tenant, 1)
      const [claimed] = await seed.claim('w')
      expect(claimed?.id).toBe(other!.id)
      const reason = itemError(`POLICY_${status.toUpperCase()}`, false)
      expect(await seed.finish(claimed!, 'w', { status, error: reason })).toMatchObject({
        status,
        lastError: reason,
      })
      expect(await seed.claim('w', { now: seed.at(10_000_000) })).toEqual([])
    }
  })

  test('finish.release', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const [item] = await seed.enqueue(tenant, 1)
    const [held] = await seed.claim('w', { now: seed.at(1000) })
    const released = await seed.finish(held!, 'w', { status: 'released' }, seed.at(1100))
    expect(released).toMatchObject({ status: 'pending', attempt: 0, leaseOwner: null, leaseExpiresAt: null })
    expect((await store.listAttempts(tenant.scope, item!.id)).map((a) => a.outcome)).toEqual(['released'])
    expect(await seed.claim('w2', { now: seed.at(1100) })).toEqual([
      expect.objectContaining({ id: item!.id, attempt: 1, leaseOwner: 'w2' }),
    ])
  })

  test('diagnostic.lease', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const [item] = await seed.enqueue(tenant, 1)
    expect(await store.saveDiagnostic(item!.id, 'w', { plan: 1 })).toBe(false)
    const [held] = await seed.claim('w')
    const plan = { observed: 5, target: 3, steps: [{ op: 'set' }] }
    expect(await store.saveDiagnostic(item!.id, 'w', plan)).toBe(true)
    expect(await store.saveDiagnostic(item!.id, 'other', { plan: 'theirs' })).toBe(false)
    expect((await store.getItem(tenant.scope, item!.id))?.diagnosticPayload).toEqual(plan)
    await seed.finish(held!, 'w', { status: 'succeeded' })
    expect(await store.saveDiagnostic(item!.id, 'w', { plan: 'late' })).toBe(false)
    expect((await store.getItem(tenant.scope, item!.id))?.diagnosticPayload).toEqual(plan)
    expect(await store.saveDiagnostic(randomUUID(), 'w', { plan: 1 })).toBe(false)
  })
}
