/**
 * `@hub/shopify`: the Shopify provider of Commerce Hub — GraphQL Admin client, OAuth, webhooks,
 * normalizers and inventory, built only on the ports of `@hub/core`.
 *
 * @packageDocumentation
 */
export * from './shopify-adapter.js'
export * from './shopify-auth.js'
export * from './shopify-auth-state.js'
export * from './shopify-bulk.js'
export * from './shopify-catalog.js'
export * from './shopify-client.js'
export * from './shopify-cost-pacer.js'
export * from './shopify-errors.js'
export * from './shopify-ids.js'
export * from './shopify-inventory.js'
export * from './shopify-json.js'
export * from './shopify-normalizers.js'
export * from './shopify-operations.js'
export * from './shopify-shop-domain.js'
export * from './shopify-token-manager.js'
export * from './shopify-webhook-payloads.js'
export * from './shopify-webhook-registration.js'
export * from './shopify-webhooks.js'
