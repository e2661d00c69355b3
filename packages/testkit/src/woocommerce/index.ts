export { type FakeWooContract, type FakeWooContractOptions, fakeWooContract } from './contract-bridge.js'
export { HOOKSHOT_USER_AGENT, type WooDeliveryRecord, type WooWebhookFaults } from './deliveries.js'
export {
  createFakeWoo,
  type FakeOrderInput,
  type FakeWoo,
  type FakeWooKey,
  type FakeWooOptions,
} from './fake-woo.js'
export type { LocalServer } from './node-bridge.js'
export { serveLocally } from './node-bridge.js'
export { phpJson } from './php-json.js'
export type { WooRequestLogEntry } from './request-log.js'
export { type SeededRandom, seededRandom } from './rng.js'
export type { SeedProductsOptions } from './seed.js'
export type { OAuth1Method } from './signing.js'
export { rawUrlEncode, signWooOAuth1Url, signWooWebhook, wooOAuth1Signature } from './signing.js'
export type { ProductPatch, WooTopic } from './state.js'
export { WooState } from './state.js'
export type {
  ApiKeyRecord,
  KeyPermissions,
  OrderRecord,
  OrderStatus,
  ProductRecord,
  StockStatus,
  WebhookRecord,
  WebhookStatus,
} from './types.js'
