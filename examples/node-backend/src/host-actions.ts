import type { Approval, EntityMapping, Hub, Scope, SyncItem } from '@hub/core'
import type { ProductRequest, Sale, SqlMarketplace } from './marketplace/index.js'

/** What the marketplace's own people do, each followed by the call that tells the hub. */
export interface HostActions {
  /**
   * An admin approves a product request: the marketplace creates the product, then
   * `hub.catalog.approve` links the pending mappings and starts inventory sync. Both steps are
   * idempotent, so approving again after a crash between them completes the second.
   */
  approveRequest(scope: Scope, ref: string): Promise<{ approval: Approval; mappings: EntityMapping[] }>
  /** An admin rejects a product request (the hub's mappings stay pending). */
  rejectRequest(scope: Scope, ref: string, reason?: string | null): Promise<ProductRequest>
  /**
   * A buyer orders on the marketplace: stock is taken once per order, then
   * `hub.inventory.marketplaceChanged` reconciles every connected store (once per order, too).
   */
  sell(scope: Scope, sale: Sale): Promise<{ quantity: number; applied: boolean; items: SyncItem[] }>
}

/** Bind the marketplace's actions to the hub. */
export function createHostActions(hub: Hub, marketplace: SqlMarketplace): HostActions {
  return {
    async approveRequest(scope, ref) {
      const approval = await marketplace.approve(scope, ref)
      const mappings = await hub.catalog.approve(scope, approval)
      return { approval, mappings }
    },
    rejectRequest: (scope, ref, reason) => marketplace.reject(scope, ref, reason ?? null),
    async sell(scope, sale) {
      const result = await marketplace.sell(scope, sale)
      // Also after a duplicate: the first call may have crashed before this line.
      const items = await hub.inventory.marketplaceChanged(
        scope,
        sale.inventoryItemId,
        `order:${sale.orderId}:${sale.inventoryItemId}`,
      )
      return { ...result, items }
    },
  }
}
