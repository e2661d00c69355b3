import { randomUUID } from 'node:crypto'
import type { HubStore } from '@hub/core'
import { expect } from 'vitest'
import type { DefineTest } from './store-conformance.js'
import { eventually, itemError, sleep } from './store-seed.js'

const DAY = 86_400_000

/** The optional methods: `onWake`, `nextDueAt`, `prune`. Skipped with a reason when absent. */
export function registerOptionalTests<S extends HubStore>(test: DefineTest<S>): void {
  test('optional.on-wake', async ({ store, seed }, skip) => {
    if (!store.onWake) return skip('the store has no onWake')
    let wakes = 0
    const unsubscribe = store.onWake(() => {
      wakes += 1
    })
    // A store may signal asynchronously (LISTEN/NOTIFY): wait for each signal, never assume timing.
    const expectWake = async (what: string, action: () => Promise<unknown>) => {
      wakes = 0
      await action()
      expect(await eventually(() => wakes > 0), `no wake after ${what}`).toBe(true)
    }
    const tenant = await seed.tenant()
    try {
      await expectWake('enqueue', () => seed.enqueue(tenant, 1))
      const [first] = await seed.claim('w')
      await expectWake('failed', () =>
        seed.finish(first!, 'w', { status: 'failed', error: itemError('E'), nextAttemptAt: seed.at(2000) }),
      )
      const [second] = await seed.claim('w', { now: seed.at(2000) })
      await expectWake('release', () => seed.finish(second!, 'w', { status: 'released' }, seed.at(2100)))
      const [third] = await seed.claim('w', { now: seed.at(2200) })
      await seed.finish(third!, 'w', { status: 'dead', error: itemError('D', false) }, seed.at(2300))
      await expectWake('replay', () => store.replay(tenant.scope, { itemId: third!.id }, seed.at(2400)))
    } finally {
      unsubscribe()
    }
    await sleep(50)
    wakes = 0
    await seed.enqueue(tenant, 1)
    await sleep(150)
    expect(wakes).toBe(0)
  })

  test('optional.next-due-at', async ({ store, seed }, skip) => {
    if (!store.nextDueAt) return skip('the store has no nextDueAt')
    expect(await store.nextDueAt()).toBeNull()
    const tenant = await seed.tenant()
    await seed.enqueue(tenant, 1, { nextAttemptAt: seed.at(20 * DAY) })
    await seed.enqueue(tenant, 1, { nextAttemptAt: seed.at(10 * DAY) })
    expect((await store.nextDueAt())?.getTime()).toBe(seed.at(10 * DAY).getTime())

    const [soon] = await seed.enqueue(tenant, 1, { nextAttemptAt: seed.at(DAY) })
    expect((await store.nextDueAt())?.getTime()).toBe(seed.at(DAY).getTime())
    const [held] = await seed.claim('w', { now: seed.at(DAY) })
    expect(held?.id).toBe(soon!.id)
    await seed.finish(held!, 'w', { status: 'succeeded' }, seed.at(DAY + 1))
    expect((await store.nextDueAt())?.getTime()).toBe(seed.at(10 * DAY).getTime())
  })

  test('optional.prune', async ({ store, seed, raw }, skip) => {
    if (!store.prune) return skip('the store has no prune')
    const tenant = await seed.tenant()
    const old = seed.at(-10 * DAY)
    const [oldDone, oldFailed, recentDone] = await seed.enqueue(tenant, 3, { nextAttemptAt: old })
    const [oldPending] = await seed.enqueue(tenant, 1, { nextAttemptAt: seed.at(30 * DAY) })
    const claimed = await seed.claim('w', { now: seed.at(-10 * DAY + 1000) })
    const held = new Map(claimed.map((item) => [item.id, item]))
    await seed.finish(held.get(oldDone!.id)!, 'w', { status: 'succeeded' }, seed.at(-10 * DAY + 2000))
    await seed.finish(
      held.get(oldFailed!.id)!,
      'w',
      { status: 'failed', error: itemError('E'), nextAttemptAt: seed.at(DAY) },
      seed.at(-10 * DAY + 2000),
    )
    await seed.finish(held.get(recentDone!.id)!, 'w', { status: 'succeeded' }, seed.t0)

    const delivery = (receivedAt: Date) =>
      store.recordWebhookEvent({
        provider: tenant.connection.provider,
        providerEventId: `evt-${randomUUID()}`,
        connectionId: tenant.connection.id,
        sellerId: tenant.scope.sellerId,
        topic: 't',
        occurredAt: null,
        receivedAt,
        headers: {},
        payload: {},
      })
    const oldProcessed = (await delivery(old)).event
    const oldReceived = (await delivery(old)).event
    const recentProcessed = (await delivery(seed.t0)).event
    await store.updateWebhookEvent(tenant.scope, oldProcessed.id, { status: 'processed' })
    await store.updateWebhookEvent(tenant.scope, recentProcessed.id, { status: 'processed' })

    const pruned = await store.prune({ olderThan: seed.at(-DAY), batchSize: 1 })
    expect(pruned).toEqual({ items: 1, attempts: 1, events: 1 })
    const { scope } = tenant
    expect(await store.getItem(scope, oldDone!.id)).toBeNull()
    expect(await store.listAttempts(scope, oldDone!.id)).toEqual([])
    for (const kept of [oldFailed!, recentDone!, oldPending!])
      expect(await store.getItem(scope, kept.id)).not.toBeNull()
    expect(await store.listAttempts(scope, oldFailed!.id)).toHaveLength(1)
    expect(await store.getWebhookEvent(scope, oldProcessed.id)).toBeNull()
    expect(await store.getWebhookEvent(scope, oldReceived.id)).not.toBeNull()
    expect(await store.getWebhookEvent(scope, recentProcessed.id)).not.toBeNull()
    if (raw.countAttempts) expect(await raw.countAttempts(store, { itemId: oldDone!.id })).toBe(0)
    if (raw.getItem) expect(await raw.getItem(store, oldDone!.id)).toBeNull()
    expect(await store.prune({ olderThan: seed.at(-DAY) })).toEqual({ items: 0, attempts: 0, events: 0 })
  })
}
