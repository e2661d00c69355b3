import { describe, expect, it } from 'vitest'
import {
  HubError,
  type Json,
  type MemoryStore,
  memoryStore,
  NotFoundError,
  type Scope,
} from '../src/index.js'

const T0 = new Date('2030-01-01T00:00:00.000Z')
const at = (ms: number) => new Date(T0.getTime() + ms)

async function seeded(store: MemoryStore = memoryStore({ clock: { now: () => T0 } })) {
  const scope: Scope = { sellerId: 'seller-1' }
  const connection = await store.createConnection({
    sellerId: 'seller-1',
    provider: 'p',
    externalAccountId: 'a.example',
  })
  const run = await store.createRun({ sellerId: 'seller-1', connectionId: connection.id, kind: 'manual' })
  const item = (idempotencyKey: string, extra: Record<string, unknown> = {}) => ({
    runId: run.id,
    connectionId: connection.id,
    sellerId: 'seller-1',
    provider: 'p',
    operation: 'op',
    idempotencyKey,
    entityType: 'thing',
    ...extra,
  })
  return { store, scope, connection, run, item }
}

describe('memoryStore', () => {
  it('copies rows in: mutating an input after the call changes nothing stored', async () => {
    const { store, scope, item } = await seeded()
    const payload: { list: number[] } = { list: [1] }
    const [stored] = (await store.enqueueItems([item('k', { payload })])).items
    payload.list.push(2)
    expect((await store.getItem(scope, stored!.id))?.payload).toEqual({ list: [1] })
  })

  it('copies rows out: mutating a returned row changes nothing stored', async () => {
    const { store, scope, connection, item } = await seeded()
    const [stored] = (await store.enqueueItems([item('k', { payload: { list: [1] } })])).items
    ;(stored!.payload as { list: number[] }).list.push(9)
    stored!.status = 'dead'
    stored!.nextAttemptAt.setTime(0)
    const again = await store.getItem(scope, stored!.id)
    expect(again).toMatchObject({ status: 'pending', payload: { list: [1] } })
    expect(again?.nextAttemptAt.getTime()).toBe(T0.getTime())

    const got = await store.getConnection(scope, connection.id)
    got!.policy.outboundInventory = false
    got!.settings.injected = true
    expect(await store.getConnection(scope, connection.id)).toMatchObject({
      policy: { outboundInventory: true },
      settings: {},
    })

    const mapping = await store.upsertMapping(scope, {
      connectionId: connection.id,
      entityType: 'product',
      externalId: 'x',
      data: { tags: ['a'] },
    })
    ;(mapping.data.tags as Json[]).push('b')
    const key = { connectionId: connection.id, entityType: 'product', externalId: 'x' }
    expect((await store.getMapping(scope, key))?.data).toEqual({ tags: ['a'] })
  })

  it('copies diagnostic payloads and claimed rows', async () => {
    const { store, scope, item } = await seeded()
    await store.enqueueItems([item('k')])
    const [claimed] = await store.claimItems({ workerId: 'w', limit: 1, leaseMs: 1000, now: T0 })
    claimed!.leaseOwner = 'someone-else'
    const plan = { steps: [1] }
    expect(await store.saveDiagnostic(claimed!.id, 'w', plan)).toBe(true)
    plan.steps.push(2)
    expect(await store.getItem(scope, claimed!.id)).toMatchObject({
      leaseOwner: 'w',
      diagnosticPayload: { steps: [1] },
    })
  })

  it('stamps rows with the injected clock and applies defaults', async () => {
    const { store, connection, run, item } = await seeded()
    expect(connection).toMatchObject({ status: 'pending', createdAt: T0, updatedAt: T0 })
    expect(run).toMatchObject({ startedAt: T0, status: 'finished', trigger: null })
    const [stored] = (await store.enqueueItems([item('k')])).items
    expect(stored).toMatchObject({
      maxAttempts: 8,
      attempt: 0,
      payload: {},
      nextAttemptAt: T0,
      createdAt: T0,
      serialKey: null,
      diagnosticPayload: null,
    })
    expect(stored!.id).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('refuses malformed input with typed errors, never a crash', async () => {
    const { store, run, connection, item } = await seeded()
    await expect(store.getItem({ sellerId: '' }, 'x')).rejects.toMatchObject({ code: 'SCOPE_INVALID' })
    await expect(store.listItems(undefined as unknown as Scope)).rejects.toBeInstanceOf(HubError)
    await expect(store.enqueueItems([item('')])).rejects.toMatchObject({ code: 'STORE_INPUT_INVALID' })
    await expect(store.enqueueItems([item('k', { maxAttempts: 0 })])).rejects.toMatchObject({
      code: 'STORE_INPUT_INVALID',
    })
    await expect(store.enqueueItems([item('k', { runId: 'nope' })])).rejects.toBeInstanceOf(NotFoundError)
    await expect(store.enqueueItems([item('k', { sellerId: 'seller-2' })])).rejects.toBeInstanceOf(
      NotFoundError,
    )
    await expect(
      store.claimItems({ workerId: 'w', limit: -1, leaseMs: 1000, now: T0 }),
    ).rejects.toMatchObject({ code: 'STORE_INPUT_INVALID' })
    await expect(
      store.claimItems({ workerId: 'w', limit: 1, leaseMs: 1000, now: new Date('nope') }),
    ).rejects.toMatchObject({ code: 'STORE_INPUT_INVALID' })
    await expect(
      store.createRun({ sellerId: 'seller-1', connectionId: connection.id, kind: 'bogus' as 'manual' }),
    ).rejects.toMatchObject({
      code: 'STORE_INPUT_INVALID',
    })
    await expect(
      store.replay({ sellerId: 'seller-1' }, { runId: run.id, statuses: ['bogus' as 'dead'] }, T0),
    ).rejects.toMatchObject({ code: 'STORE_INPUT_INVALID' })
    await expect(store.prune({ olderThan: T0, batchSize: 0 })).rejects.toMatchObject({
      code: 'STORE_INPUT_INVALID',
    })
  })

  it('validates a whole enqueue batch before writing any of it', async () => {
    const { store, scope, item } = await seeded()
    await expect(
      store.enqueueItems([item('good'), item('bad', { runId: 'missing' })]),
    ).rejects.toBeInstanceOf(NotFoundError)
    expect(await store.listItems(scope)).toEqual([])
  })

  it('keeps a succeeded item’s internalId when the outcome carries null', async () => {
    const { store, scope, item } = await seeded()
    await store.enqueueItems([item('k', { internalId: 'int-1' })])
    const [held] = await store.claimItems({ workerId: 'w', limit: 1, leaseMs: 1000, now: T0 })
    const done = await store.finishItem({
      itemId: held!.id,
      workerId: 'w',
      now: at(10),
      outcome: { status: 'succeeded', internalId: null, targetHash: null },
      attempt: { startedAt: T0, finishedAt: at(10), outcome: 'succeeded' },
    })
    expect(done).toMatchObject({ internalId: 'int-1', updatedAt: at(10) })
    expect((await store.getRun(scope, held!.runId))?.finishedAt).toEqual(at(10))
  })

  it('nextDueAt waits for the lease that holds a serial key instead of reporting past work', async () => {
    const { store, item } = await seeded()
    await store.enqueueItems([item('a', { serialKey: 's', nextAttemptAt: T0 })])
    await store.claimItems({ workerId: 'w', limit: 1, leaseMs: 5000, now: T0 })
    await store.enqueueItems([item('b', { serialKey: 's', nextAttemptAt: T0 })])
    // The clock says T0: item b is due but blocked until the lease of a expires at T0 + 5 s.
    expect(await store.nextDueAt()).toEqual(at(5000))
  })

  it('notifies wake listeners, survives a throwing listener, and unsubscribes', async () => {
    const { store, item } = await seeded()
    const calls: string[] = []
    store.onWake(() => {
      throw new Error('listener bug')
    })
    const off = store.onWake(() => calls.push('wake'))
    await store.enqueueItems([item('k1')])
    expect(calls).toEqual(['wake'])
    await store.enqueueItems([item('k1')])
    expect(calls).toEqual(['wake'])
    off()
    await store.enqueueItems([item('k2')])
    expect(calls).toEqual(['wake'])
  })

  it('snapshot shows every stored row, across sellers', async () => {
    const { store, item } = await seeded()
    await store.enqueueItems([item('k1'), item('k2')])
    const other = await store.createConnection({
      sellerId: 'seller-2',
      provider: 'p',
      externalAccountId: 'b.example',
    })
    const snap = store.snapshot()
    expect(snap.items).toHaveLength(2)
    expect(snap.connections.map((c) => c.sellerId).sort()).toEqual(['seller-1', 'seller-2'])
    expect(snap.runs[0]?.counts.pending).toBe(2)
    snap.items[0]!.status = 'dead'
    expect(store.snapshot().items[0]?.status).toBe('pending')
    expect(other.id).toBeTruthy()
  })

  it('rejects every call after close', async () => {
    const { store, scope } = await seeded()
    await store.close()
    await expect(store.listConnections(scope)).rejects.toMatchObject({ code: 'STORE_CLOSED' })
    await expect(store.claimItems({ workerId: 'w', limit: 1, leaseMs: 1, now: T0 })).rejects.toMatchObject({
      code: 'STORE_CLOSED',
    })
  })

  it('frees an idempotency key when prune deletes its item', async () => {
    const { store, item } = await seeded()
    const [first] = (await store.enqueueItems([item('k')])).items
    const [held] = await store.claimItems({ workerId: 'w', limit: 1, leaseMs: 1000, now: T0 })
    await store.finishItem({
      itemId: held!.id,
      workerId: 'w',
      now: T0,
      outcome: { status: 'succeeded' },
      attempt: { startedAt: T0, finishedAt: T0, outcome: 'succeeded' },
    })
    expect(await store.prune({ olderThan: at(1) })).toEqual({ items: 1, attempts: 1, events: 0 })
    const again = await store.enqueueItems([item('k')])
    expect(again.created).toBe(1)
    expect(again.items[0]!.id).not.toBe(first!.id)
  })
})
