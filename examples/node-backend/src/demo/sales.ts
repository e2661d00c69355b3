import { api } from './backend-client.js'
import type { CatalogItem, FakeStores } from './fake-stores.js'

/** One sale the demo plays. */
export interface Sale {
  side: 'marketplace' | 'shopify' | 'woocommerce'
  item: CatalogItem
  quantity: number
}

/** Which items sell where: the first on all three sides, then two more per side. */
export function plannedSales(items: CatalogItem[]): Sale[] {
  const pick = (i: number) => items[i % items.length]!
  return [
    { side: 'marketplace', item: pick(0), quantity: 2 },
    { side: 'shopify', item: pick(0), quantity: 1 },
    { side: 'woocommerce', item: pick(0), quantity: 3 },
    { side: 'marketplace', item: pick(4), quantity: 1 },
    { side: 'marketplace', item: pick(9), quantity: 4 },
    { side: 'shopify', item: pick(13), quantity: 2 },
    { side: 'shopify', item: pick(22), quantity: 1 },
    { side: 'woocommerce', item: pick(31), quantity: 2 },
    { side: 'woocommerce', item: pick(40), quantity: 5 },
  ]
}

/**
 * Play one sale where a buyer would make it: a marketplace order through the backend's API
 * (`orderId` makes it count once), a Shopify order or a WooCommerce checkout on the fake store.
 */
export async function playSale(
  baseUrl: string,
  stores: FakeStores,
  variantBySku: ReadonlyMap<string, string>,
  sale: Sale,
  orderId: string,
): Promise<void> {
  if (sale.side === 'marketplace') {
    const variant = variantBySku.get(sale.item.sku)
    if (!variant) throw new Error(`no marketplace item for ${sale.item.sku}`)
    await api(baseUrl, 'POST', `/api/inventory/${encodeURIComponent(variant)}/sales`, {
      quantity: sale.quantity,
      orderId,
    })
  } else if (sale.side === 'shopify') {
    stores.shopify.placeOrder([{ variantId: sale.item.shopifyVariantId, quantity: sale.quantity }])
  } else {
    const variation = sale.item.wooId !== sale.item.wooParentId
    stores.woo.createOrder({
      lineItems: [
        {
          productId: sale.item.wooParentId,
          ...(variation ? { variationId: sale.item.wooId } : {}),
          quantity: sale.quantity,
        },
      ],
    })
  }
}
