import { PermanentError, RetryableError, StaleInventoryError } from '@hub/core'
import { HttpResponse, http } from 'msw'
import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createWooClient } from '../src/woocommerce-client.js'
import { parseWooCredentials } from '../src/woocommerce-credentials.js'
import { createWooInventory } from '../src/woocommerce-inventory.js'
import { testContext } from './context.js'
import { exchange } from './fixtures.js'

const BASE = 'https://127.0.0.1:8443/wp-json/wc/v3'
const simple = JSON.parse(exchange('products/get-simple.json').response.body) as Record<string, unknown>
const variation = JSON.parse(
  exchange('products/get-variation-via-products-route.json').response.body,
) as Record<string, unknown>

/** A tiny stateful store: product 18 (managed), 19 (unmanaged), 24 (variation of 23), 30 (parent-managed). */
let stock: Map<number, number | null>
let markers: Map<number, string>
let bodies: unknown[]
let events: string[]
let failPut: 'none' | 'before' | 'after'

const server = setupServer(
  http.get(`${BASE}/orders`, () => {
    events.push('GET orders')
    return HttpResponse.json([])
  }),
  http.get(`${BASE}/products/:id`, ({ params }) => {
    const id = Number(params.id)
    events.push(`GET ${id}`)
    if (!stock.has(id))
      return HttpResponse.json(
        { code: 'woocommerce_rest_product_invalid_id', message: 'Invalid ID.', data: { status: 404 } },
        { status: 404 },
      )
    const meta_data = markers.has(id) ? [{ id: 1, key: '_hub_stock_push', value: markers.get(id) }] : []
    if (id === 24) return HttpResponse.json({ ...variation, stock_quantity: stock.get(id), meta_data })
    if (id === 30)
      return HttpResponse.json({ ...variation, id: 30, manage_stock: 'parent', stock_quantity: 4 })
    const managed = id !== 19
    return HttpResponse.json({
      ...simple,
      id,
      manage_stock: managed,
      stock_quantity: managed ? stock.get(id) : null,
      meta_data,
    })
  }),
  http.put(`${BASE}/products/:id`, async ({ params, request }) => {
    const id = Number(params.id)
    events.push(`PUT ${id}`)
    if (failPut === 'before')
      return HttpResponse.json({ code: 'boom', message: 'down', data: { status: 503 } }, { status: 503 })
    const body = (await request.json()) as { stock_quantity: number; meta_data?: Array<{ value: string }> }
    bodies.push(body)
    stock.set(id, body.stock_quantity)
    if (body.meta_data?.[0]) markers.set(id, body.meta_data[0].value)
    if (failPut === 'after') return HttpResponse.error()
    return HttpResponse.json({ ...simple, id, stock_quantity: body.stock_quantity })
  }),
  http.put(`${BASE}/products/:parent/variations/:id`, async ({ params, request }) => {
    const id = Number(params.id)
    events.push(`PUT ${params.parent}/${id}`)
    const body = (await request.json()) as { stock_quantity: number }
    stock.set(id, body.stock_quantity)
    return HttpResponse.json({ ...variation, stock_quantity: body.stock_quantity })
  }),
)
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }))
afterEach(() => server.resetHandlers())
afterAll(() => server.close())
beforeEach(() => {
  stock = new Map<number, number | null>([
    [18, 10],
    [19, null],
    [24, 5],
    [30, 4],
  ])
  markers = new Map()
  bodies = []
  events = []
  failPut = 'none'
})

const inventory = createWooInventory((ctx) =>
  createWooClient({
    storeUrl: ctx.connection.externalAccountId,
    keys: parseWooCredentials(ctx.credentials),
    policy: { allowPrivate: true },
  }),
)

function push(target: number, observed = 10) {
  return { externalId: '18', observed: { quantity: observed }, target, idempotencyKey: 'push:item-1:v1' }
}

describe('read', () => {
  it('reads the stock fresh, with the parent of a variation', async () => {
    const { ctx } = testContext({})
    expect(await inventory.read(ctx, '18')).toEqual({
      quantity: 10,
      token: { parentId: null, modifiedGmt: '2026-11-25T11:20:54', sku: 'FX-MUG' },
      // The first reading starts the ledger: its cursor at the notes seen, nothing counted.
      unseen: {
        delta: 0,
        state: { notes: 0, stock: 10, push: null, since: '2026-11-25T11:20:52', counted: [] },
      },
    })
    expect((await inventory.read(ctx, '24')).token).toMatchObject({ parentId: 23 })
  })

  it('refuses unmanaged, parent-managed, unknown and malformed ids with permanent errors', async () => {
    const { ctx } = testContext({})
    await expect(inventory.read(ctx, '19')).rejects.toMatchObject({ code: 'WOO_STOCK_UNMANAGED' })
    await expect(inventory.read(ctx, '30')).rejects.toMatchObject({ code: 'WOO_STOCK_MANAGED_BY_PARENT' })
    await expect(inventory.read(ctx, '999')).rejects.toBeInstanceOf(PermanentError)
    await expect(inventory.read(ctx, 'gid://x')).rejects.toMatchObject({ code: 'WOO_INVENTORY_ID_INVALID' })
    expect(events).not.toContain('GET NaN')
  })
})

describe('push with a stored plan', () => {
  it('saves {observed, target} before the write, keeping the engine plan fields', async () => {
    const enginePlan = { phase: 'push', mappingVersion: 1, key: 'push:item-1:v1', observed: 10, target: 6 }
    const { ctx, log } = testContext({ diagnosticPayload: enginePlan })
    const trace: string[] = []
    const original = ctx.savePlan
    ctx.savePlan = async (plan) => {
      trace.push(`savePlan after ${events.length} requests`)
      await original(plan)
    }
    expect(await inventory.push(ctx, push(6))).toEqual({ quantity: 6 })
    expect(trace).toEqual(['savePlan after 0 requests'])
    // No reading token (a plan completed after a crash): read for the ledger window first.
    expect(events).toEqual(['GET 18', 'GET orders', 'GET 18', 'PUT 18'])
    expect(log.plans[0]).toEqual({
      ...enginePlan,
      wooPush: { externalId: '18', observed: 10, target: 6, key: 'push:item-1:v1' },
    })
    expect(stock.get(18)).toBe(6)
    expect(bodies).toEqual([
      { stock_quantity: 6, meta_data: [{ key: '_hub_stock_push', value: expect.any(String) }] },
    ])
    const marker = JSON.parse((bodies[0] as { meta_data: Array<{ value: string }> }).meta_data[0]!.value)
    expect(marker).toEqual({
      key: 'push:item-1:v1',
      observed: 10,
      target: 6,
      notes: 0,
      since: '2026-11-25T11:20:52',
    })
  })

  it('a retry finds our write landed (marker) although a sale moved the stock since: baseline = target', async () => {
    const { ctx, log } = testContext({})
    failPut = 'after'
    await expect(inventory.push(ctx, push(6))).rejects.toBeInstanceOf(RetryableError)
    stock.set(18, 5) // a sale of 1 after our write landed
    failPut = 'none'
    events = []
    expect(await inventory.push(ctx, push(6))).toEqual({ quantity: 6 })
    expect(events).toEqual(['GET 18', 'GET orders', 'GET 18']) // no second write: 6 -> 5 is the sale
    expect(log.excerpts.at(-1)).toMatchObject({ landed: true })
  })

  it('a retry whose write never landed, with a sale since, is stale (re-plan from the fresh value)', async () => {
    const { ctx } = testContext({})
    markers.set(18, 'push:older-item:v0')
    failPut = 'before'
    await expect(inventory.push(ctx, push(6))).rejects.toBeInstanceOf(RetryableError)
    stock.set(18, 9)
    failPut = 'none'
    await expect(inventory.push(ctx, push(6))).rejects.toBeInstanceOf(StaleInventoryError)
    expect(stock.get(18)).toBe(9)
  })

  it('a retry after a lost response re-reads, sees the target and does not write again', async () => {
    const { ctx } = testContext({})
    failPut = 'after'
    await expect(inventory.push(ctx, push(6))).rejects.toBeInstanceOf(RetryableError)
    expect(stock.get(18)).toBe(6)
    failPut = 'none'
    events = []
    expect(await inventory.push(ctx, push(6))).toEqual({ quantity: 6 })
    expect(events).toEqual(['GET 18', 'GET orders', 'GET 18'])
  })

  it('a retry after a write that never landed writes (current == observed)', async () => {
    const { ctx, log } = testContext({})
    failPut = 'before'
    await expect(inventory.push(ctx, push(6))).rejects.toMatchObject({ code: 'WOO_SERVER_ERROR' })
    expect(stock.get(18)).toBe(10)
    failPut = 'none'
    expect(await inventory.push(ctx, push(6))).toEqual({ quantity: 6 })
    expect(log.plans).toHaveLength(1) // same plan: saved once
  })

  it('something else moved the stock: StaleInventoryError and no write', async () => {
    const { ctx } = testContext({})
    stock.set(18, 8) // an order sold 2 after the engine read 10
    await expect(inventory.push(ctx, push(6))).rejects.toBeInstanceOf(StaleInventoryError)
    expect(events).toEqual(['GET 18', 'GET orders', 'GET 18'])
    expect(stock.get(18)).toBe(8)
  })

  it('a stock already at the target without our marker is stale (an order sold exactly the difference)', async () => {
    const { ctx } = testContext({})
    stock.set(18, 6)
    markers.set(18, 'push:older-item:v0')
    await expect(inventory.push(ctx, push(6))).rejects.toBeInstanceOf(StaleInventoryError)
    expect(events).not.toContain('PUT 18')
  })

  it('writes a variation through its parent route', async () => {
    const { ctx } = testContext({})
    const result = await inventory.push(ctx, {
      externalId: '24',
      observed: { quantity: 5 },
      target: 3,
      idempotencyKey: 'k',
    })
    expect(result).toEqual({ quantity: 3 })
    expect(events).toEqual(['GET 24', 'GET orders', 'GET 24', 'PUT 23/24'])
  })

  it('refuses a non-integer target before anything', async () => {
    const { ctx, log } = testContext({})
    await expect(inventory.push(ctx, push(2.5))).rejects.toBeInstanceOf(PermanentError)
    expect(events).toEqual([])
    expect(log.plans).toEqual([])
  })
})
