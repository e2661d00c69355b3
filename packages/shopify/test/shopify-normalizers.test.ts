import type { Json } from '@hub/core'
import { describe, expect, it } from 'vitest'
import { parseJsonLossless } from '../src/shopify-json.js'
import {
  normalizeGraphqlProduct,
  normalizeWebhookProduct,
  ShopifyNormalizeError,
} from '../src/shopify-normalizers.js'
import { webhookSamples } from './fixtures.js'

type Obj = { [key: string]: Json }

function samplePayload(topic: string): Obj {
  const sample = webhookSamples().find((s) => s.topic === topic)
  if (!sample) throw new Error(`no sample for ${topic}`)
  return parseJsonLossless(sample.rawPayload) as Obj
}

/** Shopify's products/update sample with the inventory item ids a 2026 delivery would carry. */
function productWithInventoryItems(): Obj {
  const payload = samplePayload('products/update')
  const variants = payload['variants'] as Obj[]
  variants[0]!['inventory_item_id'] = '271878346596884015'
  variants[1]!['inventory_item_id'] = 39072856
  payload['options'] = [{ name: 'Size', position: 1, values: ['Small', 'Medium'] }]
  payload['images'] = [{ src: 'https://cdn.shopify.com/s/files/tee.png', alt: 'Tee', position: 1 }]
  return payload
}

/** The same product as the GraphQL Admin API returns it for PRODUCT_FIELDS_FRAGMENT. */
function graphqlNode() {
  return {
    id: 'gid://shopify/Product/788032119674292922',
    title: 'Example T-Shirt',
    handle: 'example-t-shirt',
    descriptionHtml: 'An example T-Shirt',
    status: 'ACTIVE',
    vendor: 'Acme',
    productType: 'Shirts',
    tags: ['example', 'mens', 't-shirt'],
    updatedAt: '2022-01-01T00:00:00Z',
    options: [{ name: 'Size', position: 1, values: ['Small', 'Medium'] }],
    media: {
      nodes: [{ image: { url: 'https://cdn.shopify.com/s/files/tee.png', altText: 'Tee' } }, {}],
    },
    variants: {
      pageInfo: { hasNextPage: false, endCursor: null },
      nodes: [
        {
          id: 'gid://shopify/ProductVariant/642667041472713922',
          title: 'Small',
          sku: null,
          barcode: null,
          price: '19.99',
          compareAtPrice: '24.99',
          position: 1,
          inventoryQuantity: 75,
          selectedOptions: [{ name: 'Size', value: 'Small' }],
          inventoryItem: { id: 'gid://shopify/InventoryItem/271878346596884015', tracked: true },
        },
        {
          id: 'gid://shopify/ProductVariant/757650484644203962',
          title: 'Medium',
          sku: '',
          barcode: null,
          price: '19.99',
          compareAtPrice: '24.99',
          position: 2,
          inventoryQuantity: 50,
          selectedOptions: [{ name: 'Size', value: 'Medium' }],
          inventoryItem: {
            id: 'gid://shopify/InventoryItem/39072856',
            tracked: true,
          },
        },
      ],
    },
  }
}

describe('normalizeWebhookProduct', () => {
  it('refuses Shopify’s sample as is: its variants carry inventory_item_id null', () => {
    for (const topic of ['products/create', 'products/update']) {
      expect(() => normalizeWebhookProduct(samplePayload(topic))).toThrow(
        expect.objectContaining({ code: 'SHOPIFY_INVENTORY_ITEM_MISSING' }),
      )
    }
  })

  it('normalizes the sample with inventory item ids, keeping every big id exact', () => {
    const product = normalizeWebhookProduct(productWithInventoryItems(), { currency: 'USD' })
    expect(product).toEqual({
      externalId: '788032119674292922',
      title: 'Example T-Shirt',
      handle: 'example-t-shirt',
      description: 'An example T-Shirt',
      status: 'active',
      vendor: 'Acme',
      productType: 'Shirts',
      tags: ['example', 'mens', 't-shirt'],
      options: [{ name: 'Size', values: ['Small', 'Medium'] }],
      variants: [
        {
          externalId: '642667041472713922',
          inventoryItemId: '271878346596884015',
          sku: null,
          title: 'Small',
          price: '19.99',
          compareAtPrice: '24.99',
          barcode: null,
          options: { Size: 'Small' },
          quantity: 75,
          manageInventory: true,
          weightGrams: null,
        },
        {
          externalId: '757650484644203962',
          inventoryItemId: '39072856',
          sku: null,
          title: 'Medium',
          price: '19.99',
          compareAtPrice: '24.99',
          barcode: null,
          options: { Size: 'Medium' },
          quantity: 50,
          manageInventory: true,
          weightGrams: null,
        },
      ],
      images: [{ url: 'https://cdn.shopify.com/s/files/tee.png', alt: 'Tee' }],
      currency: 'USD',
      updatedAt: new Date('2021-12-31T19:00:00-05:00'),
    })
  })

  it('gives a typed error for payloads that are not products', () => {
    expect(() => normalizeWebhookProduct(samplePayload('products/delete'))).toThrow(ShopifyNormalizeError)
    const noVariants = { ...productWithInventoryItems(), variants: [] }
    expect(() => normalizeWebhookProduct(noVariants)).toThrow(ShopifyNormalizeError)
    const badPrice = productWithInventoryItems()
    ;(badPrice['variants'] as Obj[])[0]!['price'] = '19,99'
    expect(() => normalizeWebhookProduct(badPrice)).toThrow(ShopifyNormalizeError)
  })
})

describe('normalizeGraphqlProduct', () => {
  it('normalizes a product node with numeric ids taken from the GIDs', () => {
    const product = normalizeGraphqlProduct(graphqlNode(), { currency: 'USD' })
    expect(product.externalId).toBe('788032119674292922')
    expect(product.variants.map((v) => [v.externalId, v.inventoryItemId])).toEqual([
      ['642667041472713922', '271878346596884015'],
      ['757650484644203962', '39072856'],
    ])
    expect(product.images).toEqual([{ url: 'https://cdn.shopify.com/s/files/tee.png', alt: 'Tee' }])
  })

  it('agrees with the webhook normalizer on the same product (except fields only one side has)', () => {
    const fromGraphql = normalizeGraphqlProduct(graphqlNode(), { currency: 'USD' })
    const fromWebhook = normalizeWebhookProduct(productWithInventoryItems(), { currency: 'USD' })
    const comparable = (p: typeof fromGraphql) => ({ ...p, updatedAt: null })
    expect(comparable(fromGraphql)).toEqual(comparable(fromWebhook))
  })

  it('maps statuses and drops Shopify’s placeholder option', () => {
    const node = graphqlNode()
    expect(normalizeGraphqlProduct({ ...node, status: 'UNLISTED' }).status).toBe('active')
    expect(normalizeGraphqlProduct({ ...node, status: 'ARCHIVED' }).status).toBe('archived')
    expect(normalizeGraphqlProduct({ ...node, status: 'DRAFT' }).status).toBe('draft')
    const single = {
      ...node,
      options: [{ name: 'Title', position: 1, values: ['Default Title'] }],
      variants: {
        nodes: [
          {
            ...node.variants.nodes[0]!,
            title: 'Default Title',
            selectedOptions: [{ name: 'Title', value: 'Default Title' }],
          },
        ],
      },
    }
    const product = normalizeGraphqlProduct(single)
    expect(product.options).toEqual([])
    expect(product.variants[0]?.options).toEqual({})
  })

  it('gives a typed error for wrong GIDs and wrong shapes', () => {
    const node = graphqlNode()
    expect(() => normalizeGraphqlProduct({ ...node, id: 'gid://shopify/Collection/1' })).toThrow(
      ShopifyNormalizeError,
    )
    expect(() =>
      normalizeGraphqlProduct({ ...node, id: 'gid://shopify/InventoryLevel/1?inventory_item_id=2' }),
    ).toThrow(ShopifyNormalizeError)
    expect(() => normalizeGraphqlProduct({ id: 'gid://shopify/Product/1' })).toThrow(ShopifyNormalizeError)
    expect(() => normalizeGraphqlProduct(null)).toThrow(ShopifyNormalizeError)
  })
})
