import type { Rng } from './rng.js'
import type { World } from './world.js'

/**
 * Inject one random HTTP fault into a store, through the fakes' own switches (or the test's
 * lost-answer switch for WooCommerce). Returns the fault's name for the summary.
 */
export function injectFault(world: World, rng: Rng): string {
  switch (rng.int(7)) {
    case 0:
      world.shopify.faults.failNext(rng.between(1, 2), 503)
      return 'shopify 503'
    case 1:
      world.shopify.faults.loseNextResponses(1)
      return 'shopify lost answer (504 after the write ran)'
    case 2:
      world.shopify.bucket.set(0)
      return 'shopify bucket emptied'
    case 3:
      world.shopify.faults.failNext(1, 429)
      return 'shopify 429'
    case 4:
      world.woo.failNext(rng.between(1, 2), 500)
      return 'woo 500'
    case 5:
      world.woo.failNext(1, rng.chance(0.5) ? 429 : 503)
      return 'woo 429/503 with Retry-After'
    default:
      world.httpFaults.wooLostResponses += 1
      return 'woo lost answer (timeout after the write ran)'
  }
}
