/**
 * `@hub/core`: the provider-neutral sync engine of Commerce Hub.
 *
 * @packageDocumentation
 */

export type { Approval } from './catalog/approval.js'
export { PRODUCT } from './catalog/catalog-operations.js'
export * from './catalog/diff.js'
export * from './catalog/normalized-product.js'
export * from './domain/json.js'
export * from './domain/schemas.js'
export * from './engine/backoff.js'
export type { RetryPolicy } from './engine/deps.js'
export { CORE_OPERATIONS, createRegistry, type ProviderRegistry } from './engine/registry.js'
export type { Worker, WorkerOptions } from './engine/worker.js'
export * from './errors.js'
export * from './http/node-handler.js'
export * from './http/web-webhook-handler.js'
export * from './hub.js'
export type { IngestResult } from './ingest/webhook-ingest.js'
export { INVENTORY_ITEM } from './inventory/reconcile.js'
export * from './marketplace/memory-marketplace.js'
export * from './ports/index.js'
export * from './security/index.js'
export * from './store/memory-store.js'
export * from './util/stable-hash.js'
