import { randomUUID } from 'node:crypto'
import {
  type Approval,
  type NormalizedProduct,
  NotFoundError,
  PermanentError,
  type ProductSubmission,
} from '@hub/core'
import type { SqlDriver, SqlExecutor } from '@hub/store-postgres'
import {
  parseProduct,
  productJson,
  type RequestRow,
  type RequestStatus,
  requireText,
  toRequest,
  type VariantRow,
} from './marketplace-rows.js'

/**
 * Insert a product request, or return the one already recorded under `(seller, idempotencyKey)`.
 * One statement: concurrent submissions of one key converge on one row. A pending request takes
 * the newer product content; a decided one keeps what was reviewed.
 */
export async function submitRequest(
  db: SqlExecutor,
  s: string,
  sellerId: string,
  input: { connectionId: string; product: unknown; idempotencyKey: string },
): Promise<ProductSubmission> {
  const connectionId = requireText(input?.connectionId, 'connectionId')
  const key = requireText(input?.idempotencyKey, 'idempotencyKey')
  const product = parseProduct(input?.product)
  const [row] = await db.query<RequestRow>(
    `INSERT INTO ${s}.product_requests (id, seller_id, connection_id, idempotency_key, product)
     VALUES ($1, $2, $3, $4, $5::jsonb)
     ON CONFLICT (seller_id, idempotency_key) DO UPDATE
       SET product = CASE WHEN ${s}.product_requests.status = 'pending'
                          THEN EXCLUDED.product ELSE ${s}.product_requests.product END,
           updated_at = now()
     RETURNING *`,
    [`req_${randomUUID()}`, sellerId, connectionId, key, productJson(product)],
  )
  return submissionOf(db, s, sellerId, row!)
}

/** The submission as the hub sees it: ids of the product and its inventory items once approved. */
export async function submissionOf(
  db: SqlExecutor,
  s: string,
  sellerId: string,
  row: RequestRow,
): Promise<ProductSubmission> {
  if (row.status !== 'approved' || !row.product_id) return { ref: row.id, status: row.status }
  return { status: 'approved', ...(await approvalIds(db, s, sellerId, row.id, row.product_id)) }
}

async function approvalIds(
  db: SqlExecutor,
  s: string,
  sellerId: string,
  ref: string,
  productId: string,
): Promise<Approval> {
  const links = await db.query<{ external_inventory_item_id: string; variant_id: string }>(
    `SELECT external_inventory_item_id, variant_id FROM ${s}.request_variants
      WHERE seller_id = $1 AND request_id = $2 ORDER BY external_inventory_item_id`,
    [sellerId, ref],
  )
  if (links.length > 0) {
    return {
      ref,
      productId,
      inventoryItems: Object.fromEntries(links.map((l) => [l.external_inventory_item_id, l.variant_id])),
    }
  }
  // Requests approved before `request_variants` existed: their product's own variants.
  const variants = await db.query<Pick<VariantRow, 'id' | 'external_inventory_item_id'>>(
    `SELECT id, external_inventory_item_id FROM ${s}.variants
      WHERE seller_id = $1 AND product_id = $2 AND manage_inventory ORDER BY id`,
    [sellerId, productId],
  )
  return {
    ref,
    productId,
    inventoryItems: Object.fromEntries(variants.map((v) => [v.external_inventory_item_id, v.id])),
  }
}

/**
 * The approved product a request is the same goods as: every managed variant has a SKU, each SKU
 * names exactly one managed variant of the seller, all of one product, and that product came from
 * another connection (a store never shares stock with itself). Returns SKU → variant id, or null.
 */
async function findTwin(
  db: SqlExecutor,
  s: string,
  sellerId: string,
  connectionId: string,
  product: NormalizedProduct,
): Promise<{ productId: string; variantBySku: Map<string, string> } | null> {
  const managed = product.variants.filter((v) => v.manageInventory)
  const skus = managed.map((v) => v.sku)
  if (managed.length === 0 || skus.some((sku) => !sku) || new Set(skus).size !== skus.length) return null
  const rows = await db.query<{ id: string; product_id: string; sku: string; connection_id: string }>(
    `SELECT v.id, v.product_id, v.sku, r.connection_id
       FROM ${s}.variants v
       JOIN ${s}.products p ON p.id = v.product_id AND p.seller_id = v.seller_id
       JOIN ${s}.product_requests r ON r.id = p.request_id AND r.seller_id = p.seller_id
      WHERE v.seller_id = $1 AND v.manage_inventory AND v.sku = ANY($2::text[])`,
    [sellerId, skus],
  )
  const productIds = new Set(rows.map((r) => r.product_id))
  const [productId] = productIds
  if (rows.length !== skus.length || productIds.size !== 1 || productId === undefined) return null
  if (rows.some((r) => r.connection_id === connectionId)) return null
  const linked = await db.query(
    `SELECT 1 FROM ${s}.request_variants rv
       JOIN ${s}.product_requests r ON r.id = rv.request_id AND r.seller_id = rv.seller_id
      WHERE rv.seller_id = $1 AND rv.variant_id = ANY($2::text[]) AND r.connection_id = $3 LIMIT 1`,
    [sellerId, rows.map((r) => r.id), connectionId],
  )
  if (linked.length > 0) return null
  return { productId, variantBySku: new Map(rows.map((r) => [r.sku, r.id])) }
}

async function linkVariant(
  db: SqlExecutor,
  s: string,
  sellerId: string,
  ref: string,
  external: string,
  variantId: string,
) {
  await db.query(
    `INSERT INTO ${s}.request_variants (seller_id, request_id, external_inventory_item_id, variant_id)
     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
    [sellerId, ref, external, variantId],
  )
}

/** A request of the seller, or `null`. */
export async function findRequest(
  db: SqlExecutor,
  s: string,
  sellerId: string,
  ref: string,
  lock = false,
): Promise<RequestRow | null> {
  const [row] = await db.query<RequestRow>(
    `SELECT * FROM ${s}.product_requests WHERE seller_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`,
    [sellerId, ref],
  )
  return row ?? null
}

/**
 * Approve a pending request in one transaction. When the request is the same goods as a product
 * already approved from another store (every managed variant's SKU matches one of its variants),
 * it is linked to that product: its external inventory items map onto the existing variants, so
 * one marketplace stock is kept equal with both stores. Otherwise a product and one variant per
 * normalized variant are created (managed ones start with the imported quantity). Approvals of
 * one seller are serialized, so two twins approved at once cannot both create a product.
 * Approving again returns the same ids; a rejected request cannot be approved.
 */
export async function approveRequest(driver: SqlDriver, s: string, sellerId: string, ref: string) {
  requireText(ref, 'ref')
  return driver.transaction(async (tx): Promise<Approval> => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`hub-example-approve:${s}:${sellerId}`])
    const row = await findRequest(tx, s, sellerId, ref, true)
    if (!row) throw new NotFoundError('product request', ref)
    if (row.status === 'rejected') {
      throw new PermanentError('REQUEST_REJECTED', `product request ${ref} was rejected`)
    }
    if (row.status === 'approved' && row.product_id) {
      return approvalIds(tx, s, sellerId, ref, row.product_id)
    }
    const product = parseProduct(row.product)
    const twin = await findTwin(tx, s, sellerId, row.connection_id, product)
    let productId: string
    if (twin) {
      productId = twin.productId
      for (const v of product.variants) {
        const variantId = v.manageInventory && v.sku ? twin.variantBySku.get(v.sku) : undefined
        if (variantId) await linkVariant(tx, s, sellerId, ref, v.inventoryItemId, variantId)
      }
    } else {
      productId = `prod_${randomUUID()}`
      await tx.query(
        `INSERT INTO ${s}.products (id, seller_id, request_id, title, content) VALUES ($1, $2, $3, $4, $5::jsonb)`,
        [productId, sellerId, ref, product.title, productJson(product)],
      )
      for (const v of product.variants) {
        const variantId = `inv_${randomUUID()}`
        await tx.query(
          `INSERT INTO ${s}.variants (id, seller_id, product_id, external_variant_id, external_inventory_item_id,
             sku, title, price, manage_inventory, quantity)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [
            variantId,
            sellerId,
            productId,
            v.externalId,
            v.inventoryItemId,
            v.sku,
            v.title,
            v.price,
            v.manageInventory,
            v.quantity ?? 0,
          ],
        )
        if (v.manageInventory) await linkVariant(tx, s, sellerId, ref, v.inventoryItemId, variantId)
      }
    }
    await tx.query(
      `UPDATE ${s}.product_requests SET status = 'approved', product_id = $3, decided_at = now(), updated_at = now()
        WHERE seller_id = $1 AND id = $2`,
      [sellerId, ref, productId],
    )
    return approvalIds(tx, s, sellerId, ref, productId)
  })
}

/** Reject a pending request (rejecting twice is a no-op; an approved request cannot be rejected). */
export async function rejectRequest(
  driver: SqlDriver,
  s: string,
  sellerId: string,
  ref: string,
  reason: string | null,
) {
  requireText(ref, 'ref')
  return driver.transaction(async (tx) => {
    const row = await findRequest(tx, s, sellerId, ref, true)
    if (!row) throw new NotFoundError('product request', ref)
    if (row.status === 'approved') {
      throw new PermanentError('REQUEST_APPROVED', `product request ${ref} is already approved`)
    }
    if (row.status === 'rejected') return toRequest(row)
    const [updated] = await tx.query<RequestRow>(
      `UPDATE ${s}.product_requests SET status = 'rejected', reason = $3, decided_at = now(), updated_at = now()
        WHERE seller_id = $1 AND id = $2 RETURNING *`,
      [sellerId, ref, reason],
    )
    return toRequest(updated!)
  })
}

/** The seller's requests, oldest first, optionally by status. */
export async function listRequests(
  db: SqlExecutor,
  s: string,
  sellerId: string,
  filter: { status?: RequestStatus; limit?: number } = {},
) {
  const rows = await db.query<RequestRow>(
    `SELECT * FROM ${s}.product_requests
      WHERE seller_id = $1 AND ($2::text IS NULL OR status = $2)
      ORDER BY created_at, id LIMIT $3`,
    [sellerId, filter.status ?? null, Math.min(Math.max(filter.limit ?? 100, 1), 1000)],
  )
  return rows.map(toRequest)
}

/** How many requests the seller has, optionally of one status (import progress, dashboards). */
export async function countRequests(
  db: SqlExecutor,
  s: string,
  sellerId: string,
  status: RequestStatus | null,
) {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${s}.product_requests WHERE seller_id = $1 AND ($2::text IS NULL OR status = $2)`,
    [sellerId, status],
  )
  return row?.n ?? 0
}
