import { type Json, type JsonObject, NotFoundError, PermanentError } from '@hub/core'
import type { SqlDriver, SqlExecutor } from '@hub/store-postgres'
import {
  type LedgerRow,
  type MarketplaceProduct,
  type ProductRow,
  requireText,
  toLedgerEntry,
  toProduct,
  toVariant,
  type VariantRow,
} from './marketplace-rows.js'

/** An approved product of the seller with its variants, or `null`. */
export async function getProduct(
  db: SqlExecutor,
  s: string,
  sellerId: string,
  productId: string,
): Promise<MarketplaceProduct | null> {
  const [row] = await db.query<ProductRow>(`SELECT * FROM ${s}.products WHERE seller_id = $1 AND id = $2`, [
    sellerId,
    productId,
  ])
  if (!row) return null
  const variants = await db.query<VariantRow>(
    `SELECT * FROM ${s}.variants WHERE seller_id = $1 AND product_id = $2 ORDER BY external_variant_id`,
    [sellerId, productId],
  )
  return toProduct(row, variants)
}

/** One inventory item (variant) of the seller, or `null`. */
export async function getVariant(db: SqlExecutor, s: string, sellerId: string, id: string) {
  const [row] = await db.query<VariantRow>(`SELECT * FROM ${s}.variants WHERE seller_id = $1 AND id = $2`, [
    sellerId,
    id,
  ])
  return row ? toVariant(row) : null
}

/** The ledger of one inventory item, oldest first. */
export async function listAdjustments(db: SqlExecutor, s: string, sellerId: string, inventoryItemId: string) {
  const rows = await db.query<LedgerRow>(
    `SELECT idempotency_key, inventory_item_id, delta, reason, quantity_after, created_at
       FROM ${s}.inventory_adjustments WHERE seller_id = $1 AND inventory_item_id = $2 ORDER BY id`,
    [sellerId, inventoryItemId],
  )
  return rows.map(toLedgerEntry)
}

const VARIANT_FIELD = /^variants\.(.+)$/

/**
 * Apply accepted conflict fields (as `productContent` names them: `title`, `tags`, …, and
 * `variants.<externalId>` objects) to an approved product, in one transaction. Top-level fields
 * go into the stored content; a variant field updates that variant's sku, title and price.
 */
export async function updateProduct(
  driver: SqlDriver,
  s: string,
  sellerId: string,
  productId: string,
  fields: Record<string, unknown>,
): Promise<void> {
  requireText(productId, 'productId')
  if (!fields || typeof fields !== 'object')
    throw new PermanentError('ARGUMENT_INVALID', 'fields must be an object')
  await driver.transaction(async (tx) => {
    const [row] = await tx.query<ProductRow>(
      `SELECT * FROM ${s}.products WHERE seller_id = $1 AND id = $2 FOR UPDATE`,
      [sellerId, productId],
    )
    if (!row) throw new NotFoundError('product', productId)
    const content: JsonObject = { ...row.content }
    const variants = Array.isArray(content.variants) ? [...(content.variants as JsonObject[])] : []
    for (const [field, value] of Object.entries(fields)) {
      const variantId = VARIANT_FIELD.exec(field)?.[1]
      if (!variantId) {
        content[field] = toJson(value)
        continue
      }
      if (!value || typeof value !== 'object') continue // removed on their side: keep ours
      const patch = value as { sku?: unknown; title?: unknown; price?: unknown }
      const index = variants.findIndex((v) => v.externalId === variantId)
      if (index >= 0) variants[index] = { ...variants[index], ...(toJson(value) as JsonObject) }
      await tx.query(
        `UPDATE ${s}.variants
            SET sku = COALESCE($4, sku), title = COALESCE($5, title), price = COALESCE($6, price), updated_at = now()
          WHERE seller_id = $1 AND product_id = $2 AND external_variant_id = $3`,
        [
          sellerId,
          productId,
          variantId,
          typeof patch.sku === 'string' ? patch.sku : null,
          typeof patch.title === 'string' ? patch.title : null,
          typeof patch.price === 'string' ? patch.price : null,
        ],
      )
    }
    content.variants = variants
    const title = typeof content.title === 'string' && content.title ? content.title : row.title
    await tx.query(
      `UPDATE ${s}.products SET title = $3, content = $4::jsonb, updated_at = now() WHERE seller_id = $1 AND id = $2`,
      [sellerId, productId, title, JSON.stringify(content)],
    )
  })
}

function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null)) as Json
}
