/**
 * `@hub/testkit/conformance`: the shared test suite every `HubStore` implementation runs.
 *
 * @packageDocumentation
 */
export {
  type ConformanceContext,
  type DefineTest,
  runStoreConformance,
  type StoreConformanceOptions,
  type StoreRawReaders,
} from './store-conformance.js'
export { Seed, type Tenant } from './store-seed.js'
export { STORE_CONFORMANCE_TESTS, type StoreConformanceTestId } from './store-tests.js'
