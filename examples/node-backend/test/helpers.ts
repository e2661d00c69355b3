import { randomBytes } from 'node:crypto'
import { type NormalizedProduct, type NormalizedProductInput, normalizedProductSchema } from '@hub/core'
import { pgDriver, pgliteStore, type SqlDriver } from '@hub/store-postgres'
import { type SqlMarketplace, sqlMarketplace } from '../src/marketplace/index.js'

/** Real PostgreSQL for the suites that need it; unset → those suites skip with a reason. */
export const DATABASE_URL = process.env.DATABASE_URL

/** Why the PostgreSQL suites are skipped. */
export const NO_DATABASE = 'skipped: DATABASE_URL is not set (CI sets it to the local PostgreSQL)'

/** A fresh schema name, so every test gets its own tables. */
export function randomSchema(prefix = 'mkt_t'): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`
}

/** A database the marketplace tests run on: one driver per suite, one schema per marketplace. */
export interface TestDatabase {
  name: string
  driver(): SqlDriver
  close(): Promise<void>
}

/** PGlite in memory, through the store's own driver (exactly what the app uses by default). */
export function pgliteDatabase(): TestDatabase {
  const store = pgliteStore({ schema: randomSchema('hub_t') })
  return { name: 'PGlite', driver: () => store.driver, close: () => store.close() }
}

/** Real PostgreSQL (`DATABASE_URL`) through a `pg` pool large enough for true concurrency. */
export function postgresDatabase(url: string): TestDatabase {
  const driver = pgDriver({ connectionString: url, max: 16 })
  return { name: 'PostgreSQL (DATABASE_URL)', driver: () => driver, close: () => driver.close() }
}

/** A migrated marketplace in a fresh schema, and a function dropping that schema again. */
export async function freshMarketplace(
  db: TestDatabase,
): Promise<{ marketplace: SqlMarketplace; drop(): Promise<void> }> {
  const schema = randomSchema()
  const marketplace = sqlMarketplace({ driver: db.driver(), schema })
  await marketplace.migrate()
  return {
    marketplace,
    drop: () => db.driver().exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`),
  }
}

/** A normalized product with one managed variant per inventory item id given. */
export function product(
  externalId: string,
  items: Record<string, number>,
  overrides: Partial<NormalizedProductInput> = {},
): NormalizedProduct {
  return normalizedProductSchema.parse({
    externalId,
    title: `Product ${externalId}`,
    variants: Object.entries(items).map(([inventoryItemId, quantity], i) => ({
      externalId: `${externalId}-v${i + 1}`,
      inventoryItemId,
      sku: `${externalId}-${i + 1}`,
      title: `Variant ${i + 1}`,
      price: '10.00',
      quantity,
    })),
    ...overrides,
  })
}
