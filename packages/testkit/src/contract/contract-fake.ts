import type { Json } from '@hub/core'

/** A product the contract suite asks a fake store to hold: one stock-managed variant. */
export interface ContractProductInput {
  title: string
  sku: string
  price: string
  quantity: number
}

/** External ids of a seeded product. */
export interface ContractProduct {
  productId: string
  variantId: string
  /** The id inventory work uses (Shopify InventoryItem id, Woo product/variation id). */
  inventoryItemId: string
}

/**
 * What the provider contract suite needs from a provider's fake. Each provider's fake (in
 * `@hub/testkit` or its own package) implements this small bridge; the suite never looks at
 * provider names, only at the adapter's declared capabilities.
 */
export interface ContractFake {
  /** Shown in test titles. */
  readonly name: string
  /** Start intercepting (e.g. an MSW server) before the suite; stop after. */
  start(): Promise<void>
  stop(): Promise<void>
  /** Forget everything between tests. */
  reset(): Promise<void>
  /** A connected store: its account id and the credentials the adapter needs (stored encrypted by the hub). */
  connection(): Promise<{ externalAccountId: string; credentials: Json; settings?: Record<string, Json> }>
  seedProduct(input: ContractProductInput): Promise<ContractProduct>
  /** Available quantity as the store shows it. */
  quantity(inventoryItemId: string): Promise<number>
  /** A manual edit by the seller in the store's admin. */
  setQuantity(inventoryItemId: string, quantity: number): Promise<void>
  /** A customer order on the store. */
  sell(inventoryItemId: string, quantity: number): Promise<void>
  /**
   * The signed webhook deliveries the store sends after the latest changes (drained: each
   * delivery is returned once). The suite posts them to the hub.
   */
  takeDeliveries(): Promise<Request[]>
  /** A delivery signed with the wrong secret. */
  forgedDelivery(): Promise<Request>
  /** Make the next `count` API calls fail the way the real store does (5xx, timeouts, throttling). */
  failNext(kind: 'server-error' | 'throttle', count: number): void
  /** API requests served so far (to prove idempotent retries wrote once). */
  writes(): number
}
