import { HubError, NotFoundError, normalizedProductSchema, PermanentError } from '@hub/core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type SqlMarketplace, sqlMarketplace } from '../src/marketplace/index.js'
import {
  DATABASE_URL,
  freshMarketplace,
  NO_DATABASE,
  pgliteDatabase,
  postgresDatabase,
  product,
  randomSchema,
  type TestDatabase,
} from './helpers.js'

const A = { sellerId: 'seller_a' }
const B = { sellerId: 'seller_b' }

const suites: Array<[string, () => TestDatabase]> = [['PGlite', pgliteDatabase]]
const url = DATABASE_URL
if (url) suites.push(['PostgreSQL (DATABASE_URL)', () => postgresDatabase(url)])
else describe('SQL marketplace on PostgreSQL', () => it.skip(NO_DATABASE, () => {}))

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (error) {
    if (error instanceof HubError) return error.code
    throw error
  }
  throw new Error('expected a typed error')
}

for (const [name, makeDatabase] of suites) {
  describe(`SQL marketplace (MarketplacePort v1) on ${name}`, () => {
    let db: TestDatabase
    let mp: SqlMarketplace
    let drop: () => Promise<void>

    beforeAll(async () => {
      db = makeDatabase()
      await db.driver().query('SELECT 1') // PGlite starts here, not in the first test's hook
    }, 60_000)
    afterAll(() => db.close())
    beforeEach(async () => {
      ;({ marketplace: mp, drop } = await freshMarketplace(db))
    })
    afterEach(() => drop())

    const count = async (table: string, where = 'true', params: unknown[] = []) => {
      const rows = await db
        .driver()
        .query<{ n: number }>(`SELECT count(*)::int AS n FROM "${mp.schema}".${table} WHERE ${where}`, params)
      return rows[0]!.n
    }

    /** Submit and approve one product; returns the marketplace inventory item id per external one. */
    const approved = async (scope = A, items: Record<string, number> = { 'ext-1': 10 }) => {
      const submission = await mp.submitProduct(scope, {
        connectionId: 'conn_1',
        product: product('p1', items),
        idempotencyKey: 'submit:conn_1:p1',
      })
      return mp.approve(scope, submission.ref)
    }

    it('submitProduct is idempotent per (seller, key): one request, newer content while pending', async () => {
      const first = await mp.submitProduct(A, {
        connectionId: 'conn_1',
        product: product('p1', { 'ext-1': 5 }),
        idempotencyKey: 'k1',
      })
      const again = await mp.submitProduct(A, {
        connectionId: 'conn_1',
        product: product('p1', { 'ext-1': 5 }, { title: 'Renamed' }),
        idempotencyKey: 'k1',
      })
      expect(first).toEqual({ ref: expect.stringMatching(/^req_/), status: 'pending' })
      expect(again.ref).toBe(first.ref)
      expect(await count('product_requests')).toBe(1)
      expect((await mp.getRequest(A, first.ref))?.product.title).toBe('Renamed')
      const other = await mp.submitProduct(B, {
        connectionId: 'conn_9',
        product: product('p1', { 'ext-1': 5 }),
        idempotencyKey: 'k1',
      })
      expect(other.ref).not.toBe(first.ref)
      expect(await count('product_requests')).toBe(2)
    })

    it('concurrent submissions of one key converge on one request', async () => {
      const input = { connectionId: 'conn_1', product: product('p1', { 'ext-1': 5 }), idempotencyKey: 'k' }
      const refs = await Promise.all(Array.from({ length: 8 }, () => mp.submitProduct(A, input)))
      expect(new Set(refs.map((r) => r.ref)).size).toBe(1)
      expect(await count('product_requests')).toBe(1)
    })

    it('approve creates the inventory items with the imported quantities; getSubmission reports them', async () => {
      const submission = await mp.submitProduct(A, {
        connectionId: 'conn_1',
        product: product('p1', { 'ext-1': 7, 'ext-2': 3 }),
        idempotencyKey: 'k1',
      })
      expect(await mp.getSubmission(A, submission.ref)).toEqual({ ref: submission.ref, status: 'pending' })
      const approval = await mp.approve(A, submission.ref)
      expect(Object.keys(approval.inventoryItems).sort()).toEqual(['ext-1', 'ext-2'])
      expect(await mp.getInventory(A, approval.inventoryItems['ext-1']!)).toEqual({ quantity: 7 })
      expect(await mp.getInventory(A, approval.inventoryItems['ext-2']!)).toEqual({ quantity: 3 })
      expect(await mp.getSubmission(A, submission.ref)).toEqual({ ...approval, status: 'approved' })
      // idempotent: the same ids, no second product
      expect(await mp.approve(A, submission.ref)).toEqual(approval)
      expect(await count('products')).toBe(1)
      // a resubmission after approval returns the approved submission and keeps the reviewed content
      const resubmitted = await mp.submitProduct(A, {
        connectionId: 'conn_1',
        product: product('p1', { 'ext-1': 7, 'ext-2': 3 }, { title: 'Changed later' }),
        idempotencyKey: 'k1',
      })
      expect(resubmitted).toEqual({ ...approval, status: 'approved' })
      expect((await mp.getRequest(A, submission.ref))?.product.title).toBe('Product p1')
      expect(await codeOf(mp.reject(A, submission.ref))).toBe('REQUEST_APPROVED')
    })

    it('a rejected request stays rejected and cannot be approved', async () => {
      const { ref } = await mp.submitProduct(A, {
        connectionId: 'conn_1',
        product: product('p1', { 'ext-1': 1 }),
        idempotencyKey: 'k1',
      })
      const rejected = await mp.reject(A, ref, 'duplicate listing')
      expect(rejected).toMatchObject({ status: 'rejected', reason: 'duplicate listing' })
      expect(await codeOf(mp.approve(A, ref))).toBe('REQUEST_REJECTED')
      expect(await mp.getSubmission(A, ref)).toEqual({ ref, status: 'rejected' })
      expect((await mp.listRequests(A, { status: 'rejected' })).map((r) => r.ref)).toEqual([ref])
      expect(await mp.listRequests(A, { status: 'pending' })).toEqual([])
    })

    it('adjustInventory applies a key once; a duplicate changes nothing; a reused key for another change is refused', async () => {
      const { inventoryItems } = await approved()
      const item = inventoryItems['ext-1']!
      const adj = { inventoryItemId: item, delta: -3, idempotencyKey: 'adjust:m1:v1', reason: 'sale' }
      expect(await mp.adjustInventory(A, adj)).toEqual({ quantity: 7, applied: true })
      expect(await mp.adjustInventory(A, adj)).toEqual({ quantity: 7, applied: false })
      await expect(mp.adjustInventory(A, { ...adj, delta: -4 })).rejects.toThrow(PermanentError)
      expect(await codeOf(mp.adjustInventory(A, { ...adj, delta: -4 }))).toBe('IDEMPOTENCY_MISMATCH')
      expect(await mp.getInventory(A, item)).toEqual({ quantity: 7 })
      expect(await mp.ledger(A, item)).toEqual([
        expect.objectContaining({
          idempotencyKey: 'adjust:m1:v1',
          delta: -3,
          quantityAfter: 7,
          reason: 'sale',
        }),
      ])
    })

    it('concurrent adjustments with one key apply exactly once', async () => {
      const item = (await approved(A, { 'ext-1': 50 })).inventoryItems['ext-1']!
      const adj = { inventoryItemId: item, delta: -3, idempotencyKey: 'dup', reason: 'race' }
      const results = await Promise.all(Array.from({ length: 16 }, () => mp.adjustInventory(A, adj)))
      expect(results.filter((r) => r.applied)).toHaveLength(1)
      expect(await mp.getInventory(A, item)).toEqual({ quantity: 47 })
      expect(await count('inventory_adjustments', 'idempotency_key = $1', ['dup'])).toBe(1)
    })

    it('concurrent adjustments with distinct keys all apply (no lost update)', async () => {
      const item = (await approved(A, { 'ext-1': 50 })).inventoryItems['ext-1']!
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          mp.adjustInventory(A, {
            inventoryItemId: item,
            delta: -1,
            idempotencyKey: `k${i}`,
            reason: 'sale',
          }),
        ),
      )
      expect(results.every((r) => r.applied)).toBe(true)
      expect(new Set(results.map((r) => r.quantity)).size).toBe(16)
      expect(await mp.getInventory(A, item)).toEqual({ quantity: 34 })
    })

    it('every call is scoped to the seller', async () => {
      const approval = await approved(A)
      const item = approval.inventoryItems['ext-1']!
      const adj = { inventoryItemId: item, delta: -1, idempotencyKey: 'x', reason: 'attack' }
      await expect(mp.getInventory(B, item)).rejects.toThrow(NotFoundError)
      await expect(mp.adjustInventory(B, adj)).rejects.toThrow(NotFoundError)
      await expect(mp.sell(B, { inventoryItemId: item, quantity: 1, orderId: 'o1' })).rejects.toThrow(
        NotFoundError,
      )
      await expect(mp.approve(B, approval.ref)).rejects.toThrow(NotFoundError)
      await expect(mp.updateProduct(B, approval.productId, { title: 'x' })).rejects.toThrow(NotFoundError)
      expect(await mp.getSubmission(B, approval.ref)).toBeNull()
      expect(await mp.getProduct(B, approval.productId)).toBeNull()
      expect(await mp.getInventoryItem(B, item)).toBeNull()
      expect(await mp.listRequests(B)).toEqual([])
      expect(await mp.ledger(B, item)).toEqual([])
      expect(await mp.getInventory(A, item)).toEqual({ quantity: 10 })
      // keys are per seller: B's own 'x' on B's own item is a different change
      const bItem = (await approved(B, { 'ext-1': 4 })).inventoryItems['ext-1']!
      await mp.adjustInventory(A, adj)
      expect(await mp.adjustInventory(B, { ...adj, inventoryItemId: bItem })).toEqual({
        quantity: 3,
        applied: true,
      })
    })

    it('sell takes stock once per order and refuses to oversell', async () => {
      const item = (await approved(A, { 'ext-1': 5 })).inventoryItems['ext-1']!
      expect(await mp.sell(A, { inventoryItemId: item, quantity: 2, orderId: 'o1' })).toEqual({
        quantity: 3,
        applied: true,
      })
      expect(await mp.sell(A, { inventoryItemId: item, quantity: 2, orderId: 'o1' })).toEqual({
        quantity: 3,
        applied: false,
      })
      expect(await codeOf(mp.sell(A, { inventoryItemId: item, quantity: 4, orderId: 'o2' }))).toBe(
        'INSUFFICIENT_STOCK',
      )
      expect(await count('inventory_adjustments')).toBe(1)
      expect(await codeOf(mp.sell(A, { inventoryItemId: item, quantity: 0, orderId: 'o3' }))).toBe(
        'SALE_INVALID',
      )
      expect(await mp.getInventory(A, item)).toEqual({ quantity: 3 })
    })

    it('bad input is a typed error, never a database error', async () => {
      const item = (await approved()).inventoryItems['ext-1']!
      const adj = { inventoryItemId: item, delta: 1, idempotencyKey: 'k', reason: '' }
      expect(await codeOf(mp.adjustInventory(A, { ...adj, delta: 1.5 }))).toBe('ADJUSTMENT_INVALID')
      expect(await codeOf(mp.adjustInventory(A, { ...adj, idempotencyKey: '' }))).toBe('ARGUMENT_INVALID')
      expect(await codeOf(mp.adjustInventory({ sellerId: '' }, adj))).toBe('SCOPE_INVALID')
      expect(await codeOf(mp.adjustInventory(A, { ...adj, inventoryItemId: 'inv_missing' }))).toBe(
        'NOT_FOUND',
      )
      const bad = { ...product('p2', { e: 1 }), variants: [] } as never
      expect(
        await codeOf(mp.submitProduct(A, { connectionId: 'c', product: bad, idempotencyKey: 'k2' })),
      ).toBe('PRODUCT_INVALID')
      expect(await mp.getInventory(A, item)).toEqual({ quantity: 10 })
    })

    it('a variant without managed inventory is no inventory item', async () => {
      const p = normalizedProductSchema.parse({
        externalId: 'svc',
        title: 'Gift wrap',
        variants: [
          {
            externalId: 'svc-1',
            inventoryItemId: 'ext-svc',
            sku: null,
            title: 'Wrap',
            price: '2.00',
            manageInventory: false,
          },
        ],
      })
      const { ref } = await mp.submitProduct(A, { connectionId: 'c', product: p, idempotencyKey: 'svc' })
      const approval = await mp.approve(A, ref)
      expect(approval.inventoryItems).toEqual({})
      const [variant] = (await mp.getProduct(A, approval.productId))!.variants
      expect(variant?.manageInventory).toBe(false)
      await expect(mp.getInventory(A, variant!.id)).rejects.toThrow(NotFoundError)
    })

    it('updateProduct applies accepted conflict fields to the product and its variants', async () => {
      const approval = await approved()
      await mp.updateProduct(A, approval.productId, {
        title: 'New title',
        tags: ['sale'],
        'variants.p1-v1': { sku: 'p1-1', title: 'Large', price: '12.50' },
      })
      const updated = await mp.getProduct(A, approval.productId)
      expect(updated?.title).toBe('New title')
      expect(updated?.content.tags).toEqual(['sale'])
      expect(updated?.variants[0]).toMatchObject({ title: 'Large', price: '12.50', quantity: 10 })
    })

    const submitFrom = (connectionId: string, externalId: string, items: Record<string, number>, scope = A) =>
      mp.submitProduct(scope, {
        connectionId,
        product: product(externalId, items),
        idempotencyKey: `submit:${connectionId}:${externalId}`,
      })

    it('approving the same goods from another store links them by SKU to the existing variants', async () => {
      // `product()` derives SKUs from the external product id: p1-1, p1-2 on both stores.
      const shopify = await submitFrom('conn_shopify', 'p1', { 'gid-1': 7, 'gid-2': 3 })
      const woo = await submitFrom('conn_woo', 'p1', { 'woo-11': 7, 'woo-12': 3 })
      const first = await mp.approve(A, shopify.ref)
      const second = await mp.approve(A, woo.ref)
      expect(second.productId).toBe(first.productId)
      expect(second.inventoryItems['woo-11']).toBe(first.inventoryItems['gid-1'])
      expect(second.inventoryItems['woo-12']).toBe(first.inventoryItems['gid-2'])
      expect(await count('products')).toBe(1)
      expect(await count('variants')).toBe(2)
      // The stock is the first store's; approving again returns the same ids.
      expect((await mp.getInventory(A, first.inventoryItems['gid-1']!)).quantity).toBe(7)
      expect(await mp.approve(A, woo.ref)).toEqual(second)
      expect(await mp.getSubmission(A, woo.ref)).toMatchObject({ status: 'approved', ...second })
      expect(await mp.countRequests(A, 'approved')).toBe(2)
    })

    it('does not link a request to goods of its own store, of another seller, or on a partial SKU match', async () => {
      const original = await mp.approve(A, (await submitFrom('conn_1', 'p1', { 'gid-1': 1, 'gid-2': 1 })).ref)
      // Same store again (a duplicate listing): its own product.
      const dup = await mp.approve(A, (await submitFrom('conn_1', 'p1-copy', { 'gid-9': 1 })).ref)
      expect(dup.productId).not.toBe(original.productId)
      const sameStoreSameSku = await mp.submitProduct(A, {
        connectionId: 'conn_1',
        product: product('p1', { 'gid-5': 1, 'gid-6': 1 }),
        idempotencyKey: 'submit:conn_1:p1-again',
      })
      expect((await mp.approve(A, sameStoreSameSku.ref)).productId).not.toBe(original.productId)
      // Another seller with the same SKUs: never linked across tenants.
      const other = await mp.approve(B, (await submitFrom('conn_b', 'p1', { 'b-1': 1, 'b-2': 1 }, B)).ref)
      expect(other.productId).not.toBe(original.productId)
      // Only one of two SKUs exists elsewhere: a product of its own.
      const partial = await mp.approve(
        A,
        (await submitFrom('conn_2', 'p1', { 'w-1': 1, 'w-2': 1, 'w-3': 1 })).ref,
      )
      expect(partial.productId).not.toBe(original.productId)
    })

    it('migrate is safe from several callers at once and on an existing schema', async () => {
      const schema = randomSchema()
      const many = Array.from({ length: 4 }, () => sqlMarketplace({ driver: db.driver(), schema }))
      await Promise.all(many.map((m) => m.migrate()))
      await sqlMarketplace({ driver: db.driver(), schema }).migrate()
      const rows = await db
        .driver()
        .query<{ n: number }>(
          `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1`,
          [schema],
        )
      expect(rows[0]!.n).toBe(5)
      await db.driver().exec(`DROP SCHEMA "${schema}" CASCADE`)
    })
  })
}
