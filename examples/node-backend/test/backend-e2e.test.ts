import type { Connection, Json, SyncItem } from '@hub/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ToyStore, toyStoreProvider } from '../../quickstart/src/toy-store-provider.js'
import { type App, createApp } from '../src/app.js'
import { runCli } from '../src/cli.js'
import { product } from './helpers.js'

const SELLER = 'seller_1'
const scope = { sellerId: SELLER }

describe('node backend end to end over HTTP (toy provider, PGlite)', () => {
  const shop = new ToyStore('a.toy.test', 'whsec_a_test')
  let app: App
  let url: string
  let connection: Connection
  let mugItem: string
  let mugProduct: string

  const api = async (method: string, path: string, body?: unknown, seller: string | null = SELLER) => {
    const headers: Record<string, string> = {}
    if (seller) headers['x-seller-id'] = seller
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(`${url}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    })
    // biome-ignore lint/suspicious/noExplicitAny: test reads arbitrary JSON answers
    return { status: res.status, json: (await res.json()) as any }
  }

  const deliver = async (eventId: string, item: string, signature?: string) => {
    const body = JSON.stringify({ eventId, item })
    const res = await fetch(`${url}/hooks/toy`, {
      method: 'POST',
      headers: { 'x-toy-store': shop.domain, 'x-toy-signature': signature ?? shop.sign(body) },
      body,
    })
    return res.status
  }

  /** Wait until the worker has nothing pending, running or waiting for a retry. */
  const settle = async () => {
    for (let i = 0; i < 500; i++) {
      const { json } = await api('GET', '/api/items?status=pending,running,failed')
      if (json.items.length === 0) return
      await new Promise((r) => setTimeout(r, 20))
    }
    throw new Error('items did not settle')
  }

  const importProduct = async (externalId: string, items: Record<string, number>, title?: string) => {
    for (const [id, quantity] of Object.entries(items)) shop.stock.set(id, quantity)
    const p = product(externalId, items, title ? { title } : {})
    await app.hub.enqueue(scope, connection.id, 'import', [
      {
        operation: 'catalog.submit',
        idempotencyKey: `import:${externalId}:${title ?? ''}`,
        entityType: 'product',
        externalId,
        payload: JSON.parse(JSON.stringify(p)) as Json,
      },
    ])
    await settle()
  }

  const cli = async (...argv: string[]) => {
    const out: string[] = []
    const err: string[] = []
    const code = await runCli(argv, {
      baseUrl: url,
      sellerId: SELLER,
      token: undefined,
      fetch,
      stdout: (l) => out.push(l),
      stderr: (l) => err.push(l),
    })
    return { code, out: out.join('\n'), err: err.join('\n') }
  }

  beforeAll(async () => {
    app = createApp({
      providers: [toyStoreProvider(new Map([[shop.domain, shop]]))],
      port: 0,
      worker: { concurrency: 4, pollMs: 25 },
      sweepIntervalMs: 0,
    })
    ;({ url } = await app.start())
    connection = await app.hub.connections.create({
      ...scope,
      provider: 'toy',
      externalAccountId: shop.domain,
      credentials: { webhookSecret: shop.webhookSecret },
    })
  }, 60_000)
  afterAll(() => app?.stop())

  it('GET /health answers with the database in use', async () => {
    expect(await api('GET', '/health', undefined, null)).toEqual({
      status: 200,
      json: { status: 'ok', database: 'pglite', worker: { inFlight: expect.any(Number) } },
    })
  })

  it('an imported product waits as a product request until an admin approves it over the API', async () => {
    await importProduct('mug', { 'a-mug': 20 })
    const pending = await api('GET', '/api/product-requests?status=pending')
    expect(pending.json.requests).toHaveLength(1)
    expect(pending.json.requests[0].product.title).toBe('Product mug')
    const approved = await api('POST', `/api/product-requests/${pending.json.requests[0].ref}/approve`)
    expect(approved.status).toBe(200)
    expect(Object.keys(approved.json.approval.inventoryItems)).toEqual(['a-mug'])
    expect(approved.json.mappings.map((m: { status: string }) => m.status)).toEqual(['linked', 'linked'])
    mugItem = approved.json.approval.inventoryItems['a-mug']
    mugProduct = approved.json.approval.productId
    await settle()
    const inventory = await api('GET', `/api/inventory/${mugItem}`)
    expect(inventory.json.inventoryItem.quantity).toBe(20)
    expect((await api('GET', '/api/product-requests?status=pending')).json.requests).toEqual([])
  })

  it('a signed webhook is reconciled into the marketplace quantity, once', async () => {
    shop.sell('a-mug', 3)
    expect(await deliver('evt-1', 'a-mug')).toBe(200)
    expect(await deliver('evt-1', 'a-mug')).toBe(200) // duplicate delivery
    await settle()
    const { json } = await api('GET', `/api/inventory/${mugItem}`)
    expect(json.inventoryItem.quantity).toBe(17)
    expect(json.ledger.map((e: { delta: number }) => e.delta)).toEqual([-3])
    expect(await deliver('evt-forged', 'a-mug', Buffer.from('forged').toString('base64'))).toBe(401)
    const unknown = await fetch(`${url}/hooks/nope`, { method: 'POST', body: '{}' })
    expect(unknown.status).toBe(404)
  })

  it('a marketplace sale over the API reaches the external store, once per order', async () => {
    const sale = await api('POST', `/api/inventory/${mugItem}/sales`, { quantity: 2, orderId: 'o-1' })
    expect(sale.json).toMatchObject({ quantity: 15, applied: true })
    expect(sale.json.items).toHaveLength(1)
    const again = await api('POST', `/api/inventory/${mugItem}/sales`, { quantity: 2, orderId: 'o-1' })
    expect(again.json).toMatchObject({ quantity: 15, applied: false })
    await settle()
    expect(shop.stock.get('a-mug')).toBe(15)
    const oversell = await api('POST', `/api/inventory/${mugItem}/sales`, { quantity: 99, orderId: 'o-2' })
    expect(oversell).toMatchObject({ status: 409, json: { error: 'INSUFFICIENT_STOCK' } })
  })

  it('operator endpoints list connections, runs and items of the calling seller only', async () => {
    const connections = await api('GET', '/api/connections')
    expect(connections.json.connections).toHaveLength(1)
    expect(connections.json.connections[0]).toMatchObject({ id: connection.id, hasCredentials: true })
    expect(connections.json.connections[0]).not.toHaveProperty('credentials')
    const runs = await api('GET', '/api/runs')
    expect(new Set(runs.json.runs.map((r: { kind: string }) => r.kind))).toEqual(
      new Set(['import', 'marketplace', 'webhook']),
    )
    const webhookRun = runs.json.runs.find((r: { kind: string }) => r.kind === 'webhook')
    const run = await api('GET', `/api/runs/${webhookRun.id}`)
    expect(run.json.items.map((i: SyncItem) => i.operation)).toEqual(['inventory.reconcile'])
    const succeeded = await api('GET', '/api/items?status=succeeded')
    expect(succeeded.json.items.length).toBeGreaterThan(2)
    const detail = await api('GET', `/api/items/${succeeded.json.items[0].id}`)
    expect(detail.json.attempts[0].outcome).toBe('succeeded')

    const other = 'seller_2'
    expect((await api('GET', '/api/connections', undefined, other)).json.connections).toEqual([])
    expect((await api('GET', '/api/items', undefined, other)).json.items).toEqual([])
    expect((await api('GET', `/api/inventory/${mugItem}`, undefined, other)).status).toBe(404)
    expect((await api('GET', `/api/items/${succeeded.json.items[0].id}`, undefined, other)).status).toBe(404)
    expect(
      (await api('POST', `/api/connections/${connection.id}/replay-dead`, undefined, other)).json.items,
    ).toEqual([])
    expect(await api('GET', '/api/items', undefined, null)).toMatchObject({
      status: 400,
      json: { error: 'SELLER_REQUIRED' },
    })
  })

  it('dead items are listed and replayed: one item, one run, all dead items of a connection (CLI)', async () => {
    for (const g of ['g1', 'g2', 'g3']) {
      shop.stock.set(`a-${g}`, 5)
      expect(await deliver(`evt-${g}`, `a-${g}`)).toBe(200) // webhooks before the product is imported
    }
    await settle()
    const dead = (await api('GET', '/api/dead-letters')).json.items as SyncItem[]
    expect(dead.map((i) => [i.externalId, i.lastError?.code]).sort()).toEqual([
      ['a-g1', 'MAPPING_MISSING'],
      ['a-g2', 'MAPPING_MISSING'],
      ['a-g3', 'MAPPING_MISSING'],
    ])
    const byExternal = new Map(dead.map((i) => [i.externalId, i]))

    await importProduct('ghosts', { 'a-g1': 5, 'a-g2': 5, 'a-g3': 5 })
    const [request] = (await api('GET', '/api/product-requests?status=pending')).json.requests
    expect((await api('POST', `/api/product-requests/${request.ref}/approve`)).status).toBe(200)
    await settle()

    const one = await api('POST', `/api/items/${byExternal.get('a-g1')!.id}/replay`)
    expect(one.json.items.map((i: SyncItem) => [i.id, i.status])).toEqual([
      [byExternal.get('a-g1')!.id, 'pending'],
    ])
    const run = await api('POST', `/api/runs/${byExternal.get('a-g2')!.runId}/replay`)
    expect(run.json.items.map((i: SyncItem) => i.id)).toEqual([byExternal.get('a-g2')!.id])
    await settle()

    const listed = await cli('items', '--status', 'dead')
    expect(listed.code).toBe(0)
    expect(JSON.parse(listed.out).items.map((i: SyncItem) => i.externalId)).toEqual(['a-g3'])
    const replayed = await cli('replay-dead', connection.id)
    expect(replayed.code).toBe(0)
    expect(JSON.parse(replayed.out).items.map((i: SyncItem) => i.id)).toEqual([byExternal.get('a-g3')!.id])
    await settle()

    expect((await api('GET', '/api/items?status=dead')).json.items).toEqual([])
    for (const item of dead) {
      const { json } = await api('GET', `/api/items/${item.id}`)
      expect(json.item.status).toBe('succeeded')
      expect(json.attempts.map((a: { outcome: string }) => a.outcome)).toEqual(['dead', 'succeeded'])
    }
  })

  it('a later catalog edit opens a conflict; resolving it over the API updates the marketplace product', async () => {
    const changed = JSON.parse(JSON.stringify(product('mug', { 'a-mug': 15 }, { title: 'Enamel mug XL' })))
    await app.hub.enqueue(scope, connection.id, 'webhook', [
      {
        operation: 'catalog.change',
        idempotencyKey: 'change:mug:1',
        entityType: 'product',
        externalId: 'mug',
        payload: changed,
      },
    ])
    await settle()
    const open = await api('GET', '/api/conflicts?status=open')
    expect(open.json.conflicts).toHaveLength(1)
    expect(open.json.conflicts[0].diffs.map((d: { field: string }) => d.field)).toEqual(['title'])
    const resolved = await api('POST', `/api/conflicts/${open.json.conflicts[0].id}/resolve`, {
      decision: 'accepted',
    })
    expect(resolved.json.conflict.status).toBe('accepted')
    expect((await api('GET', `/api/products/${mugProduct}`)).json.product.title).toBe('Enamel mug XL')
    const again = await api('POST', `/api/conflicts/${open.json.conflicts[0].id}/resolve`, {
      decision: 'rejected',
    })
    expect(again).toMatchObject({ status: 409, json: { error: 'CONFLICT_RESOLVED' } })
    const cli409 = await cli('resolve', open.json.conflicts[0].id, 'accepted')
    expect(cli409.code).toBe(1)
    expect(cli409.err).toContain('CONFLICT_RESOLVED')
  })

  it('a reconcile sweep, the webhook inbox and a rejection over the API', async () => {
    shop.sell('a-g1', 1) // a sale whose webhook never came: only the sweep sees it
    const sweep = await api('POST', `/api/connections/${connection.id}/reconcile`, { sweepId: 'nightly-1' })
    expect(sweep.json.sweepId).toBe('nightly-1')
    expect(sweep.json.items.map((i: SyncItem) => i.externalId).sort()).toEqual([
      'a-g1',
      'a-g2',
      'a-g3',
      'a-mug',
    ])
    await settle()
    const g1 = (await api('GET', '/api/items?operation=inventory.reconcile&limit=500')).json.items.find(
      (i: SyncItem) => i.externalId === 'a-g1' && i.idempotencyKey.includes('nightly-1'),
    )
    expect((await api('GET', `/api/inventory/${g1.internalId}`)).json.inventoryItem.quantity).toBe(4)

    const events = await api('GET', `/api/webhook-events?connectionId=${connection.id}`)
    expect(events.json.events.map((e: { providerEventId: string }) => e.providerEventId).sort()).toEqual([
      'evt-1',
      'evt-g1',
      'evt-g2',
      'evt-g3',
    ])

    await importProduct('unwanted', { 'a-unwanted': 1 })
    const [request] = (await api('GET', '/api/product-requests?status=pending')).json.requests
    const rejected = await api('POST', `/api/product-requests/${request.ref}/reject`, {
      reason: 'not allowed',
    })
    expect(rejected.json.request).toMatchObject({ status: 'rejected', reason: 'not allowed' })
    expect(await api('POST', `/api/product-requests/${request.ref}/approve`)).toMatchObject({
      status: 409,
      json: { error: 'REQUEST_REJECTED' },
    })
  })

  it('bad requests get typed JSON errors, never a crash', async () => {
    expect(await api('GET', '/api/items?status=nope')).toMatchObject({
      status: 400,
      json: { error: 'QUERY_INVALID' },
    })
    expect(await api('GET', '/api/items?limit=0')).toMatchObject({ status: 400 })
    expect(await api('GET', '/api/nothing-here')).toMatchObject({
      status: 404,
      json: { error: 'ROUTE_NOT_FOUND' },
    })
    expect(await api('DELETE', '/api/items')).toMatchObject({ status: 405 })
    expect(await api('POST', `/api/inventory/${mugItem}/sales`, '{not json')).toMatchObject({
      status: 400,
      json: { error: 'BODY_INVALID' },
    })
    expect(
      await api('POST', `/api/inventory/${mugItem}/sales`, { quantity: -1, orderId: 'x' }),
    ).toMatchObject({
      status: 400,
      json: { error: 'SALE_INVALID' },
    })
    expect(await api('POST', '/api/conflicts/c_missing/resolve', { decision: 'maybe' })).toMatchObject({
      status: 400,
    })
    expect(await api('POST', '/api/items/item_missing/replay')).toMatchObject({ status: 404 })
    expect(await api('GET', '/api/inventory/%E0%A4%A')).toMatchObject({ status: 404 })
    expect((await fetch(`${url}/hooks/%E0%A4%A`, { method: 'POST', body: '{}' })).status).toBe(400)
    expect((await api('GET', '/health', undefined, null)).status).toBe(200) // still up
  })
})
