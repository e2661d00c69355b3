import { afterEach, describe, expect, it } from 'vitest'
import { createFakeWoo, type FakeWoo } from '../src/woocommerce/index.js'
import { wooRequest } from './woocommerce-helpers.js'

let woo: FakeWoo
afterEach(async () => {
  await woo.close()
})

type Meta = { id: number; key: string; value: unknown }

describe('fake WooCommerce: meta_data, order filters and stock notes', () => {
  it('stores product and variation meta_data written with a stock write, replacing by key', async () => {
    woo = createFakeWoo({ webhookDelivery: 'manual' })
    const simple = woo.seedProduct({ name: 'Mug', sku: 'MUG', manageStock: true, stockQuantity: 5 })
    const first = await wooRequest(woo, 'PUT', `/products/${simple.id}`, {
      body: { stock_quantity: 4, meta_data: [{ key: '_hub_stock_push', value: 'a' }] },
    })
    expect(first.status).toBe(200)
    const [written] = (first.json as { meta_data: Meta[] }).meta_data
    expect(written).toMatchObject({ key: '_hub_stock_push', value: 'a' })
    await wooRequest(woo, 'PUT', `/products/${simple.id}`, {
      body: { stock_quantity: 3, meta_data: [{ key: '_hub_stock_push', value: { k: 'b' } }] },
    })
    const read = await wooRequest(woo, 'GET', `/products/${simple.id}`)
    const meta = (read.json as { meta_data: Meta[]; stock_quantity: number }).meta_data
    expect(meta).toEqual([{ id: written!.id, key: '_hub_stock_push', value: { k: 'b' } }])

    const parent = woo.seedProduct({ name: 'Tee', type: 'variable' })
    const variation = woo.seedProduct({
      parentId: parent.id,
      manageStock: true,
      stockQuantity: 2,
      variationAttributes: [{ id: 0, name: 'Size', option: 'S' }],
    })
    await wooRequest(woo, 'PUT', `/products/${parent.id}/variations/${variation.id}`, {
      body: { stock_quantity: 1, meta_data: [{ key: '_hub_stock_push', value: 'v' }] },
    })
    for (const path of [`/products/${variation.id}`, `/products/${parent.id}/variations/${variation.id}`]) {
      const res = await wooRequest(woo, 'GET', path)
      expect((res.json as { meta_data: Meta[] }).meta_data).toMatchObject([
        { key: '_hub_stock_push', value: 'v' },
      ])
    }
  })

  it('filters orders by product (the line _product_id) and notes stock changes as Name (#id) without a SKU', async () => {
    woo = createFakeWoo({ webhookDelivery: 'manual' })
    const a = woo.seedProduct({ name: 'A', manageStock: true, stockQuantity: 5 })
    const b = woo.seedProduct({ name: 'B', sku: 'B-1', manageStock: true, stockQuantity: 5 })
    const orderA = woo.createOrder({ lineItems: [{ productId: a.id, quantity: 2 }] })
    woo.createOrder({ lineItems: [{ productId: b.id, quantity: 1 }] })
    const listed = await wooRequest(woo, 'GET', `/orders?product=${a.id}`)
    expect((listed.json as Array<{ id: number }>).map((o) => o.id)).toEqual([orderA])
    const notes = await wooRequest(woo, 'GET', `/orders/${orderA}/notes`)
    const texts = (notes.json as Array<{ note: string }>).map((n) => n.note)
    expect(texts).toContain(`Stock levels reduced: A (#${a.id}) 5&rarr;3`)
  })
})
