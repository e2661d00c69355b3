/** A parsed Shopify global id, e.g. `gid://shopify/InventoryLevel/24826418?inventory_item_id=271878346596884015`. */
export interface ShopifyGid {
  /** Resource type, e.g. `Product`, `InventoryLevel`. */
  type: string
  /** The id after the type: digits for most resources (kept as a string: may exceed 2^53). */
  id: string
  /** Query parameters of the GID (InventoryLevel GIDs carry `inventory_item_id`). */
  params: Record<string, string>
}

const GID = /^gid:\/\/shopify\/([A-Za-z]+)\/([^/?#\s]+)(?:\?([^#\s]*))?$/
const NUMERIC = /^[1-9]\d{0,19}$/

/** Parse a Shopify GID; `null` if the text is not one. Never throws. */
export function parseGid(text: unknown): ShopifyGid | null {
  if (typeof text !== 'string') return null
  const match = GID.exec(text)
  if (!match) return null
  const params: Record<string, string> = {}
  for (const [key, value] of new URLSearchParams(match[3] ?? '')) params[key] = value
  return { type: match[1] ?? '', id: match[2] ?? '', params }
}

/** `gid://shopify/{type}/{id}` for a numeric id (number or exact digit string). */
export function toGid(type: string, id: string | number): string {
  return `gid://shopify/${type}/${id}`
}

/**
 * The numeric id of a GID of the given type (`gid://shopify/Product/123` → `'123'`), or `null` when
 * the text is not such a GID. Use it to key mappings by the same numeric id webhooks carry.
 */
export function numericIdOf(gid: unknown, type: string): string | null {
  const parsed = parseGid(gid)
  return parsed && parsed.type === type && NUMERIC.test(parsed.id) ? parsed.id : null
}

/** Whether a string is a Shopify numeric resource id (positive, no leading zero, ≤ 20 digits). */
export function isNumericId(text: string): boolean {
  return NUMERIC.test(text)
}

/**
 * The InventoryItem id inside an InventoryLevel GID. Shopify's `inventory_levels/*` payloads carry
 * `gid://shopify/InventoryLevel/{n}?inventory_item_id={id}`; that GID is not accepted by
 * `inventoryItem(id:)`, so build `gid://shopify/InventoryItem/{id}` from the returned id instead.
 */
export function inventoryItemIdFromLevelGid(gid: unknown): string | null {
  const parsed = parseGid(gid)
  if (parsed?.type !== 'InventoryLevel') return null
  const id = parsed.params['inventory_item_id']
  return id !== undefined && NUMERIC.test(id) ? id : null
}
