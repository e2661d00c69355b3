import {
  type NormalizedProduct,
  type NormalizedVariant,
  normalizedProductSchema,
  PermanentError,
} from '@hub/core'
import { parseWooGmt } from './woocommerce-dates.js'
import type { WooProduct } from './woocommerce-schemas.js'

/** WooCommerce's store-wide weight unit (`woocommerce_weight_unit`). */
export type WooWeightUnit = 'kg' | 'g' | 'lbs' | 'oz'

/** Options of {@link normalizeProduct}. */
export interface NormalizeOptions {
  /** The store currency (`woocommerce_currency`); products do not carry it. */
  currency?: string | null
  /** The store's weight unit; default `kg` (WooCommerce's default). */
  weightUnit?: WooWeightUnit
}

const GRAMS: Record<WooWeightUnit, number> = { kg: 1000, g: 1, lbs: 453.59237, oz: 28.349523125 }

/**
 * The inventory item that actually holds a product's or variation's stock, or `null` when
 * nobody manages it. A variation whose `manage_stock` is `"parent"` sells from its parent's
 * stock: orders decrement the parent, and a write to the variation changes nothing.
 */
export function stockOwnerId(item: Pick<WooProduct, 'id' | 'parent_id' | 'manage_stock'>): string | null {
  if (item.manage_stock === true) return String(item.id)
  if (item.manage_stock === 'parent' && item.parent_id > 0) return String(item.parent_id)
  return null
}

/**
 * A WooCommerce product (with its variations, for a variable product) as the provider-neutral
 * {@link NormalizedProduct}. A simple product becomes one variant whose id is the product id.
 * Prices stay decimal strings: the active `price`, with `regular_price` as compare-at price when
 * it is higher (a sale). Throws `PermanentError` for what cannot be imported: variations on
 * their own (normalize their parent), grouped products (no price or stock of their own), and
 * variable products without variations.
 */
export function normalizeProduct(
  product: WooProduct,
  variations: readonly WooProduct[] = [],
  options: NormalizeOptions = {},
): NormalizedProduct {
  if (product.type === 'variation') {
    throw new PermanentError(
      'WOO_PRODUCT_IS_VARIATION',
      `product ${product.id} is a variation; normalize its parent`,
    )
  }
  if (product.type === 'grouped') {
    throw new PermanentError('WOO_PRODUCT_UNSUPPORTED', `product ${product.id} is a grouped product`)
  }
  const weightUnit = options.weightUnit ?? 'kg'
  let variants: NormalizedVariant[]
  let productOptions: NormalizedProduct['options'] = []
  if (product.type === 'variable') {
    if (variations.length === 0) {
      throw new PermanentError('WOO_PRODUCT_NO_VARIANTS', `variable product ${product.id} has no variations`)
    }
    productOptions = product.attributes
      .filter((a) => a.variation !== false && (a.options?.length ?? 0) > 0)
      .map((a) => ({ name: a.name, values: [...(a.options ?? [])] }))
    // The variations route lists newest first; keep the parent's own order when it has one.
    const order = new Map(product.variations.map((id, index) => [id, index]))
    const sorted = [...variations].sort(
      (a, b) => (order.get(a.id) ?? Number.MAX_SAFE_INTEGER) - (order.get(b.id) ?? Number.MAX_SAFE_INTEGER),
    )
    variants = sorted.map((v) => variant(v, product, weightUnit))
  } else {
    variants = [variant(product, product, weightUnit)]
  }
  return normalizedProductSchema.parse({
    externalId: String(product.id),
    title: product.name.trim() || `Product ${product.id}`,
    handle: product.slug || null,
    description: product.description || product.short_description || null,
    status: statusOf(product.status),
    vendor: null,
    productType: product.categories[0]?.name ?? null,
    tags: product.tags.map((t) => t.name),
    options: productOptions,
    variants,
    images: product.images.filter((i) => isHttpUrl(i.src)).map((i) => ({ url: i.src, alt: i.alt || null })),
    currency: options.currency ?? null,
    updatedAt: parseWooGmt(product.date_modified_gmt),
  })
}

function variant(item: WooProduct, parent: WooProduct, weightUnit: WooWeightUnit): NormalizedVariant {
  const owner = stockOwnerId(item)
  const parentManaged = item.manage_stock === 'parent' && parent.manage_stock === true
  const manageInventory = item.manage_stock === true || parentManaged
  const options: Record<string, string> = {}
  for (const a of item.attributes) if (a.option !== undefined) options[a.name] = a.option
  const price = decimal(item.price) ?? decimal(item.regular_price) ?? '0'
  const regular = decimal(item.regular_price)
  return {
    externalId: String(item.id),
    inventoryItemId: owner ?? String(item.id),
    sku: item.sku || null,
    title: variantTitle(item, parent, options),
    price,
    compareAtPrice: regular !== null && Number(regular) > Number(price) ? regular : null,
    barcode: item.global_unique_id || null,
    options,
    quantity: manageInventory ? (item.stock_quantity ?? parent.stock_quantity ?? null) : null,
    manageInventory,
    weightGrams: weightGrams(item.weight || (item === parent ? '' : parent.weight), weightUnit),
  }
}

function variantTitle(item: WooProduct, parent: WooProduct, options: Record<string, string>): string {
  if (item === parent) return item.name.trim() || `Product ${item.id}`
  const fromOptions = Object.values(options).join(' / ')
  return fromOptions || item.name.trim() || `Variation ${item.id}`
}

function statusOf(status: string): NormalizedProduct['status'] {
  if (status === 'publish') return 'active'
  if (status === 'trash') return 'archived'
  return 'draft'
}

function decimal(value: string): string | null {
  const trimmed = value.trim()
  return /^-?\d+(\.\d+)?$/.test(trimmed) ? trimmed : null
}

function weightGrams(value: string, unit: WooWeightUnit): number | null {
  const n = Number(value)
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) return null
  return Math.round(n * GRAMS[unit] * 1000) / 1000
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}
