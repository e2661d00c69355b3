import { type ContractFake, runProviderContract } from '@hub/testkit/contract'
import { fakeWooContract } from '@hub/testkit/woocommerce'
import { woocommerce } from '../src/woocommerce-adapter.js'

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
 * The testkit bridge as it is (the adapter's `normalizeAccountId` gives the connection the
 * store URL in the form `X-WC-Webhook-Source` carries), with throttling on top.
 */
function bridge(): ContractFake {
  const fake = fakeWooContract()
  return {
    ...fake,
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
