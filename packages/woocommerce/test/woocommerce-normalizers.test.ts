import { normalizedProductSchema, PermanentError } from '@hub/core'
import { describe, expect, it } from 'vitest'
import { normalizeProduct, stockOwnerId } from '../src/woocommerce-normalizers.js'
import { type WooProduct, wooProductSchema } from '../src/woocommerce-schemas.js'
import { exchange } from './fixtures.js'

function product(name: string): WooProduct {
  return wooProductSchema.parse(JSON.parse(exchange(name).response.body))
}
function products(name: string): WooProduct[] {
  return wooProductSchema.array().parse(JSON.parse(exchange(name).response.body))
}

describe('normalizeProduct', () => {
  it('normalizes the recorded managed simple product', () => {
    const normalized = normalizeProduct(product('products/get-simple.json'), [], { currency: 'USD' })
    expect(normalizedProductSchema.parse(normalized)).toEqual(normalized)
    expect(normalized).toMatchObject({
      externalId: '18',
      title: 'Fixture Mug',
      handle: 'fixture-mug',
      status: 'active',
      productType: 'Uncategorized',
      currency: 'USD',
      options: [],
      images: [],
    })
    expect(normalized.updatedAt?.toISOString()).toBe('2026-11-25T11:20:54.000Z')
    expect(normalized.variants).toEqual([
      {
        externalId: '18',
        inventoryItemId: '18',
        sku: 'FX-MUG',
        title: 'Fixture Mug',
        price: '12.50',
        compareAtPrice: null,
        barcode: null,
        options: {},
        quantity: 10,
        manageInventory: true,
        weightGrams: null,
      },
    ])
  })

  it('marks unmanaged stock as such', () => {
    const normalized = normalizeProduct(product('products/create-simple-unmanaged.json'))
    expect(normalized.variants[0]).toMatchObject({ quantity: null, manageInventory: false, price: '8.00' })
  })

  it('normalizes the recorded variable product with its variations, in the parent order', () => {
    const normalized = normalizeProduct(
      product('products/get-variable.json'),
      products('products/list-variations.json'),
    )
    expect(normalized.options).toEqual([
      { name: 'Size', values: ['S', 'M'] },
      { name: 'Color', values: ['Red', 'Blue'] },
    ])
    expect(
      normalized.variants.map((v) => [v.externalId, v.inventoryItemId, v.sku, v.title, v.price, v.quantity]),
    ).toEqual([
      ['24', '24', 'FX-TEE-S-RED', 'S / Red', '20.00', 5],
      ['25', '25', 'FX-TEE-M-RED', 'M / Red', '20.00', 7],
      ['26', '26', 'FX-TEE-M-BLUE', 'M / Blue', '22.00', 2],
    ])
    expect(normalized.variants[0]?.options).toEqual({ Size: 'S', Color: 'Red' })
  })

  it('maps statuses, sale prices, weights, images, tags and barcodes', () => {
    const base = product('products/get-simple.json')
    const onSale: WooProduct = {
      ...base,
      status: 'draft',
      price: '9.00',
      regular_price: '12.50',
      sale_price: '9.00',
      weight: '0.35',
      global_unique_id: '0123456789012',
      tags: [{ id: 1, name: 'gift' }],
      images: [
        { id: 1, src: 'https://shop.example.com/mug.jpg', name: 'mug', alt: 'A mug' },
        { id: 2, src: 'not a url', name: '', alt: '' },
      ],
    }
    const n = normalizeProduct(onSale)
    expect(n.status).toBe('draft')
    expect(n.variants[0]).toMatchObject({
      price: '9.00',
      compareAtPrice: '12.50',
      weightGrams: 350,
      barcode: '0123456789012',
    })
    expect(n.images).toEqual([{ url: 'https://shop.example.com/mug.jpg', alt: 'A mug' }])
    expect(n.tags).toEqual(['gift'])
    expect(normalizeProduct(product('products/get-trashed.json')).status).toBe('archived')
    expect(
      normalizeProduct({ ...base, weight: '2' }, [], { weightUnit: 'lbs' }).variants[0]?.weightGrams,
    ).toBe(907.185)
    expect(normalizeProduct({ ...base, price: '', regular_price: '' }).variants[0]?.price).toBe('0')
  })

  it('sells parent-managed variations from the parent stock', () => {
    const parent = {
      ...product('products/get-variable.json'),
      manage_stock: true as const,
      stock_quantity: 9,
    }
    const variations = products('products/list-variations.json').map((v) => ({
      ...v,
      manage_stock: 'parent' as const,
      stock_quantity: 9,
    }))
    const n = normalizeProduct(parent, variations)
    expect(n.variants.map((v) => [v.inventoryItemId, v.quantity, v.manageInventory])).toEqual([
      ['23', 9, true],
      ['23', 9, true],
      ['23', 9, true],
    ])
  })

  it('refuses what cannot be imported with a typed error', () => {
    const variation = product('products/get-variation-via-products-route.json')
    expect(() => normalizeProduct(variation)).toThrow(PermanentError)
    expect(() => normalizeProduct(product('products/create-variable.json'))).toThrow(/no variations/)
    expect(() => normalizeProduct({ ...product('products/get-simple.json'), type: 'grouped' })).toThrow(
      PermanentError,
    )
  })
})

describe('stockOwnerId', () => {
  it('finds who holds the stock', () => {
    expect(stockOwnerId({ id: 18, parent_id: 0, manage_stock: true })).toBe('18')
    expect(stockOwnerId({ id: 24, parent_id: 23, manage_stock: 'parent' })).toBe('23')
    expect(stockOwnerId({ id: 19, parent_id: 0, manage_stock: false })).toBeNull()
  })
})
