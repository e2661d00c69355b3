import { randomUUID } from 'node:crypto'
import type { NormalizedProduct } from '../catalog/normalized-product.js'
import type { Scope } from '../domain/schemas.js'
import { NotFoundError, PermanentError } from '../errors.js'
import {
  type InventoryAdjustment,
  MARKETPLACE_SPEC_VERSION,
  type MarketplacePort,
  type ProductSubmission,
} from '../ports/marketplace.js'

/** A product as the in-memory marketplace keeps it. */
export interface MemoryMarketplaceProduct {
  id: string
  sellerId: string
  connectionId: string
  ref: string
  status: 'pending' | 'approved' | 'rejected'
  product: NormalizedProduct
  /** Marketplace inventory item id per external inventory item id (after approval). */
  inventoryItems: Record<string, string>
}

/** Options of {@link memoryMarketplace}. */
export interface MemoryMarketplaceOptions {
  /** Approve submissions at once instead of leaving them pending for review. Default false. */
  autoApprove?: boolean
}

/** The in-memory marketplace plus the operator actions a real marketplace has. */
export interface MemoryMarketplace extends MarketplacePort {
  /** Approve a pending submission; returns what `hub.catalog.approve` needs. */
  approve(
    scope: Scope,
    ref: string,
  ): { ref: string; productId: string; inventoryItems: Record<string, string> }
  /** Record a sale (or any change) made on the marketplace itself. */
  sell(scope: Scope, inventoryItemId: string, quantity: number): number
  quantity(scope: Scope, inventoryItemId: string): number
  products(scope: Scope): MemoryMarketplaceProduct[]
  /** Every adjustment applied, by idempotency key (to prove nothing was counted twice). */
  adjustments(): ReadonlyMap<string, InventoryAdjustment>
}

/**
 * A complete {@link MarketplacePort} in memory, for tests, examples and hosts trying the SDK.
 * Submissions wait for `approve()` (a person's review) unless `autoApprove` is set; inventory
 * adjustments apply at most once per idempotency key.
 */
export function memoryMarketplace(options: MemoryMarketplaceOptions = {}): MemoryMarketplace {
  const products = new Map<string, MemoryMarketplaceProduct>()
  const byKey = new Map<string, string>()
  const stock = new Map<string, { sellerId: string; quantity: number }>()
  const applied = new Map<string, InventoryAdjustment>()

  const owned = (scope: Scope, ref: string) => {
    const p = products.get(ref)
    if (!p || p.sellerId !== scope.sellerId) throw new NotFoundError('submission', ref)
    return p
  }
  const item = (scope: Scope, id: string) => {
    const s = stock.get(id)
    if (!s || s.sellerId !== scope.sellerId) throw new NotFoundError('inventory item', id)
    return s
  }
  const approveProduct = (p: MemoryMarketplaceProduct) => {
    if (p.status !== 'approved') {
      p.status = 'approved'
      for (const v of p.product.variants) {
        if (!v.manageInventory) continue
        const id = `inv_${randomUUID()}`
        p.inventoryItems[v.inventoryItemId] = id
        stock.set(id, { sellerId: p.sellerId, quantity: v.quantity ?? 0 })
      }
    }
    return { ref: p.ref, productId: p.id, inventoryItems: { ...p.inventoryItems } }
  }
  const submission = (p: MemoryMarketplaceProduct): ProductSubmission => ({
    ref: p.ref,
    status: p.status,
    ...(p.status === 'approved' ? { productId: p.id, inventoryItems: { ...p.inventoryItems } } : {}),
  })

  return {
    specificationVersion: MARKETPLACE_SPEC_VERSION,
    async submitProduct(scope, input) {
      const existing = byKey.get(`${scope.sellerId}:${input.idempotencyKey}`)
      if (existing) {
        const p = owned(scope, existing)
        p.product = input.product
        return submission(p)
      }
      const p: MemoryMarketplaceProduct = {
        id: `prod_${randomUUID()}`,
        sellerId: scope.sellerId,
        connectionId: input.connectionId,
        ref: `req_${randomUUID()}`,
        status: 'pending',
        product: input.product,
        inventoryItems: {},
      }
      products.set(p.ref, p)
      byKey.set(`${scope.sellerId}:${input.idempotencyKey}`, p.ref)
      if (options.autoApprove) approveProduct(p)
      return submission(p)
    },
    async getSubmission(scope, ref) {
      const p = products.get(ref)
      return p && p.sellerId === scope.sellerId ? submission(p) : null
    },
    async updateProduct(scope, productId, fields) {
      const p = [...products.values()].find((x) => x.id === productId && x.sellerId === scope.sellerId)
      if (!p) throw new NotFoundError('product', productId)
      p.product = { ...p.product, ...fields } as NormalizedProduct
    },
    async getInventory(scope, inventoryItemId) {
      return { quantity: item(scope, inventoryItemId).quantity }
    },
    async adjustInventory(scope, adjustment) {
      const s = item(scope, adjustment.inventoryItemId)
      const previous = applied.get(adjustment.idempotencyKey)
      if (previous) {
        if (previous.delta !== adjustment.delta || previous.inventoryItemId !== adjustment.inventoryItemId) {
          throw new PermanentError(
            'IDEMPOTENCY_MISMATCH',
            `key ${adjustment.idempotencyKey} reused for another change`,
          )
        }
        return { quantity: s.quantity, applied: false }
      }
      s.quantity += adjustment.delta
      applied.set(adjustment.idempotencyKey, { ...adjustment })
      return { quantity: s.quantity, applied: true }
    },
    approve: (scope, ref) => approveProduct(owned(scope, ref)),
    sell(scope, inventoryItemId, quantity) {
      const s = item(scope, inventoryItemId)
      s.quantity -= quantity
      return s.quantity
    },
    quantity: (scope, id) => item(scope, id).quantity,
    products: (scope) => [...products.values()].filter((p) => p.sellerId === scope.sellerId),
    adjustments: () => applied,
  }
}
