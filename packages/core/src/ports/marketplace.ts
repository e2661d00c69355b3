import type { NormalizedProduct } from '../catalog/normalized-product.js'
import type { Scope } from '../domain/schemas.js'

/** The version of the {@link MarketplacePort} contract described in this file. */
export const MARKETPLACE_SPEC_VERSION = 'v1' as const

/** Result of {@link MarketplacePort.submitProduct}. */
export interface ProductSubmission {
  /** The marketplace's reference of the submission (product request id, proposed product id). */
  ref: string
  /** `approved` when the marketplace accepts it at once (no review flow). */
  status: 'pending' | 'approved' | 'rejected'
  /** Marketplace product id, once approved. */
  productId?: string
  /** Marketplace inventory item id per external variant id, once approved. */
  inventoryItems?: Record<string, string>
}

/** One inventory change applied to the marketplace. */
export interface InventoryAdjustment {
  /** Marketplace inventory item id. */
  inventoryItemId: string
  delta: number
  /**
   * Unique per logical change. The marketplace records it with the adjustment and applies a key
   * at most once, so a crash between the write and the item's completion cannot double-count.
   */
  idempotencyKey: string
  reason: string
}

/**
 * What the SDK needs from the marketplace (Medusa via `@hub/medusa`, or the host's own tables).
 * Every call is scoped to the seller.
 */
export interface MarketplacePort {
  readonly specificationVersion: typeof MARKETPLACE_SPEC_VERSION
  /** Submit an imported product for approval. Idempotent per `idempotencyKey`. */
  submitProduct(
    scope: Scope,
    input: { connectionId: string; product: NormalizedProduct; idempotencyKey: string },
  ): Promise<ProductSubmission>
  /** Current status of a submission (used to repair pending mappings when events are missed). */
  getSubmission?(scope: Scope, ref: string): Promise<ProductSubmission | null>
  /** Apply accepted conflict fields to an approved product. */
  updateProduct?(scope: Scope, productId: string, fields: Record<string, unknown>): Promise<void>
  /** Available quantity of an inventory item. */
  getInventory(scope: Scope, inventoryItemId: string): Promise<{ quantity: number }>
  /** Apply a delta at most once per idempotency key; returns the quantity after it. */
  adjustInventory(
    scope: Scope,
    adjustment: InventoryAdjustment,
  ): Promise<{ quantity: number; applied: boolean }>
}
