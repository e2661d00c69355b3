import { ConfigError } from '@hub/core'
import { describe, expect, it } from 'vitest'
import {
  createNonce,
  oauthBaseString,
  phpQueryParams,
  rfc3986,
  signOAuth1Url,
  type WooKeys,
} from '../src/woocommerce-oauth1.js'

// Vectors computed by an independent implementation of WooCommerce's check_oauth_signature
// (class-wc-rest-authentication.php): sort decoded names with strcmp, rawurlencode each name and
// value once, join with %3D / %26, HMAC with consumer_secret + "&", base64.
const fixtureKeys: WooKeys = { consumerKey: `ck_${'x'.repeat(40)}`, consumerSecret: `cs_${'x'.repeat(40)}` }
const recordedNonce = 'f2176b77c270dd2a6e73eff279945cfe'
const recordedTimestamp = 1795605669

describe('rfc3986', () => {
  it('encodes like PHP rawurlencode', () => {
    expect(rfc3986("it's ~ok*(!)")).toBe('it%27s%20~ok%2A%28%21%29')
    expect(rfc3986('a+b/c=d&é')).toBe('a%2Bb%2Fc%3Dd%26%C3%A9')
  })
})

describe('signOAuth1Url', () => {
  it('signs the recorded list request (HMAC-SHA256, query params)', () => {
    const url = signOAuth1Url({
      method: 'GET',
      url: 'http://127.0.0.1:8080/wp-json/wc/v3/products?per_page=2&page=1',
      keys: fixtureKeys,
      nonce: recordedNonce,
      timestamp: recordedTimestamp,
    })
    expect(url.searchParams.get('oauth_signature')).toBe('455hSiP7sn2RPWwPzEy8hq+Wr3bUVbaRBOF2TCtlPx0=')
    expect(url.searchParams.get('oauth_signature_method')).toBe('HMAC-SHA256')
    expect(url.searchParams.get('oauth_consumer_key')).toBe(fixtureKeys.consumerKey)
    expect(url.searchParams.get('oauth_version')).toBeNull()
    // base64 '+' and '/' must be percent-encoded, or PHP reads '+' as a space
    expect(url.search).toContain('oauth_signature=455hSiP7sn2RPWwPzEy8hq%2BWr3bUVbaRBOF2TCtlPx0%3D')
    expect(url.search.startsWith('?per_page=2&page=1&oauth_consumer_key=')).toBe(true)
  })

  it('signs an https request with an http base when WordPress does not see TLS', () => {
    const url = signOAuth1Url({
      method: 'GET',
      url: 'https://127.0.0.1:8080/wp-json/wc/v3/products?per_page=2&page=1',
      keys: fixtureKeys,
      nonce: recordedNonce,
      timestamp: recordedTimestamp,
      baseScheme: 'http',
    })
    expect(url.protocol).toBe('https:')
    expect(url.searchParams.get('oauth_signature')).toBe('455hSiP7sn2RPWwPzEy8hq+Wr3bUVbaRBOF2TCtlPx0=')
  })

  it('signs with HMAC-SHA1 when asked', () => {
    const url = signOAuth1Url({
      method: 'get',
      url: 'http://127.0.0.1:8080/wp-json/wc/v3/products?per_page=2&page=1',
      keys: fixtureKeys,
      nonce: recordedNonce,
      timestamp: recordedTimestamp,
      signatureMethod: 'HMAC-SHA1',
    })
    expect(url.searchParams.get('oauth_signature')).toBe('VcUw28JLWlCrxMDg+WBs6tG9hqA=')
  })

  it("reproduces WooCommerce's quirks: single encoding, PHP arrays, PHP name mangling", () => {
    const url = signOAuth1Url({
      method: 'PUT',
      url: "http://shop.test/store/wp-json/wc/v3/products/18?search=blue+mug&filter[period]=week&include[]=3&include[]=1&a.b=it's%20~ok*",
      keys: { consumerKey: 'ck_test', consumerSecret: 'cs_test' },
      nonce: 'abc123',
      timestamp: 1700000000,
    })
    expect(url.searchParams.get('oauth_signature')).toBe('NL7vO6T4VP6f3GogKYGGBvPAzksxOUxDY4g+MdVqO00=')
  })

  it('builds the documented base string (differs from RFC 5849 double encoding)', () => {
    const params = phpQueryParams('a=b%20c&oauth_nonce=n')
    const base = oauthBaseString('get', new URL('http://shop.test/wp-json/wc/v3/orders'), params)
    expect(base).toBe('GET&http%3A%2F%2Fshop.test%2Fwp-json%2Fwc%2Fv3%2Forders&a%3Db%20c%26oauth_nonce%3Dn')
    expect(base).not.toContain('%2520')
  })

  it('drops oauth_* params echoed back in a Link header before re-signing', () => {
    const link =
      'http://127.0.0.1:8080/wp-json/wc/v3/products?per_page=2&page=2&oauth_consumer_key=ck_old&oauth_nonce=old&oauth_signature_method=HMAC-SHA256&oauth_timestamp=1&oauth_signature=56bt%2Fx+y'
    const url = signOAuth1Url({ method: 'GET', url: link, keys: fixtureKeys, nonce: 'n2', timestamp: 2 })
    expect(url.searchParams.getAll('oauth_nonce')).toEqual(['n2'])
    expect(url.searchParams.getAll('oauth_signature')).toHaveLength(1)
    expect(url.searchParams.get('oauth_consumer_key')).toBe(fixtureKeys.consumerKey)
    expect(url.searchParams.get('page')).toBe('2')
  })

  it('uses a fresh nonce and the current time by default', () => {
    const a = signOAuth1Url({
      method: 'GET',
      url: 'http://shop.test/wp-json/wc/v3/products',
      keys: fixtureKeys,
    })
    const b = signOAuth1Url({
      method: 'GET',
      url: 'http://shop.test/wp-json/wc/v3/products',
      keys: fixtureKeys,
    })
    expect(a.searchParams.get('oauth_nonce')).toMatch(/^[0-9a-f]{32}$/)
    expect(a.searchParams.get('oauth_nonce')).not.toBe(b.searchParams.get('oauth_nonce'))
    const ts = Number(a.searchParams.get('oauth_timestamp'))
    expect(Math.abs(ts - Date.now() / 1000)).toBeLessThan(5)
    expect(createNonce()).toHaveLength(32)
  })

  it('refuses unknown signature methods and broken encodings with ConfigError', () => {
    expect(() =>
      signOAuth1Url({
        method: 'GET',
        url: 'http://shop.test/',
        keys: fixtureKeys,
        signatureMethod: 'PLAINTEXT' as 'HMAC-SHA1',
      }),
    ).toThrow(ConfigError)
    expect(() =>
      signOAuth1Url({ method: 'GET', url: 'http://shop.test/?a=%E0%A4%A', keys: fixtureKeys }),
    ).toThrow(ConfigError)
  })
})

describe('phpQueryParams', () => {
  it('parses like PHP $_GET', () => {
    const params = phpQueryParams('?x=1&x=2&y[]=a&y[]=b&z[k]=v&my.name=1&plus=a+b')
    expect(params.get('x')).toBe('2')
    expect(params.get('y')).toEqual([
      ['0', 'a'],
      ['1', 'b'],
    ])
    expect(params.get('z')).toEqual([['k', 'v']])
    expect(params.get('my_name')).toBe('1')
    expect(params.get('plus')).toBe('a b')
  })
})
