import { type ContractFake, runProviderContract } from '@hub/testkit/contract'
import { fakeWooContract } from '@hub/testkit/woocommerce'
import { woocommerce } from '../src/woocommerce-adapter.js'
import { normalizeStoreUrl } from '../src/woocommerce-url.js'

let throttles = 0

/**
 * Store requests go through the fake; a pending throttle answers 429 first. The fake's own 429
 * carries `Retry-After: 1`, which the client honours (the engine waits a full second), longer
 * than the suite's drain window; a host answering `Retry-After: 0` is just as real.
 */
const throttlingFetch: typeof fetch = async (input, init) => {
  if (throttles > 0) {
    throttles--
    return new Response('<html><body><h1>429</h1></body></html>', {
      status: 429,
      headers: { 'content-type': 'text/html', 'retry-after': '0' },
    })
  }
  return fetch(input, init)
}

/**
 * The testkit bridge, with the connection's account id in the normalized form a host stores
 * (what `validateStoreUrl` returns and `X-WC-Webhook-Source` carries: trailing slash).
 */
function bridge(): ContractFake {
  const fake = fakeWooContract()
  return {
    ...fake,
    async connection() {
      const connection = await fake.connection()
      return { ...connection, externalAccountId: normalizeStoreUrl(connection.externalAccountId) }
    },
    async reset() {
      throttles = 0
      await fake.reset()
    },
    failNext(kind, count) {
      if (kind === 'throttle') throttles += count
      else fake.failNext(kind, count)
    },
  }
}

runProviderContract(woocommerce({ fetch: throttlingFetch }), bridge())
