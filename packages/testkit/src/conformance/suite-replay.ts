import { randomUUID } from 'node:crypto'
import type { HubStore, ItemOutcome, SyncItem } from '@hub/core'
import { expect } from 'vitest'
import type { DefineTest } from './store-conformance.js'
import { itemError, range, type Seed, type Tenant } from './store-seed.js'

const sortedIds = (items: SyncItem[]) => items.map((item) => item.id).sort()

/** One item per status (the pending one enqueued last), all in the tenant's run. */
async function itemPerStatus(seed: Seed, tenant: Tenant) {
  const outcomes: Array<[string, ItemOutcome | 'running']> = [
    ['dead', { status: 'dead', error: itemError('DEAD', false) }],
    ['failed', { status: 'failed', error: itemError('FAILED'), nextAttemptAt: seed.at(3_600_000) }],
    ['skipped', { status: 'skipped', error: itemError('SKIPPED', false) }],
    ['blocked', { status: 'blocked', error: itemError('BLOCKED', false) }],
    ['succeeded', { status: 'succeeded' }],
    ['running', 'running'],
  ]
  const items = await seed.enqueue(tenant, outcomes.length)
  await seed.drive(items.map((item, i) => ({ item, outcome: outcomes[i]![1] })))
  const [pending] = await seed.enqueue(tenant, 1, { nextAttemptAt: seed.at(3_600_000) })
  const byStatus = Object.fromEntries(items.map((item, i) => [outcomes[i]![0], item.id]))
  byStatus.pending = pending!.id
  return byStatus as Record<
    'dead' | 'failed' | 'skipped' | 'blocked' | 'succeeded' | 'running' | 'pending',
    string
  >
}

function expectRequeued(item: SyncItem | null | undefined, now: Date) {
  expect(item).toMatchObject({ status: 'pending', attempt: 0, leaseOwner: null, leaseExpiresAt: null })
  expect(item?.nextAttemptAt.getTime()).toBe(now.getTime())
}

/** Replay, runs and item listings. */
export function registerReplayTests<S extends HubStore>(test: DefineTest<S>): void {
  test('replay.item', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const [dead, running] = await seed.enqueue(tenant, 2)
    await seed.drive([
      { item: dead!, outcome: { status: 'dead', error: itemError('GONE', false) } },
      { item: running!, outcome: 'running' },
    ])
    const now = seed.at(5000)
    const replayed = await store.replay(tenant.scope, { itemId: dead!.id }, now)
    expect(replayed.map((item) => item.id)).toEqual([dead!.id])
    expectRequeued(replayed[0], now)
    expectRequeued(await store.getItem(tenant.scope, dead!.id), now)

    expect(await store.replay(tenant.scope, { itemId: running!.id }, now)).toEqual([])
    expect(await store.getItem(tenant.scope, running!.id)).toMatchObject({
      status: 'running',
      leaseOwner: 'driver',
    })
    expect(await store.replay(tenant.scope, { itemId: randomUUID() }, now)).toEqual([])

    const [again] = await seed.claim('w', { now })
    expect(again).toMatchObject({ id: dead!.id, attempt: 1 })
  })

  test('replay.run', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const ids = await itemPerStatus(seed, tenant)
    const now = seed.at(10_000)
    const replayed = await store.replay(tenant.scope, { runId: tenant.run.id }, now)
    expect(replayed.map((item) => item.id).sort()).toEqual(
      [ids.dead, ids.failed, ids.skipped, ids.blocked].sort(),
    )
    for (const item of replayed) expectRequeued(item, now)
    expect((await store.getItem(tenant.scope, ids.succeeded))?.status).toBe('succeeded')
    expect(await store.getItem(tenant.scope, ids.running)).toMatchObject({
      status: 'running',
      leaseOwner: 'driver',
    })

    const onlySucceeded = await store.replay(
      tenant.scope,
      { runId: tenant.run.id, statuses: ['succeeded', 'running'] },
      now,
    )
    expect(onlySucceeded.map((item) => item.id)).toEqual([ids.succeeded])
    expect(await store.getItem(tenant.scope, ids.running)).toMatchObject({ status: 'running', attempt: 1 })
    const claimable = await seed.claim('w', { now })
    expect(sortedIds(claimable)).toEqual(
      [ids.dead, ids.failed, ids.skipped, ids.blocked, ids.succeeded].sort(),
    )
  })

  test('replay.concurrent', async ({ store, seed, concurrency }) => {
    const tenant = await seed.tenant()
    const items = await seed.enqueue(tenant, 40)
    await seed.drive(
      items.map((item) => ({ item, outcome: { status: 'dead', error: itemError('DEAD', false) } })),
    )
    const now = seed.at(5000)
    const claimed = new Map<string, number>()
    const replays: SyncItem[][] = []
    let replaying = true
    await Promise.all([
      (async () => {
        for (let i = 0; i < 3; i++)
          replays.push(await store.replay(tenant.scope, { runId: tenant.run.id }, now))
        replaying = false
      })(),
      ...range(Math.max(2, Math.floor(concurrency / 2))).map(async (worker) => {
        for (let round = 0; round < 200 && (replaying || round === 0); round++) {
          for (const item of await seed.claim(`w-${worker}`, { now, limit: 3 })) {
            claimed.set(item.id, (claimed.get(item.id) ?? 0) + 1)
            expect(item.attempt).toBe(1)
          }
          await new Promise((resolve) => setTimeout(resolve, 0))
        }
      }),
    ])
    // The first replay re-queues every dead item; later ones find them pending or running, not dead.
    expect(sortedIds(replays[0]!)).toEqual(sortedIds(items))
    expect(replays.slice(1).flat()).toEqual([])
    expect([...claimed.values()].every((n) => n === 1)).toBe(true)
    for (const item of await seed.claim('drain', { now }))
      claimed.set(item.id, (claimed.get(item.id) ?? 0) + 1)
    expect(claimed.size).toBe(items.length)
    expect([...claimed.values()].every((n) => n === 1)).toBe(true)
    const running = await store.listItems(tenant.scope, {
      runId: tenant.run.id,
      status: 'running',
      limit: 100,
    })
    expect(running).toHaveLength(items.length)
    expect(
      await store.replay(tenant.scope, { runId: tenant.run.id, statuses: ['running', 'dead'] }, now),
    ).toEqual([])
  })

  test('replay.connection', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const sibling = await seed.tenant({ sellerId: tenant.scope.sellerId })
    const secondRun = { ...tenant, run: await seed.run(tenant, 'webhook') }
    const dead = itemError('DEAD', false)
    const mine = [...(await seed.enqueue(tenant, 1)), ...(await seed.enqueue(secondRun, 1))]
    const [failedMine] = await seed.enqueue(tenant, 1)
    const [theirs] = await seed.enqueue(sibling, 1)
    await seed.drive([
      { item: mine[0]!, outcome: { status: 'dead', error: dead } },
      { item: mine[1]!, outcome: { status: 'dead', error: dead } },
      {
        item: failedMine!,
        outcome: { status: 'failed', error: itemError('F'), nextAttemptAt: seed.at(3_600_000) },
      },
      { item: theirs!, outcome: { status: 'dead', error: dead } },
    ])
    const now = seed.at(20_000)
    const replayed = await store.replay(
      tenant.scope,
      { connectionId: tenant.connection.id, statuses: ['dead'] },
      now,
    )
    expect(sortedIds(replayed)).toEqual(sortedIds(mine))
    expect((await store.getItem(tenant.scope, failedMine!.id))?.status).toBe('failed')
    expect((await store.getItem(tenant.scope, theirs!.id))?.status).toBe('dead')
    const byDefault = await store.replay(tenant.scope, { connectionId: tenant.connection.id }, now)
    expect(byDefault.map((item) => item.id)).toEqual([failedMine!.id])
  })

  test('runs.counts', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const fresh = await store.getRun(tenant.scope, tenant.run.id)
    expect(fresh).toMatchObject({
      id: tenant.run.id,
      kind: 'manual',
      trigger: 'conformance',
      connectionId: tenant.connection.id,
    })
    const items = await seed.enqueue(tenant, 4)
    const pendingRun = await store.getRun(tenant.scope, tenant.run.id)
    expect(pendingRun).toMatchObject({ status: 'running', finishedAt: null })
    expect(pendingRun?.counts).toEqual({
      pending: 4,
      running: 0,
      succeeded: 0,
      failed: 0,
      dead: 0,
      skipped: 0,
      blocked: 0,
    })

    const claimed = await seed.claim('w')
    await seed.finish(claimed.find((i) => i.id === items[0]!.id)!, 'w', { status: 'succeeded' })
    await seed.finish(claimed.find((i) => i.id === items[1]!.id)!, 'w', {
      status: 'dead',
      error: itemError('D', false),
    })
    await seed.finish(claimed.find((i) => i.id === items[2]!.id)!, 'w', {
      status: 'skipped',
      error: itemError('S', false),
    })
    const midway = await store.getRun(tenant.scope, tenant.run.id)
    expect(midway?.counts).toEqual({
      pending: 0,
      running: 1,
      succeeded: 1,
      failed: 0,
      dead: 1,
      skipped: 1,
      blocked: 0,
    })
    expect(midway).toMatchObject({ status: 'running', finishedAt: null })

    await seed.finish(
      claimed.find((i) => i.id === items[3]!.id)!,
      'w',
      { status: 'succeeded' },
      seed.at(4000),
    )
    const done = await store.getRun(tenant.scope, tenant.run.id)
    expect(done?.status).toBe('finished')
    expect(done?.finishedAt).toBeInstanceOf(Date)
    expect(done?.counts).toMatchObject({ pending: 0, running: 0, succeeded: 2, dead: 1, skipped: 1 })

    const other = await seed.run(tenant, 'webhook')
    expect((await store.listRuns(tenant.scope, { kind: 'webhook' })).map((r) => r.id)).toEqual([other.id])
    const listed = await store.listRuns(tenant.scope, { connectionId: tenant.connection.id })
    expect(listed.map((r) => r.id).sort()).toEqual([tenant.run.id, other.id].sort())
    expect(listed.find((r) => r.id === tenant.run.id)?.counts.succeeded).toBe(2)
    expect(await store.listRuns(tenant.scope, { limit: 1 })).toHaveLength(1)
  })

  test('items.list', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const sibling = await seed.tenant({ sellerId: tenant.scope.sellerId })
    const [a, b, c] = await seed.enqueue(tenant, 3, (i) => ({
      operation: i === 2 ? 'catalog.import' : 'inventory.reconcile',
    }))
    const [d] = await seed.enqueue(sibling, 1)
    await seed.drive([
      { item: a!, outcome: { status: 'dead', error: itemError('D', false) } },
      { item: b!, outcome: { status: 'succeeded' } },
      { item: c!, outcome: 'running' },
      { item: d!, outcome: { status: 'succeeded' } },
    ])
    const { scope } = tenant
    expect(sortedIds(await store.listItems(scope))).toEqual(sortedIds([a!, b!, c!, d!]))
    expect(sortedIds(await store.listItems(scope, { runId: tenant.run.id }))).toEqual(sortedIds([a!, b!, c!]))
    expect(sortedIds(await store.listItems(scope, { connectionId: sibling.connection.id }))).toEqual([d!.id])
    expect(sortedIds(await store.listItems(scope, { status: 'succeeded' }))).toEqual(sortedIds([b!, d!]))
    expect(sortedIds(await store.listItems(scope, { status: ['dead', 'running'] }))).toEqual(
      sortedIds([a!, c!]),
    )
    expect(sortedIds(await store.listItems(scope, { operation: 'catalog.import' }))).toEqual([c!.id])
    expect(
      sortedIds(await store.listItems(scope, { connectionId: tenant.connection.id, status: 'succeeded' })),
    ).toEqual([b!.id])
    expect(await store.listItems(scope, { limit: 2 })).toHaveLength(2)
  })

  test('items.pagination', async ({ store, seed }) => {
    const tenant = await seed.tenant()
    const created: SyncItem[] = []
    for (const count of [10, 10, 5]) created.push(...(await seed.enqueue(tenant, count)))
    const pages: SyncItem[][] = []
    let after: string | undefined
    for (let page = 0; page < 10; page++) {
      const items = await store.listItems(tenant.scope, {
        runId: tenant.run.id,
        limit: 10,
        ...(after ? { after } : {}),
      })
      if (items.length === 0) break
      pages.push(items)
      after = items.at(-1)!.id
    }
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5])
    const walked = pages.flat().map((item) => item.id)
    expect(new Set(walked).size).toBe(25)
    // Creation order across separate enqueue calls.
    const position = new Map(walked.map((id, i) => [id, i]))
    for (const [from, to] of [
      [0, 10],
      [10, 20],
    ] as const) {
      const lastOfBatch = Math.max(...created.slice(from, to).map((item) => position.get(item.id)!))
      const firstOfNext = Math.min(...created.slice(to, to + 10).map((item) => position.get(item.id)!))
      expect(lastOfBatch).toBeLessThan(firstOfNext)
    }
    const all = await store.listItems(tenant.scope, { runId: tenant.run.id, limit: 100 })
    expect(all.map((item) => item.id)).toEqual(walked)
  })
}
