import { describe, expect, it } from 'vitest'
import { type HubStore, memoryStore, PermanentError, RetryableError } from '../src/index.js'
import { harness } from './support/harness.js'

async function runScript(h: Awaited<ReturnType<typeof harness>>, name: string, maxAttempts?: number) {
  const { items } = await h.hub.enqueue(h.scope, h.connection.id, 'manual', [
    {
      operation: 'script',
      idempotencyKey: `k:${name}`,
      entityType: 'test',
      payload: { script: name },
      ...(maxAttempts ? { maxAttempts } : {}),
    },
  ])
  return items[0]!
}

describe('engine: retry, dead letters, replay', () => {
  it('succeeds and records one attempt', async () => {
    const h = await harness()
    h.scripts.set('ok', async () => {})
    const item = await runScript(h, 'ok')
    expect(await h.hub.worker().drain()).toBe(1)
    const stored = await h.store.getItem(h.scope, item.id)
    expect(stored?.status).toBe('succeeded')
    expect(stored?.result).toEqual({ script: 'ok' })
    const attempts = await h.store.listAttempts(h.scope, item.id)
    expect(attempts.map((a) => a.outcome)).toEqual(['succeeded'])
  })

  it('retries a RetryableError with backoff honouring retryAfter, then succeeds', async () => {
    const h = await harness()
    let calls = 0
    h.scripts.set('flaky', async () => {
      calls++
      if (calls === 1) throw new RetryableError('THROTTLED', 'slow down', { retryAfterMs: 30_000 })
    })
    const item = await runScript(h, 'flaky')
    const worker = h.hub.worker()
    await worker.drain()
    let stored = await h.store.getItem(h.scope, item.id)
    expect(stored?.status).toBe('failed')
    expect(stored?.lastError).toMatchObject({ code: 'THROTTLED', retryable: true })
    // random 0.5 of a 1 s cap would be 500 ms; retryAfter 30 s is the floor.
    expect(stored!.nextAttemptAt.getTime() - h.clock.now().getTime()).toBe(30_000)
    expect(await worker.drain()).toBe(0) // not due yet
    h.clock.advance(30_000)
    expect(await worker.drain()).toBe(1)
    stored = await h.store.getItem(h.scope, item.id)
    expect(stored?.status).toBe('succeeded')
    expect(stored?.attempt).toBe(2)
    expect((await h.store.listAttempts(h.scope, item.id)).map((a) => a.outcome)).toEqual([
      'failed',
      'succeeded',
    ])
  })

  it('uses exponential backoff with full jitter when no retryAfter is given', async () => {
    const h = await harness({ maxAttempts: 5 })
    h.scripts.set('down', async () => {
      throw new Error('socket hang up')
    })
    const item = await runScript(h, 'down')
    const worker = h.hub.worker()
    const delays: number[] = []
    for (let i = 0; i < 3; i++) {
      await worker.drain()
      const stored = (await h.store.getItem(h.scope, item.id))!
      delays.push(stored.nextAttemptAt.getTime() - h.clock.now().getTime())
      h.clock.advance(3_600_000)
    }
    // random() = 0.5 → half of base·2^(attempt−1)
    expect(delays).toEqual([500, 1_000, 2_000])
  })

  it('dead-letters a PermanentError at once', async () => {
    const h = await harness()
    h.scripts.set('bad', async () => {
      throw new PermanentError('VALIDATION', 'sku is missing')
    })
    const item = await runScript(h, 'bad')
    await h.hub.worker().drain()
    const stored = await h.store.getItem(h.scope, item.id)
    expect(stored?.status).toBe('dead')
    expect(stored?.attempt).toBe(1)
    expect(stored?.lastError).toEqual({ code: 'VALIDATION', message: 'sku is missing', retryable: false })
  })

  it('dead-letters after max attempts, and a replay succeeds once fixed', async () => {
    const h = await harness({ maxAttempts: 3 })
    let broken = true
    h.scripts.set('fixme', async () => {
      if (broken) throw new RetryableError('UPSTREAM_5XX', 'upstream answered 503')
    })
    const item = await runScript(h, 'fixme')
    const worker = h.hub.worker()
    for (let i = 0; i < 3; i++) {
      await worker.drain()
      h.clock.advance(3_600_000)
    }
    let stored = await h.store.getItem(h.scope, item.id)
    expect(stored?.status).toBe('dead')
    expect(stored?.attempt).toBe(3)
    expect(stored?.lastError?.message).toMatch(/gave up after 3 attempts/)
    expect(await worker.drain()).toBe(0)

    broken = false
    const replayed = await h.hub.replay.deadItems(h.scope, h.connection.id)
    expect(replayed.map((i) => i.id)).toEqual([item.id])
    expect(await worker.drain()).toBe(1)
    stored = await h.store.getItem(h.scope, item.id)
    expect(stored?.status).toBe('succeeded')
    const outcomes = (await h.store.listAttempts(h.scope, item.id)).map((a) => a.outcome)
    expect(outcomes).toEqual(['failed', 'failed', 'dead', 'succeeded'])
  })

  it('replays a whole run and a single item', async () => {
    const h = await harness()
    h.scripts.set('perm', async () => {
      throw new PermanentError('NOPE', 'no')
    })
    const { run } = await h.hub.enqueue(h.scope, h.connection.id, 'manual', [
      { operation: 'script', idempotencyKey: 'r1', entityType: 'test', payload: { script: 'perm' } },
      { operation: 'script', idempotencyKey: 'r2', entityType: 'test', payload: { script: 'perm' } },
    ])
    await h.hub.worker().drain()
    expect((await h.store.getRun(h.scope, run.id))?.counts.dead).toBe(2)
    h.scripts.set('perm', async () => {})
    expect(await h.hub.replay.run(h.scope, run.id)).toHaveLength(2)
    await h.hub.worker().drain()
    const after = await h.store.getRun(h.scope, run.id)
    expect(after?.counts.succeeded).toBe(2)
    expect(after?.status).toBe('finished')
    const [one] = await h.store.listItems(h.scope, { runId: run.id })
    expect(await h.hub.replay.item(h.scope, one!.id)).toHaveLength(1)
  })

  it('an unknown operation is dead with a reason', async () => {
    const h = await harness()
    const { items } = await h.hub.enqueue(h.scope, h.connection.id, 'manual', [
      { operation: 'does.not.exist', idempotencyKey: 'x', entityType: 'test' },
    ])
    await h.hub.worker().drain()
    expect((await h.store.getItem(h.scope, items[0]!.id))?.lastError?.code).toBe('OPERATION_UNKNOWN')
  })
})

describe('engine: crash recovery', () => {
  it('a worker that dies mid-item leads to exactly one successful completion after lease expiry', async () => {
    const h = await harness()
    let effects = 0
    h.scripts.set('side-effect', async () => {
      effects++
    })
    const item = await runScript(h, 'side-effect')
    // A worker claims the item and dies before doing anything: no heartbeat, no completion.
    const claimed = await h.store.claimItems({
      workerId: 'dead-worker',
      limit: 1,
      leaseMs: 10_000,
      now: h.clock.now(),
    })
    expect(claimed).toHaveLength(1)
    const b = h.hub.worker({ leaseMs: 10_000 })
    expect(await b.drain()).toBe(0) // lease still live
    h.clock.advance(10_001)
    expect(await b.drain()).toBe(1)
    expect(effects).toBe(1)
    const stored = await h.store.getItem(h.scope, item.id)
    expect(stored?.status).toBe('succeeded')
    expect(stored?.attempt).toBe(2)
    // The dead worker's late completion is refused: its lease is gone.
    const late = await h.store.finishItem({
      itemId: item.id,
      workerId: 'dead-worker',
      now: h.clock.now(),
      outcome: { status: 'succeeded' },
      attempt: { startedAt: h.clock.now(), finishedAt: h.clock.now(), outcome: 'succeeded' },
    })
    expect(late).toBeNull()
  })

  it('graceful stop releases items that do not finish in time', async () => {
    const h = await harness()
    h.scripts.set(
      'slow',
      (ctx) =>
        new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
    )
    const item = await runScript(h, 'slow')
    const worker = h.hub.worker({ pollMs: 10 })
    await worker.start()
    for (let i = 0; i < 100 && worker.inFlight() === 0; i++) await new Promise((r) => setTimeout(r, 5))
    expect(worker.inFlight()).toBe(1)
    await worker.stop({ timeoutMs: 50 })
    const stored = await h.store.getItem(h.scope, item.id)
    expect(stored?.status).toBe('pending')
    expect(stored?.attempt).toBe(0)
    expect(stored?.leaseOwner).toBeNull()
  })

  it('keeps a wake-up that arrives while a claim is in flight (no wait for the poll interval)', async () => {
    const inner = memoryStore()
    let claims = 0
    let enqueueDuringClaim: (() => Promise<unknown>) | null = null
    // A store whose first claim answers "nothing due" after new work was enqueued (and signalled),
    // without the optional nextDueAt (which would otherwise hide a lost wake-up).
    const store: HubStore = Object.assign(Object.create(inner) as HubStore, {
      nextDueAt: undefined,
      async claimItems(input: Parameters<HubStore['claimItems']>[0]) {
        const claimed = await inner.claimItems(input)
        claims++
        if (claims === 1 && enqueueDuringClaim) await enqueueDuringClaim()
        return claimed
      },
    })
    const h = await harness({ store })
    let ran = 0
    h.scripts.set('mid-claim', async () => {
      ran++
    })
    enqueueDuringClaim = () => runScript(h, 'mid-claim')
    const worker = h.hub.worker({ pollMs: 60_000 })
    await worker.start()
    for (let i = 0; i < 400 && ran === 0; i++) await new Promise((r) => setTimeout(r, 5))
    await worker.stop()
    expect(claims).toBeGreaterThanOrEqual(2)
    expect(ran).toBe(1)
  })

  it('a started worker picks up work on wake-up without waiting for the poll interval', async () => {
    const h = await harness()
    let ran = 0
    h.scripts.set('wake', async () => {
      ran++
    })
    const worker = h.hub.worker({ pollMs: 60_000 })
    await worker.start()
    await new Promise((r) => setTimeout(r, 20))
    await runScript(h, 'wake')
    for (let i = 0; i < 200 && ran === 0; i++) await new Promise((r) => setTimeout(r, 5))
    await worker.stop()
    expect(ran).toBe(1)
  })
})

describe('engine: policy gate and registry', () => {
  it('re-queues the blocked items of a connection when it becomes active again', async () => {
    const h = await harness()
    h.scripts.set('ok', async () => {})
    await h.hub.connections.setStatus(h.scope, h.connection.id, 'error', 'token expired')
    const held = await runScript(h, 'ok')
    await h.hub.worker().drain()
    expect((await h.store.getItem(h.scope, held.id))?.status).toBe('blocked')
    await h.hub.connections.setStatus(h.scope, h.connection.id, 'paused', 'seller paused sync')
    expect((await h.store.getItem(h.scope, held.id))?.status).toBe('blocked')
    await h.hub.connections.setStatus(h.scope, h.connection.id, 'active')
    expect((await h.store.getItem(h.scope, held.id))?.status).toBe('pending')
    await h.hub.worker().drain()
    expect((await h.store.getItem(h.scope, held.id))?.status).toBe('succeeded')
  })

  it('blocks items of a paused connection and runs them after replay once active', async () => {
    const h = await harness()
    h.scripts.set('ok', async () => {})
    await h.hub.connections.setStatus(h.scope, h.connection.id, 'paused', 'seller paused sync')
    const item = await runScript(h, 'ok')
    await h.hub.worker().drain()
    let stored = await h.store.getItem(h.scope, item.id)
    expect(stored?.status).toBe('blocked')
    expect(stored?.lastError).toMatchObject({
      code: 'CONNECTION_INACTIVE',
      message: 'connection is paused: seller paused sync',
    })
    await h.hub.connections.setStatus(h.scope, h.connection.id, 'active')
    await h.hub.replay.item(h.scope, item.id)
    await h.hub.worker().drain()
    stored = await h.store.getItem(h.scope, item.id)
    expect(stored?.status).toBe('succeeded')
  })

  it('skips inventory work when both inventory directions are disabled', async () => {
    const h = await harness({ stock: { sku1: 5 } })
    await h.hub.connections.setPolicy(h.scope, h.connection.id, {
      inboundInventory: false,
      outboundInventory: false,
    })
    const { items } = await h.hub.enqueue(h.scope, h.connection.id, 'manual', [
      {
        operation: 'inventory.reconcile',
        idempotencyKey: 'p1',
        entityType: 'inventory_item',
        externalId: 'sku1',
      },
    ])
    await h.hub.worker().drain()
    const stored = await h.store.getItem(h.scope, items[0]!.id)
    expect(stored?.status).toBe('skipped')
    expect(stored?.lastError?.code).toBe('POLICY_DISABLED')
    expect(h.shop.reads).toBe(0)
  })

  it('blocks an item whose provider is not registered, never drops it', async () => {
    const h = await harness()
    const { run } = await h.hub.enqueue(h.scope, h.connection.id, 'manual', [])
    const { items } = await h.store.enqueueItems([
      {
        runId: run.id,
        connectionId: h.connection.id,
        sellerId: h.scope.sellerId,
        provider: 'gone',
        operation: 'script',
        idempotencyKey: 'orphan',
        entityType: 'test',
        nextAttemptAt: h.clock.now(),
      },
    ])
    await h.hub.worker().drain()
    const stored = await h.store.getItem(h.scope, items[0]!.id)
    expect(stored?.status).toBe('blocked')
    expect(stored?.lastError?.code).toBe('PROVIDER_NOT_REGISTERED')
  })
})
