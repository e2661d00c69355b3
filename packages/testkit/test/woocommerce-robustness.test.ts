import { describe, expect, it } from 'vitest'
import { createFakeWoo } from '../src/woocommerce/index.js'
import { wooRequest } from './woocommerce-helpers.js'

const BODIES: unknown[] = [
  'null',
  '[]',
  '"text"',
  '{"create":[null,1,"x",[]],"update":[null,{"id":"x"},{}],"delete":[null,{},"abc"]}',
  '{"line_items":[null,{"product_id":"x"},{"product_id":18,"quantity":"many"}]}',
  '{"attributes":[null,"x",{"options":"S"}],"name":{},"sku":[]}',
  '{"billing":"x","shipping":[1],"status":5,"set_paid":"maybe"}',
  '{"stock_quantity":{},"manage_stock":"perhaps","stock_status":[]}',
  '{"topic":7,"delivery_url":{},"status":"bogus","secret":[]}',
  '{"amount":"-5","line_items":"x","restock_items":"yes"}',
]

describe('fake WooCommerce never crashes on malformed input', () => {
  it('answers every malformed body on every route with a 2xx or a 4xx WordPress error', async () => {
    const woo = createFakeWoo({
      webhookDelivery: 'manual',
      fetch: async () => new Response(null, { status: 200 }),
    })
    const [simple, variable] = woo.seedProducts(2, { variableEvery: 2 })
    const vid = woo.product(variable as number)?.variationIds[0]
    const order = woo.createOrder({ lineItems: [{ productId: simple as number, quantity: 1 }] })
    const paths = [
      '/products',
      `/products/${simple}`,
      '/products/batch',
      `/products/${variable}/variations`,
      `/products/${variable}/variations/${vid}`,
      `/products/${variable}/variations/batch`,
      '/orders',
      `/orders/${order}`,
      `/orders/${order}/refunds`,
      '/webhooks',
    ]
    const failures: string[] = []
    for (const path of paths) {
      for (const method of ['POST', 'PUT', 'PATCH']) {
        for (const body of BODIES) {
          const res = await wooRequest(woo, method, path, { body: body as string })
          if (
            res.status >= 500 ||
            (res.status >= 400 && typeof (res.json as { code?: unknown })?.code !== 'string')
          ) {
            failures.push(
              `${method} ${path} ${String(body).slice(0, 40)} -> ${res.status} ${res.text.slice(0, 80)}`,
            )
          }
        }
      }
    }
    for (const q of [
      'per_page=abc',
      'page=-1',
      'modified_after=yesterday',
      'include=a,b',
      'orderby=nope&order=sideways',
    ]) {
      const res = await wooRequest(woo, 'GET', `/products?${q}`)
      if (res.status >= 500) failures.push(`GET /products?${q} -> ${res.status}`)
    }
    expect(failures).toEqual([])
    await woo.close()
  })
})
