export type {
  LedgerEntry,
  MarketplaceProduct,
  MarketplaceVariant,
  ProductRequest,
  RequestStatus,
} from './marketplace-rows.js'
export { DEFAULT_MARKETPLACE_SCHEMA, marketplaceSql, migrateMarketplace } from './marketplace-schema.js'
export * from './sql-marketplace.js'
