import { type InventoryAdjustment, NotFoundError, PermanentError } from '@hub/core'
import type { SqlDriver, SqlExecutor } from '@hub/store-postgres'
import { type LedgerRow, requireText } from './marketplace-rows.js'

/** Options of {@link applyAdjustment}. */
export interface ApplyOptions {
  /** Refuse a change that would take the quantity below zero (a marketplace sale); the hub's changes never are. */
  refuseNegative?: boolean
}

/** Check an adjustment before any SQL runs: bad input is a typed error, never a database error. */
export function checkAdjustment(adjustment: InventoryAdjustment): InventoryAdjustment {
  if (!adjustment || typeof adjustment !== 'object') {
    throw new PermanentError('ADJUSTMENT_INVALID', 'an adjustment object is required')
  }
  requireText(adjustment.inventoryItemId, 'inventoryItemId')
  requireText(adjustment.idempotencyKey, 'idempotencyKey')
  if (!Number.isSafeInteger(adjustment.delta) || Math.abs(adjustment.delta) > 2 ** 31 - 1) {
    throw new PermanentError('ADJUSTMENT_INVALID', 'delta must be an integer')
  }
  return { ...adjustment, reason: typeof adjustment.reason === 'string' ? adjustment.reason : '' }
}

/**
 * Apply a delta at most once per `(seller, idempotencyKey)`, atomically: in one transaction the
 * inventory row is locked, the key is inserted into the ledger (`ON CONFLICT DO NOTHING`) and,
 * only when that insert happened, the quantity changes. A concurrent duplicate waits on the
 * row lock (or on the unique index), then finds the key recorded and changes nothing. A key
 * reused for a different change is a `PermanentError`: replaying it must not apply something else.
 */
export async function applyAdjustment(
  driver: SqlDriver,
  s: string,
  sellerId: string,
  input: InventoryAdjustment,
  options: ApplyOptions = {},
): Promise<{ quantity: number; applied: boolean }> {
  const adjustment = checkAdjustment(input)
  return driver.transaction(async (tx) => {
    const [item] = await tx.query<{ quantity: number }>(
      `SELECT quantity FROM ${s}.variants
        WHERE seller_id = $1 AND id = $2 AND manage_inventory
        FOR UPDATE`,
      [sellerId, adjustment.inventoryItemId],
    )
    if (!item) throw new NotFoundError('inventory item', adjustment.inventoryItemId)
    const after = item.quantity + adjustment.delta
    const inserted = await tx.query(
      `INSERT INTO ${s}.inventory_adjustments
         (seller_id, idempotency_key, inventory_item_id, delta, reason, quantity_after)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (seller_id, idempotency_key) DO NOTHING
       RETURNING id`,
      [
        sellerId,
        adjustment.idempotencyKey,
        adjustment.inventoryItemId,
        adjustment.delta,
        adjustment.reason,
        after,
      ],
    )
    if (inserted.length === 0) {
      await assertSameChange(tx, s, sellerId, adjustment)
      return { quantity: item.quantity, applied: false }
    }
    if (options.refuseNegative && after < 0) {
      // Throwing rolls the ledger row back with the transaction.
      throw new PermanentError(
        'INSUFFICIENT_STOCK',
        `inventory item ${adjustment.inventoryItemId} has ${item.quantity}, cannot take ${-adjustment.delta}`,
      )
    }
    await tx.query(
      `UPDATE ${s}.variants SET quantity = $3, updated_at = now() WHERE seller_id = $1 AND id = $2`,
      [sellerId, adjustment.inventoryItemId, after],
    )
    return { quantity: after, applied: true }
  })
}

async function assertSameChange(
  tx: SqlExecutor,
  s: string,
  sellerId: string,
  adjustment: InventoryAdjustment,
): Promise<void> {
  const [recorded] = await tx.query<Pick<LedgerRow, 'inventory_item_id' | 'delta'>>(
    `SELECT inventory_item_id, delta FROM ${s}.inventory_adjustments
      WHERE seller_id = $1 AND idempotency_key = $2`,
    [sellerId, adjustment.idempotencyKey],
  )
  if (
    !recorded ||
    recorded.delta !== adjustment.delta ||
    recorded.inventory_item_id !== adjustment.inventoryItemId
  ) {
    throw new PermanentError(
      'IDEMPOTENCY_MISMATCH',
      `idempotency key ${adjustment.idempotencyKey} was already used for another change`,
    )
  }
}
