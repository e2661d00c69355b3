import { randomUUID } from 'node:crypto'
import { type Approval, NotFoundError, PermanentError, type ProductSubmission } from '@hub/core'
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
 * Approve a pending request in one transaction: create the product and one variant per
 * normalized variant (managed ones start with the imported quantity), mark the request
 * approved. Approving again returns the same ids; a rejected request cannot be approved.
 */
export async function approveRequest(driver: SqlDriver, s: string, sellerId: string, ref: string) {
  requireText(ref, 'ref')
  return driver.transaction(async (tx): Promise<Approval> => {
    const row = await findRequest(tx, s, sellerId, ref, true)
    if (!row) throw new NotFoundError('product request', ref)
    if (row.status === 'rejected') {
      throw new PermanentError('REQUEST_REJECTED', `product request ${ref} was rejected`)
    }
    if (row.status === 'approved' && row.product_id) {
      return approvalIds(tx, s, sellerId, ref, row.product_id)
    }
    const product = parseProduct(row.product)
    const productId = `prod_${randomUUID()}`
    await tx.query(
      `INSERT INTO ${s}.products (id, seller_id, request_id, title, content) VALUES ($1, $2, $3, $4, $5::jsonb)`,
      [productId, sellerId, ref, product.title, productJson(product)],
    )
    for (const v of product.variants) {
      await tx.query(
        `INSERT INTO ${s}.variants (id, seller_id, product_id, external_variant_id, external_inventory_item_id,
           sku, title, price, manage_inventory, quantity)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          `inv_${randomUUID()}`,
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
