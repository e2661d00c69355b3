import { describe, expect, it } from 'vitest'
import * as woo from '../src/index.js'

describe('@hub/woocommerce public API', () => {
  it('exports the building blocks', () => {
    for (const name of [
      'createWooClient',
      'buildAuthorizeUrl',
      'createWcAuthCallbackHandler',
      'validateStoreUrl',
      'parseStoreUrl',
      'signOAuth1Url',
      'createWooWebhooks',
      'ensureWebhooks',
      'normalizeProduct',
      'WooRequestError',
      'WooRetryableError',
      'WooUrlError',
    ]) {
      expect(typeof (woo as Record<string, unknown>)[name], name).toBe('function')
    }
  })
})
