import type { BulkOperations } from './bulk.js'
import type { PageMode } from './connection.js'
import type { IdempotencyStore } from './idempotency.js'
import type { ShopState } from './state.js'
import type { WebhookSubscriptions } from './webhook-subscriptions.js'

/** The shop's identity, as `shop { … }` and app/uninstalled report it. */
export interface ShopInfo {
  id: string
  domain: string
  name: string
  email: string
}

/** What every resolver gets: the state, the services, and how to page. */
export interface ResolverContext {
  state: ShopState
  shop: ShopInfo
  /** The API version the request was served with (after fall-forward). */
  apiVersion: string
  /** Origin URLs in answers are built from (the shop in MSW mode, the local server otherwise). */
  origin: string
  mode: PageMode
  /** The request's raw variables, to evaluate `@idempotent(key: $var)`. */
  variables: Record<string, unknown>
  bulk: BulkOperations
  subscriptions: WebhookSubscriptions
  idempotency: IdempotencyStore
}
