import {
  type Json,
  type JsonObject,
  type NormalizedProduct,
  normalizedProductSchema,
  PermanentError,
  type Scope,
} from '@hub/core'

/** Review status of a product request. */
export type RequestStatus = 'pending' | 'approved' | 'rejected'

/** A seller's imported product waiting for (or past) a marketplace admin's review. */
export interface ProductRequest {
  /** The submission reference the hub keeps on its pending mappings. */
  ref: string
  sellerId: string
  connectionId: string
  status: RequestStatus
  product: NormalizedProduct
  /** Set once approved. */
  productId: string | null
  /** Why it was rejected, when it was. */
  reason: string | null
  createdAt: Date
  decidedAt: Date | null
}

/** A variant of an approved product; its `id` is the inventory item id the hub works with. */
export interface MarketplaceVariant {
  id: string
  productId: string
  externalVariantId: string
  externalInventoryItemId: string
  sku: string | null
  title: string
  price: string
  manageInventory: boolean
  quantity: number
  updatedAt: Date
}

/** An approved product with its variants. */
export interface MarketplaceProduct {
  id: string
  requestId: string
  title: string
  /** The normalized product as approved, with accepted conflict fields merged in. */
  content: JsonObject
  variants: MarketplaceVariant[]
  createdAt: Date
  updatedAt: Date
}

/** One applied inventory change, as recorded in the ledger. */
export interface LedgerEntry {
  idempotencyKey: string
  inventoryItemId: string
  delta: number
  reason: string
  quantityAfter: number
  createdAt: Date
}

/** `product_requests` row. */
export interface RequestRow {
  id: string
  seller_id: string
  connection_id: string
  status: RequestStatus
  product: Json
  product_id: string | null
  reason: string | null
  created_at: Date
  decided_at: Date | null
}

/** `variants` row. */
export interface VariantRow {
  id: string
  product_id: string
  external_variant_id: string
  external_inventory_item_id: string
  sku: string | null
  title: string
  price: string
  manage_inventory: boolean
  quantity: number
  updated_at: Date
}

/** `products` row. */
export interface ProductRow {
  id: string
  request_id: string
  title: string
  content: JsonObject
  created_at: Date
  updated_at: Date
}

/** `inventory_adjustments` row. */
export interface LedgerRow {
  idempotency_key: string
  inventory_item_id: string
  delta: number
  reason: string
  quantity_after: number
  created_at: Date
}

/** Validate a normalized product at the marketplace's boundary (dates arrive as strings from JSON). */
export function parseProduct(value: unknown): NormalizedProduct {
  const input =
    value && typeof value === 'object' && typeof (value as { updatedAt?: unknown }).updatedAt === 'string'
      ? { ...value, updatedAt: new Date((value as { updatedAt: string }).updatedAt) }
      : value
  const parsed = normalizedProductSchema.safeParse(input)
  if (!parsed.success) {
    throw new PermanentError('PRODUCT_INVALID', `product is invalid: ${parsed.error.issues[0]?.message}`)
  }
  return parsed.data
}

/** The product as JSON for a `jsonb` parameter (dates become ISO strings). */
export function productJson(product: NormalizedProduct): string {
  return JSON.stringify(product)
}

/** Map a `product_requests` row. */
export function toRequest(row: RequestRow): ProductRequest {
  return {
    ref: row.id,
    sellerId: row.seller_id,
    connectionId: row.connection_id,
    status: row.status,
    product: parseProduct(row.product),
    productId: row.product_id,
    reason: row.reason,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
  }
}

/** Map a `variants` row. */
export function toVariant(row: VariantRow): MarketplaceVariant {
  return {
    id: row.id,
    productId: row.product_id,
    externalVariantId: row.external_variant_id,
    externalInventoryItemId: row.external_inventory_item_id,
    sku: row.sku,
    title: row.title,
    price: row.price,
    manageInventory: row.manage_inventory,
    quantity: row.quantity,
    updatedAt: row.updated_at,
  }
}

/** Map a `products` row and its variants. */
export function toProduct(row: ProductRow, variants: VariantRow[]): MarketplaceProduct {
  return {
    id: row.id,
    requestId: row.request_id,
    title: row.title,
    content: row.content,
    variants: variants.map(toVariant),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

/** Map an `inventory_adjustments` row. */
export function toLedgerEntry(row: LedgerRow): LedgerEntry {
  return {
    idempotencyKey: row.idempotency_key,
    inventoryItemId: row.inventory_item_id,
    delta: row.delta,
    reason: row.reason,
    quantityAfter: row.quantity_after,
    createdAt: row.created_at,
  }
}

/** A scope with a usable seller id, or a typed error (every query filters by it). */
export function sellerOf(scope: Scope): string {
  if (!scope || typeof scope.sellerId !== 'string' || scope.sellerId.length === 0) {
    throw new PermanentError('SCOPE_INVALID', 'a seller id is required')
  }
  return scope.sellerId
}

/** A non-empty string argument, or a typed error naming it. */
export function requireText(value: unknown, name: string, max = 500): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max) {
    throw new PermanentError(
      'ARGUMENT_INVALID',
      `${name} must be a non-empty string of at most ${max} characters`,
    )
  }
  return value
}
