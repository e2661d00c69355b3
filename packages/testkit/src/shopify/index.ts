export {
  BULK_WINDOW,
  type BulkOperationRecord,
  type BulkStatus,
  type BulkTiming,
  MAX_CONCURRENT_BULK_QUERIES,
} from './bulk.js'
export { type FakeClock, type ManualClock, manualClock, systemClock } from './clock.js'
export type { ShopInfo } from './context.js'
export {
  calculateQueryCost,
  LeakyBucket,
  MUTATION_COST,
  SINGLE_QUERY_MAX_COST,
  type ThrottleStatus,
} from './cost.js'
export { createFakeShopify, type FakeFaults, FakeShopify, type FakeShopifyOptions } from './fake-shopify.js'
export type { CostExtension } from './graphql-endpoint.js'
export type { LocalServer } from './http-server.js'
export { IDEMPOTENT_MUTATIONS, IDEMPOTENT_REQUIRED_MESSAGE } from './idempotency.js'
export { gid, inventoryLevelGid, parseGid, parseInventoryLevelGid } from './ids.js'
export { INVENTORY_REASONS, STALE_MESSAGE } from './inventory-mutations.js'
export { type LosslessJson, losslessStringify } from './json-text.js'
export { ACCESS_TOKEN_TTL_S, REFRESH_TOKEN_TTL_S, signOAuthQuery, type TokenResponse } from './oauth.js'
export {
  loadAdminSchema,
  schemaFilePath,
  VENDORED_ADMIN_VERSIONS,
  type VendoredAdminVersion,
} from './schema-loader.js'
export { type NewProduct, QUANTITY_NAMES, type QuantityName, ShopState } from './state.js'
export {
  type Delivery,
  type DeliveryOutcome,
  MAX_WEBHOOK_RETRIES,
  signShopifyWebhook,
  type WebhookChaos,
  type WebhookTarget,
  type WebhookTransport,
} from './webhook-delivery.js'
