/**
 * Serial key of inventory work: all work on one marketplace inventory item, across every
 * connection, shares it, so reconciles of one item never overlap. Before the item is linked the
 * key is per external item.
 */
export function inventorySerialKey(
  sellerId: string,
  internalId: string | null,
  connectionId: string,
  externalId: string,
) {
  return internalId ? `inv:${sellerId}:${internalId}` : `inv-ext:${connectionId}:${externalId}`
}
