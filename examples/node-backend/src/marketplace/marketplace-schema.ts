import type { SqlDriver } from '@hub/store-postgres'

/** Default PostgreSQL schema of the example marketplace's tables. */
export const DEFAULT_MARKETPLACE_SCHEMA = 'marketplace'

/**
 * The host's own catalog and stock, as plain SQL. Every table carries `seller_id` and every
 * query of the marketplace filters by it. A variant row is also the inventory item the hub sees
 * (its `id` is the `inventoryItemId` of the `MarketplacePort`).
 *
 * `request_variants` says which marketplace variant each approved request's external inventory
 * item became: a variant it created, or (the same goods on another store, matched by SKU) a
 * variant that already existed.
 *
 * `inventory_adjustments` is the ledger that makes `adjustInventory` idempotent: the UNIQUE
 * `(seller_id, idempotency_key)` lets a key be recorded once, in the same transaction as the
 * quantity change it explains.
 */
export function marketplaceSql(schema: string): string {
  const s = `"${schema}"`
  return `
CREATE SCHEMA IF NOT EXISTS ${s};

CREATE TABLE IF NOT EXISTS ${s}.product_requests (
  id text PRIMARY KEY,
  seller_id text NOT NULL,
  connection_id text NOT NULL,
  idempotency_key text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
  product jsonb NOT NULL,
  product_id text,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  UNIQUE (seller_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS product_requests_seller_status_idx
  ON ${s}.product_requests (seller_id, status, created_at);

CREATE TABLE IF NOT EXISTS ${s}.products (
  id text PRIMARY KEY,
  seller_id text NOT NULL,
  request_id text NOT NULL UNIQUE REFERENCES ${s}.product_requests (id),
  title text NOT NULL,
  content jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS products_seller_idx ON ${s}.products (seller_id, created_at);

CREATE TABLE IF NOT EXISTS ${s}.variants (
  id text PRIMARY KEY,
  seller_id text NOT NULL,
  product_id text NOT NULL REFERENCES ${s}.products (id),
  external_variant_id text NOT NULL,
  external_inventory_item_id text NOT NULL,
  sku text,
  title text NOT NULL,
  price text NOT NULL,
  manage_inventory boolean NOT NULL,
  quantity integer NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (product_id, external_variant_id)
);
CREATE INDEX IF NOT EXISTS variants_seller_product_idx ON ${s}.variants (seller_id, product_id);

CREATE INDEX IF NOT EXISTS variants_seller_sku_idx ON ${s}.variants (seller_id, sku);

CREATE TABLE IF NOT EXISTS ${s}.request_variants (
  seller_id text NOT NULL,
  request_id text NOT NULL REFERENCES ${s}.product_requests (id),
  external_inventory_item_id text NOT NULL,
  variant_id text NOT NULL REFERENCES ${s}.variants (id),
  PRIMARY KEY (seller_id, request_id, external_inventory_item_id)
);

CREATE TABLE IF NOT EXISTS ${s}.inventory_adjustments (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  seller_id text NOT NULL,
  idempotency_key text NOT NULL,
  inventory_item_id text NOT NULL REFERENCES ${s}.variants (id),
  delta integer NOT NULL,
  reason text NOT NULL,
  quantity_after integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (seller_id, idempotency_key)
);
CREATE INDEX IF NOT EXISTS inventory_adjustments_item_idx
  ON ${s}.inventory_adjustments (seller_id, inventory_item_id, id);
`
}

/**
 * Create the tables if they are missing, under a transaction-scoped advisory lock so processes
 * starting together do not race on `CREATE … IF NOT EXISTS`.
 */
export async function migrateMarketplace(driver: SqlDriver, schema: string): Promise<void> {
  await driver.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`hub-example-marketplace:${schema}`])
    await tx.exec(marketplaceSql(schema))
  })
}
