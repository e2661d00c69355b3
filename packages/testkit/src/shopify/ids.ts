/** Shopify resource types the fake hands out ids for. */
export type GidType =
  | 'Product'
  | 'ProductVariant'
  | 'ProductOption'
  | 'ProductOptionValue'
  | 'MediaImage'
  | 'InventoryItem'
  | 'Location'
  | 'Order'
  | 'LineItem'
  | 'BulkOperation'
  | 'WebhookSubscription'
  | 'InventoryAdjustmentGroup'
  | 'Shop'

/** `gid://shopify/{type}/{id}`; ids are decimal strings so values above 2^53 stay exact. */
export function gid(type: GidType | 'InventoryLevel', id: string): string {
  return `gid://shopify/${type}/${id}`
}

/** The InventoryLevel GID quirk: `gid://shopify/InventoryLevel/{locationId}?inventory_item_id={itemId}`. */
export function inventoryLevelGid(inventoryItemId: string, locationId: string): string {
  return `gid://shopify/InventoryLevel/${locationId}?inventory_item_id=${inventoryItemId}`
}

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/(\d+)(\?.*)?$/

/** Parses a GID of the expected type; returns the numeric id as a string, or undefined when it does not match. */
export function parseGid(value: unknown, type: string): string | undefined {
  if (typeof value !== 'string') return undefined
  const match = GID.exec(value)
  if (!match || match[1] !== type) return undefined
  return match[2]
}

/** Parses an InventoryLevel GID into its location and inventory item ids. */
export function parseInventoryLevelGid(
  value: unknown,
): { locationId: string; inventoryItemId: string } | undefined {
  if (typeof value !== 'string') return undefined
  const match = /^gid:\/\/shopify\/InventoryLevel\/(\d+)\?inventory_item_id=(\d+)$/.exec(value)
  if (!match?.[1] || !match[2]) return undefined
  return { locationId: match[1], inventoryItemId: match[2] }
}

/** Hands out increasing numeric ids (as decimal strings) from a bigint start. */
export class IdSequence {
  #next: bigint
  constructor(start: bigint) {
    this.#next = start
  }
  /** The next id. */
  next(): string {
    const id = this.#next
    this.#next += 1n
    return id.toString()
  }
}
