import {
  type Approval,
  MARKETPLACE_SPEC_VERSION,
  type MarketplacePort,
  NotFoundError,
  PermanentError,
  type ProductSubmission,
  type Scope,
} from '@hub/core'
import { checkSchemaName, type SqlDriver } from '@hub/store-postgres'
import { applyAdjustment } from './inventory-ledger.js'
import {
  type LedgerEntry,
  type MarketplaceProduct,
  type MarketplaceVariant,
  type ProductRequest,
  type RequestStatus,
  requireText,
  sellerOf,
  toRequest,
} from './marketplace-rows.js'
import { DEFAULT_MARKETPLACE_SCHEMA, migrateMarketplace } from './marketplace-schema.js'
import {
  approveRequest,
  countRequests,
  findRequest,
  listRequests,
  rejectRequest,
  submissionOf,
  submitRequest,
} from './product-requests.js'
import { getProduct, getVariant, listAdjustments, updateProduct } from './products.js'

/** Options of {@link sqlMarketplace}. */
export interface SqlMarketplaceOptions {
  /** Where the SQL runs: usually the hub store's own driver (`store.driver`), so both share one database. */
  driver: SqlDriver
  /** PostgreSQL schema of the tables. Default `marketplace`. */
  schema?: string
  /** Create the tables before the first query. Default `true`. */
  autoMigrate?: boolean
}

/** A sale made on the marketplace itself. */
export interface Sale {
  inventoryItemId: string
  quantity: number
  /** The order it belongs to: selling one order twice changes nothing. */
  orderId: string
}

/** The host's marketplace: the {@link MarketplacePort} plus the actions its admins and buyers take. */
export interface SqlMarketplace extends MarketplacePort {
  readonly schema: string
  getSubmission(scope: Scope, ref: string): Promise<ProductSubmission | null>
  updateProduct(scope: Scope, productId: string, fields: Record<string, unknown>): Promise<void>
  /** Create the tables if missing (safe from many processes at once). */
  migrate(): Promise<void>
  /**
   * An admin approves a request: the product and its inventory items exist from now on, created,
   * or linked by SKU to the same goods already approved from another store. Idempotent.
   */
  approve(scope: Scope, ref: string): Promise<Approval>
  /** An admin rejects a pending request. */
  reject(scope: Scope, ref: string, reason?: string | null): Promise<ProductRequest>
  /**
   * A buyer's order: take `quantity` units, at most once per `(orderId, inventoryItemId)`.
   * Refuses to sell more than is in stock (`INSUFFICIENT_STOCK`).
   */
  sell(scope: Scope, sale: Sale): Promise<{ quantity: number; applied: boolean }>
  getRequest(scope: Scope, ref: string): Promise<ProductRequest | null>
  listRequests(scope: Scope, filter?: { status?: RequestStatus; limit?: number }): Promise<ProductRequest[]>
  /** How many requests the seller has (of one status when given). */
  countRequests(scope: Scope, status?: RequestStatus): Promise<number>
  getProduct(scope: Scope, productId: string): Promise<MarketplaceProduct | null>
  getInventoryItem(scope: Scope, inventoryItemId: string): Promise<MarketplaceVariant | null>
  /** Every change applied to an inventory item, oldest first (to explain a quantity). */
  ledger(scope: Scope, inventoryItemId: string): Promise<LedgerEntry[]>
}

/**
 * A {@link MarketplacePort} on the host's own SQL tables (see `marketplace-schema.ts`), on the
 * same database as the hub store. Submissions become product requests that wait for
 * {@link SqlMarketplace.approve}; inventory changes go through an idempotency ledger.
 *
 * @example
 * const store = pgliteStore()
 * const marketplace = sqlMarketplace({ driver: store.driver })
 */
export function sqlMarketplace(options: SqlMarketplaceOptions): SqlMarketplace {
  const { driver } = options
  const schema = checkSchemaName(options.schema ?? DEFAULT_MARKETPLACE_SCHEMA)
  const s = `"${schema}"`
  let migrated: Promise<void> | null = null
  const migrate = () => {
    migrated ??= migrateMarketplace(driver, schema).catch((error: unknown) => {
      migrated = null
      throw error
    })
    return migrated
  }
  const ready = options.autoMigrate === false ? () => Promise.resolve() : migrate

  return {
    specificationVersion: MARKETPLACE_SPEC_VERSION,
    schema,
    migrate,
    async submitProduct(scope, input) {
      const seller = sellerOf(scope)
      await ready()
      return submitRequest(driver, s, seller, input)
    },
    async getSubmission(scope, ref) {
      const seller = sellerOf(scope)
      await ready()
      const row = await findRequest(driver, s, seller, requireText(ref, 'ref'))
      return row ? submissionOf(driver, s, seller, row) : null
    },
    async updateProduct(scope, productId, fields) {
      const seller = sellerOf(scope)
      await ready()
      await updateProduct(driver, s, seller, productId, fields)
    },
    async getInventory(scope, inventoryItemId) {
      const seller = sellerOf(scope)
      await ready()
      const variant = await getVariant(driver, s, seller, requireText(inventoryItemId, 'inventoryItemId'))
      if (!variant?.manageInventory) throw new NotFoundError('inventory item', inventoryItemId)
      return { quantity: variant.quantity }
    },
    async adjustInventory(scope, adjustment) {
      const seller = sellerOf(scope)
      await ready()
      return applyAdjustment(driver, s, seller, adjustment)
    },
    async approve(scope, ref) {
      const seller = sellerOf(scope)
      await ready()
      return approveRequest(driver, s, seller, ref)
    },
    async reject(scope, ref, reason = null) {
      const seller = sellerOf(scope)
      await ready()
      return rejectRequest(driver, s, seller, ref, reason)
    },
    async sell(scope, sale) {
      const seller = sellerOf(scope)
      if (!sale || !Number.isSafeInteger(sale.quantity) || sale.quantity <= 0) {
        throw new PermanentError('SALE_INVALID', 'quantity must be a positive integer')
      }
      const orderId = requireText(sale.orderId, 'orderId')
      await ready()
      return applyAdjustment(
        driver,
        s,
        seller,
        {
          inventoryItemId: sale.inventoryItemId,
          delta: -sale.quantity,
          idempotencyKey: `sale:${orderId}:${sale.inventoryItemId}`,
          reason: `marketplace order ${orderId}`,
        },
        { refuseNegative: true },
      )
    },
    async getRequest(scope, ref) {
      const seller = sellerOf(scope)
      await ready()
      const row = await findRequest(driver, s, seller, requireText(ref, 'ref'))
      return row ? toRequest(row) : null
    },
    async listRequests(scope, filter) {
      const seller = sellerOf(scope)
      await ready()
      return listRequests(driver, s, seller, filter)
    },
    async countRequests(scope, status) {
      const seller = sellerOf(scope)
      await ready()
      return countRequests(driver, s, seller, status ?? null)
    },
    async getProduct(scope, productId) {
      const seller = sellerOf(scope)
      await ready()
      return getProduct(driver, s, seller, requireText(productId, 'productId'))
    },
    async getInventoryItem(scope, inventoryItemId) {
      const seller = sellerOf(scope)
      await ready()
      return getVariant(driver, s, seller, requireText(inventoryItemId, 'inventoryItemId'))
    },
    async ledger(scope, inventoryItemId) {
      const seller = sellerOf(scope)
      await ready()
      return listAdjustments(driver, s, seller, requireText(inventoryItemId, 'inventoryItemId'))
    },
  }
}
