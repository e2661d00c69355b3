import { PermanentError } from '@hub/core'
import { describe, expect, it } from 'vitest'
import {
  addressRefusal,
  type DnsLookup,
  normalizeStoreUrl,
  parseStoreUrl,
  validateStoreUrl,
  WooUrlError,
} from '../src/woocommerce-url.js'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    if (error instanceof WooUrlError) return error.code
    throw error
  }
  return undefined
}

const publicDns: DnsLookup = async () => [{ address: '93.184.215.14', family: 4 }]

describe('normalizeStoreUrl', () => {
  it('produces the X-WC-Webhook-Source form', () => {
    expect(normalizeStoreUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080/')
    expect(normalizeStoreUrl('HTTPS://Shop.Example.COM')).toBe('https://shop.example.com/')
    expect(normalizeStoreUrl('https://shop.example.com:443/store?x=1#y')).toBe(
      'https://shop.example.com/store/',
    )
    expect(normalizeStoreUrl('shop.example.com')).toBe('https://shop.example.com/')
    expect(normalizeStoreUrl('https://shop.example.com./')).toBe('https://shop.example.com/')
  })

  it('rejects garbage with a typed error', () => {
    expect(codeOf(() => normalizeStoreUrl(''))).toBe('WOO_URL_INVALID')
    expect(codeOf(() => normalizeStoreUrl('https://'))).toBe('WOO_URL_INVALID')
    expect(codeOf(() => normalizeStoreUrl('ftp://shop.example.com'))).toBe('WOO_URL_INVALID')
    expect(codeOf(() => normalizeStoreUrl('javascript://alert(1)'))).toBe('WOO_URL_INVALID')
    expect(codeOf(() => normalizeStoreUrl(42 as unknown as string))).toBe('WOO_URL_INVALID')
  })
})

describe('parseStoreUrl policy', () => {
  it('accepts a public https URL', () => {
    expect(parseStoreUrl('https://shop.example.com/')).toBe('https://shop.example.com/')
  })

  it('requires https unless allowed', () => {
    expect(codeOf(() => parseStoreUrl('http://shop.example.com'))).toBe('WOO_URL_INSECURE')
    expect(parseStoreUrl('http://shop.example.com', { allowHttp: true })).toBe('http://shop.example.com/')
  })

  it('refuses credentials in the URL and never echoes them', () => {
    let error: unknown
    try {
      parseStoreUrl('https://ck_user:cs_secret@shop.example.com/')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(WooUrlError)
    expect(error).toBeInstanceOf(PermanentError)
    expect((error as WooUrlError).code).toBe('WOO_URL_CREDENTIALS')
    expect((error as Error).message).not.toContain('cs_secret')
    expect(codeOf(() => parseStoreUrl('https://user@shop.example.com/'))).toBe('WOO_URL_CREDENTIALS')
  })

  const privateTargets = [
    // IPv4 in every notation the URL parser (inet_aton) accepts
    'https://127.0.0.1/',
    'https://127.1/',
    'https://2130706433/',
    'https://0x7f000001/',
    'https://0x7f.0.0.1/',
    'https://0177.0.0.1/',
    'https://017700000001/',
    'https://127.000.000.001/',
    'https://0/',
    'https://0.0.0.0/',
    'https://10.1.2.3/',
    'https://172.16.0.1/',
    'https://172.31.255.255/',
    'https://192.168.1.1/',
    'https://100.64.0.1/',
    'https://169.254.169.254/latest/meta-data/',
    'https://2852039166/', // 169.254.169.254 as one decimal
    'https://0xa9fea9fe/',
    'https://224.0.0.1/',
    'https://255.255.255.255/',
    // IPv6 literals
    'https://[::1]/',
    'https://[::]/',
    'https://[0:0:0:0:0:0:0:1]/',
    'https://[fe80::1]/',
    'https://[fc00::1]/',
    'https://[fd00:ec2::254]/', // AWS IPv6 metadata
    'https://[::ffff:127.0.0.1]/',
    'https://[::ffff:7f00:1]/',
    'https://[::ffff:169.254.169.254]/',
    'https://[::ffff:10.0.0.1]/',
    'https://[::127.0.0.1]/',
    'https://[64:ff9b::a9fe:a9fe]/',
    'https://[2002:7f00:1::]/',
    'https://[ff02::1]/',
    // names
    'https://localhost/',
    'https://LOCALHOST./',
    'https://api.localhost/',
    'https://metadata.google.internal/',
    'https://printer.local/',
    'https://intranet/',
  ]

  for (const target of privateTargets) {
    it(`refuses ${target} unless allowed`, () => {
      expect(codeOf(() => parseStoreUrl(target))).toBe('WOO_URL_PRIVATE_ADDRESS')
      expect(() => parseStoreUrl(target, { allowPrivate: true })).not.toThrow()
    })
  }

  it('accepts public IP literals', () => {
    expect(parseStoreUrl('https://93.184.215.14/')).toBe('https://93.184.215.14/')
    expect(parseStoreUrl('https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/')).toBe(
      'https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/',
    )
    expect(parseStoreUrl('https://[::ffff:93.184.215.14]/')).toContain('https://[::ffff:')
    expect(parseStoreUrl('https://172.32.0.1/')).toBe('https://172.32.0.1/')
  })
})

describe('addressRefusal', () => {
  it('classifies addresses as resolvers return them', () => {
    expect(addressRefusal('127.0.0.1')).toMatch(/loopback/)
    expect(addressRefusal('::1')).toMatch(/loopback/)
    expect(addressRefusal('::ffff:192.168.0.1')).toMatch(/private.*IPv4-mapped/)
    expect(addressRefusal('fe80::1%eth0')).toMatch(/link-local/)
    expect(addressRefusal('fd12:3456::1')).toMatch(/ULA/)
    expect(addressRefusal('8.8.8.8')).toBeNull()
    expect(addressRefusal('2001:4860:4860::8888')).toBeNull()
    expect(addressRefusal('not-an-ip')).toBe('not an IP address')
    expect(addressRefusal('1:2:3:4:5:6:7:8:9')).toBe('not an IP address')
    expect(addressRefusal('::ffff:999.0.0.1')).toBe('not an IP address')
  })
})

describe('validateStoreUrl (DNS)', () => {
  it('accepts a name that resolves to public addresses only', async () => {
    const seen: string[] = []
    const lookup: DnsLookup = async (host) => {
      seen.push(host)
      return publicDns(host)
    }
    await expect(validateStoreUrl('https://shop.example.com', { lookup })).resolves.toBe(
      'https://shop.example.com/',
    )
    expect(seen).toEqual(['shop.example.com'])
  })

  it('refuses a name that resolves to a private address (any of them)', async () => {
    const lookup: DnsLookup = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ]
    await expect(validateStoreUrl('https://evil.example.com', { lookup })).rejects.toMatchObject({
      code: 'WOO_URL_PRIVATE_ADDRESS',
    })
  })

  it('refuses names resolving to loopback, metadata and mapped IPv6', async () => {
    for (const address of ['127.0.0.1', '169.254.169.254', '::1', '::ffff:127.0.0.1', 'fd00::1']) {
      const lookup: DnsLookup = async () => [{ address, family: address.includes(':') ? 6 : 4 }]
      await expect(validateStoreUrl('https://rebind.example.com', { lookup })).rejects.toMatchObject({
        code: 'WOO_URL_PRIVATE_ADDRESS',
      })
    }
  })

  it('refuses names that do not resolve', async () => {
    const failing: DnsLookup = async () => {
      throw new Error('ENOTFOUND')
    }
    await expect(validateStoreUrl('https://nope.example.com', { lookup: failing })).rejects.toMatchObject({
      code: 'WOO_URL_UNRESOLVABLE',
    })
    await expect(
      validateStoreUrl('https://empty.example.com', { lookup: async () => [] }),
    ).rejects.toMatchObject({
      code: 'WOO_URL_UNRESOLVABLE',
    })
  })

  it('skips DNS for IP literals and when private targets are allowed', async () => {
    const lookup: DnsLookup = async () => {
      throw new Error('must not be called')
    }
    await expect(validateStoreUrl('https://93.184.215.14', { lookup })).resolves.toBe(
      'https://93.184.215.14/',
    )
    await expect(
      validateStoreUrl('http://127.0.0.1:8080', { lookup, allowHttp: true, allowPrivate: true }),
    ).resolves.toBe('http://127.0.0.1:8080/')
  })

  it('applies the scheme rule before DNS', async () => {
    await expect(validateStoreUrl('http://shop.example.com', { lookup: publicDns })).rejects.toMatchObject({
      code: 'WOO_URL_INSECURE',
    })
  })
})
