/**
 * `@hub/core`: the provider-neutral sync engine of Commerce Hub.
 *
 * @packageDocumentation
 */
export * from './catalog/normalized-product.js'
export * from './domain/json.js'
export * from './domain/schemas.js'
export * from './errors.js'
export * from './ports/index.js'
