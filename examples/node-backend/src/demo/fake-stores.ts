import { randomBytes } from 'node:crypto'
import { createFakeShopify, type FakeShopify } from '@hub/testkit/shopify'
import { createFakeWoo, type FakeWoo, type LocalServer, serveLocally } from '@hub/testkit/woocommerce'
import type { Tunnel } from './tunnel.js'

/** One sellable item (a variant), listed under the same SKU on both stores. */
export interface CatalogItem {
  sku: string
  productTitle: string
  initial: number
  shopifyProductId: string
  shopifyVariantId: string
  shopifyInventoryItemId: string
  /** The WooCommerce product (simple) or variation id that holds the stock. */
  wooId: number
  /** The WooCommerce parent product id (the same as `wooId` for a simple product). */
  wooParentId: number
}

/** The two fake stores of one seller, served on 127.0.0.1. */
export interface FakeStores {
  shopify: FakeShopify
  woo: FakeWoo
  shopifyServer: LocalServer
  wooServer: LocalServer
  /** `demo-seller.myshopify.com` */
  shop: string
  /** The Shopify app's client id and secret (fresh per run). */
  apiKey: string
  apiSecret: string
  items: CatalogItem[]
  /** Products per store. */
  products: number
  close(): Promise<void>
}

/** Options of {@link startFakeStores}. */
export interface FakeStoresOptions {
  /** Products per store (every third has three sizes). */
  products: number
  /** Deliveries to the backend go through it (webhooks, the wc-auth callback). */
  tunnel: Tunnel
  seed?: number
}

const SIZES = ['S', 'M', 'L']

/**
 * Start a fake Shopify and a fake WooCommerce on 127.0.0.1 (real HTTP servers, free ports) with
 * the same catalog: `products` products, every third with three sizes, same SKUs and stock on
 * both. Webhooks and wc-auth callbacks are delivered automatically, through the tunnel.
 */
export async function startFakeStores(options: FakeStoresOptions): Promise<FakeStores> {
  const shop = 'demo-seller.myshopify.com'
  const apiKey = 'demo-hub-app'
  const apiSecret = `shpss_${randomBytes(16).toString('hex')}`
  const shopify = createFakeShopify({
    shop,
    apiKey,
    apiSecret,
    seed: options.seed ?? 1,
    // Shopify Plus limits (20 000 points, 1 000 points/s): the demo reads a few hundred items
    // at once; on a Standard shop (2 000, 100/s) the same run only waits longer.
    rateLimit: { maximumAvailable: 20_000, restoreRate: 1_000 },
    webhookDelivery: 'auto',
    webhookTransport: (request) => options.tunnel.fetch(request),
  })
  const shopifyServer = await shopify.listen()

  // The store's own address must be known before it is created (links, webhook source): serve
  // first, then create the store behind the server.
  let woo: FakeWoo | null = null
  const wooServer = await serveLocally((request) => {
    if (!woo) return Promise.resolve(new Response('starting', { status: 503 }))
    return woo.handle(request)
  })
  woo = createFakeWoo({
    baseUrl: wooServer.url,
    seed: options.seed ?? 1,
    webhookDelivery: 'auto',
    fetch: (input, init) => options.tunnel.fetch(input, init),
  })
  const wooStore = woo

  const items: CatalogItem[] = []
  for (let i = 1; i <= options.products; i++) {
    const base = `DEMO-${String(i).padStart(3, '0')}`
    const title = `Demo product ${i}`
    const sized = i % 3 === 0
    const variants = (sized ? SIZES : [null]).map((size, n) => ({
      sku: size ? `${base}-${size}` : base,
      size,
      initial: 20 + ((i * 7 + n * 3) % 31),
    }))
    const record = shopify.createProduct({
      title,
      ...(sized ? { options: { Size: SIZES } } : {}),
      variants: variants.map((v) => ({
        sku: v.sku,
        price: '19.00',
        available: v.initial,
        ...(v.size ? { options: [v.size] } : {}),
      })),
    })
    const wooParent = wooStore.seedProduct(
      sized
        ? {
            type: 'variable',
            name: title,
            sku: base,
            attributes: [
              { id: 0, name: 'Size', position: 0, visible: true, variation: true, options: SIZES },
            ],
          }
        : {
            name: title,
            sku: base,
            regularPrice: '19.00',
            manageStock: true,
            stockQuantity: variants[0]!.initial,
          },
    )
    for (const [n, v] of variants.entries()) {
      const shopifyVariant = shopify.state.variants.get(record.variantIds[n]!)
      if (!shopifyVariant) throw new Error(`fake Shopify did not create variant ${n} of ${title}`)
      const wooId = v.size
        ? wooStore.seedProduct({
            parentId: wooParent.id,
            sku: v.sku,
            regularPrice: '19.00',
            manageStock: true,
            stockQuantity: v.initial,
            variationAttributes: [{ id: 0, name: 'Size', option: v.size }],
          }).id
        : wooParent.id
      items.push({
        sku: v.sku,
        productTitle: title,
        initial: v.initial,
        shopifyProductId: record.id,
        shopifyVariantId: shopifyVariant.id,
        shopifyInventoryItemId: shopifyVariant.inventoryItemId,
        wooId,
        wooParentId: wooParent.id,
      })
    }
  }

  return {
    shopify,
    woo: wooStore,
    shopifyServer,
    wooServer,
    shop,
    apiKey,
    apiSecret,
    items,
    products: options.products,
    async close() {
      await wooStore.close()
      await wooServer.close()
      await shopify.close()
    },
  }
}
