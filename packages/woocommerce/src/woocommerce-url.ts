import { lookup as dnsLookup } from 'node:dns/promises'
import { PermanentError } from '@hub/core'

/** Why a store URL was refused. Match on `code`, not on the message. */
export type WooUrlErrorCode =
  | 'WOO_URL_INVALID'
  | 'WOO_URL_INSECURE'
  | 'WOO_URL_CREDENTIALS'
  | 'WOO_URL_PRIVATE_ADDRESS'
  | 'WOO_URL_UNRESOLVABLE'

/**
 * A store URL was refused. Permanent: retrying the same URL cannot succeed. The message names
 * the host, never a credential (userinfo is dropped before it can reach a message).
 */
export class WooUrlError extends PermanentError {
  declare readonly code: WooUrlErrorCode
  constructor(code: WooUrlErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options)
  }
}

/** One address as `dns.lookup(host, { all: true })` returns it. */
export interface ResolvedAddress {
  address: string
  family: number
}

/** Resolves a host name to all its addresses. Injected so tests (and hosts with their own resolver) control it. */
export type DnsLookup = (hostname: string) => Promise<ResolvedAddress[]>

/** Policy of {@link parseStoreUrl} and {@link validateStoreUrl}. Both relaxations default to off. */
export interface StoreUrlPolicy {
  /** Accept `http://` store URLs (requests then use OAuth 1.0a). Default false. */
  allowHttp?: boolean
  /** Accept loopback, private, link-local, ULA, metadata and other non-public targets. Default false (SSRF). */
  allowPrivate?: boolean
}

/** Options of {@link validateStoreUrl}. */
export interface ValidateStoreUrlOptions extends StoreUrlPolicy {
  /** DNS resolver; defaults to the system resolver (`dns.lookup`, all addresses). */
  lookup?: DnsLookup
}

/** The system resolver, all addresses. */
export const systemLookup: DnsLookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true })

const BLOCKED_NAMES = /(^|\.)(localhost|localdomain|internal|local|home\.arpa)$/
const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'instance-data'])

/**
 * Normalize a store URL to the form WooCommerce sends in `X-WC-Webhook-Source` (`home_url('/')`):
 * lower-case scheme and host, no default port, no query or fragment, path ending in `/`. A URL
 * without a scheme gets `https://`. No policy is applied: use it to compare URLs, and
 * {@link parseStoreUrl} to accept one from a user.
 */
export function normalizeStoreUrl(input: string): string {
  return toNormalized(parseLoose(input))
}

/**
 * Parse and check a store URL without network access: https unless `allowHttp`; no userinfo;
 * no IP literal (v4 in any notation, v6, IPv4-mapped v6) or well-known name that points at a
 * non-public target unless `allowPrivate`. Returns the normalized URL. Throws {@link WooUrlError}.
 */
export function parseStoreUrl(input: string, policy: StoreUrlPolicy = {}): string {
  const url = parseLoose(input)
  if (url.username !== '' || url.password !== '') {
    throw new WooUrlError('WOO_URL_CREDENTIALS', `store URL for ${url.hostname} must not contain credentials`)
  }
  if (url.protocol === 'http:' && !policy.allowHttp) {
    throw new WooUrlError('WOO_URL_INSECURE', `store URL for ${url.hostname} must use https`)
  }
  if (!policy.allowPrivate) {
    const reason = hostRefusal(url.hostname)
    if (reason) throw new WooUrlError('WOO_URL_PRIVATE_ADDRESS', `store host ${url.hostname} is ${reason}`)
  }
  return toNormalized(url)
}

/**
 * {@link parseStoreUrl}, then resolve the host name and refuse it when ANY address it resolves
 * to is non-public (unless `allowPrivate`). A name that does not resolve is refused too.
 *
 * This closes the obvious SSRF holes at connect time. It cannot stop DNS rebinding (the name
 * resolving differently when the request is actually made); hosts that need that guarantee
 * pass the client a `fetch` bound to a connection-pinning agent.
 */
export async function validateStoreUrl(
  input: string,
  options: ValidateStoreUrlOptions = {},
): Promise<string> {
  const normalized = parseStoreUrl(input, options)
  if (options.allowPrivate) return normalized
  const hostname = new URL(normalized).hostname
  if (isIpLiteral(hostname)) return normalized
  let addresses: ResolvedAddress[]
  try {
    addresses = await (options.lookup ?? systemLookup)(hostname)
  } catch (cause) {
    throw new WooUrlError('WOO_URL_UNRESOLVABLE', `store host ${hostname} does not resolve`, { cause })
  }
  if (addresses.length === 0) {
    throw new WooUrlError('WOO_URL_UNRESOLVABLE', `store host ${hostname} does not resolve`)
  }
  for (const { address } of addresses) {
    const reason = addressRefusal(address)
    if (reason) {
      throw new WooUrlError(
        'WOO_URL_PRIVATE_ADDRESS',
        `store host ${hostname} resolves to ${address}, ${reason}`,
      )
    }
  }
  return normalized
}

/**
 * Why an address (IPv4 in any inet_aton notation, or IPv6, bracketed or not) is not a public
 * target, or `null` when it is public. Also `'not an IP address'` for anything else.
 */
export function addressRefusal(address: string): string | null {
  const bare = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address
  const v4 = parseIpv4(bare)
  if (v4 !== null) return ipv4Refusal(v4)
  const v6 = parseIpv6(bare)
  if (v6 !== null) return ipv6Refusal(v6)
  return 'not an IP address'
}

function parseLoose(input: string): URL {
  if (typeof input !== 'string' || input.trim() === '') {
    throw new WooUrlError('WOO_URL_INVALID', 'store URL is empty')
  }
  const trimmed = input.trim()
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`
  let url: URL
  try {
    url = new URL(withScheme)
  } catch (cause) {
    throw new WooUrlError('WOO_URL_INVALID', 'store URL is not a valid URL', { cause })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new WooUrlError('WOO_URL_INVALID', `store URL scheme ${url.protocol} is not http(s)`)
  }
  if (url.hostname === '') throw new WooUrlError('WOO_URL_INVALID', 'store URL has no host')
  return url
}

function toNormalized(url: URL): string {
  const host = url.hostname.endsWith('.') ? url.hostname.slice(0, -1) : url.hostname
  const port = url.port === '' ? '' : `:${url.port}`
  const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`
  return `${url.protocol}//${host}${port}${path}`
}

function isIpLiteral(hostname: string): boolean {
  return hostname.startsWith('[') || parseIpv4(hostname) !== null
}

function hostRefusal(hostname: string): string | null {
  const host = (hostname.endsWith('.') ? hostname.slice(0, -1) : hostname).toLowerCase()
  if (host.startsWith('[')) return addressRefusal(host)
  const v4 = parseIpv4(host)
  if (v4 !== null) return ipv4Refusal(v4)
  if (METADATA_NAMES.has(host)) return 'a cloud metadata endpoint'
  if (BLOCKED_NAMES.test(host)) return 'a local name'
  if (!host.includes('.')) return 'a single-label (intranet) name'
  return null
}

/**
 * inet_aton: 1 to 4 dot-separated parts, each decimal, octal (leading 0) or hex (0x); the last
 * part fills the remaining bytes. This is how `http://2130706433/`, `http://0x7f.1/` and
 * `http://0177.0.0.1/` all reach 127.0.0.1. Returns the address as an unsigned 32-bit number.
 */
function parseIpv4(text: string): number | null {
  const parts = text.split('.')
  if (parts.length > 4 || parts.some((p) => p === '')) return null
  const nums: number[] = []
  for (const part of parts) {
    let n: number
    if (/^0x[0-9a-f]*$/i.test(part)) n = part.length === 2 ? 0 : Number.parseInt(part.slice(2), 16)
    else if (/^0[0-7]+$/.test(part)) n = Number.parseInt(part.slice(1), 8)
    else if (/^(0|[1-9][0-9]*)$/.test(part)) n = Number(part)
    else return null
    if (!Number.isFinite(n)) return null
    nums.push(n)
  }
  const last = nums.pop() as number
  if (nums.some((n) => n > 255)) return null
  if (last >= 256 ** (4 - nums.length)) return null
  let value = 0
  for (const n of nums) value = value * 256 + n
  return value * 256 ** (4 - nums.length) + last
}

function inV4(value: number, base: string, bits: number): boolean {
  const start = parseIpv4(base) as number
  const size = 2 ** (32 - bits)
  return value >= start && value < start + size
}

const V4_REFUSED: Array<[string, number, string]> = [
  ['0.0.0.0', 8, 'an unspecified ("this network") address'],
  ['10.0.0.0', 8, 'a private address'],
  ['100.64.0.0', 10, 'a carrier-grade NAT address'],
  ['127.0.0.0', 8, 'a loopback address'],
  ['169.254.0.0', 16, 'a link-local (cloud metadata) address'],
  ['172.16.0.0', 12, 'a private address'],
  ['192.0.0.0', 24, 'an IETF protocol address'],
  ['192.0.2.0', 24, 'a documentation address'],
  ['192.88.99.0', 24, 'a 6to4 relay address'],
  ['192.168.0.0', 16, 'a private address'],
  ['198.18.0.0', 15, 'a benchmarking address'],
  ['198.51.100.0', 24, 'a documentation address'],
  ['203.0.113.0', 24, 'a documentation address'],
  ['224.0.0.0', 4, 'a multicast address'],
  ['240.0.0.0', 4, 'a reserved address'],
]

function ipv4Refusal(value: number): string | null {
  for (const [base, bits, reason] of V4_REFUSED) if (inV4(value, base, bits)) return reason
  return null
}

/** Parse an IPv6 address (with an optional embedded dotted IPv4 tail and zone id) to 8 groups. */
function parseIpv6(text: string): number[] | null {
  let address = text.split('%')[0] as string
  if (!address.includes(':')) return null
  const lastColon = address.lastIndexOf(':')
  const tail = address.slice(lastColon + 1)
  if (tail.includes('.')) {
    // Only strict dotted-quad decimal is valid inside IPv6 text.
    if (!/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(tail)) return null
    const v4 = parseIpv4(tail) as number
    address = `${address.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`
  }
  const halves = address.split('::')
  if (halves.length > 2) return null
  const toGroups = (s: string): number[] | null => {
    if (s === '') return []
    const out: number[] = []
    for (const g of s.split(':')) {
      if (!/^[0-9a-f]{1,4}$/i.test(g)) return null
      out.push(Number.parseInt(g, 16))
    }
    return out
  }
  const left = toGroups(halves[0] as string)
  const right = halves.length === 2 ? toGroups(halves[1] as string) : []
  if (left === null || right === null) return null
  if (halves.length === 1) return left.length === 8 ? left : null
  if (left.length + right.length > 7) return null
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right]
}

function embeddedV4(groups: number[], from: number): number {
  return (groups[from] as number) * 65536 + (groups[from + 1] as number)
}

function ipv6Refusal(g: number[]): string | null {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g
  const firstFiveZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0
  if (firstFiveZero && g5 === 0 && g6 === 0 && g7 === 0) return 'the unspecified address'
  if (firstFiveZero && g5 === 0 && g6 === 0 && g7 === 1) return 'a loopback address'
  if (firstFiveZero && g5 === 0xffff) return refusedVia(ipv4Refusal(embeddedV4(g, 6)), 'IPv4-mapped')
  if (firstFiveZero && g5 === 0) return refusedVia(ipv4Refusal(embeddedV4(g, 6)), 'IPv4-compatible')
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) {
    return refusedVia(ipv4Refusal(embeddedV4(g, 6)), 'IPv4-translated')
  }
  if (g0 === 0x64 && g1 === 0xff9b) return refusedVia(ipv4Refusal(embeddedV4(g, 6)), 'NAT64')
  if (g0 === 0x2002) return refusedVia(ipv4Refusal(embeddedV4(g, 1)), '6to4')
  if (g0 === 0x2001 && g1 === 0) return 'a Teredo address'
  if (g0 === 0x2001 && g1 === 0xdb8) return 'a documentation address'
  if ((g0 & 0xfe00) === 0xfc00) return 'a unique local (ULA) address'
  if ((g0 & 0xffc0) === 0xfe80) return 'a link-local address'
  if ((g0 & 0xffc0) === 0xfec0) return 'a site-local address'
  if ((g0 & 0xff00) === 0xff00) return 'a multicast address'
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return 'a discard-only address'
  return null
}

function refusedVia(reason: string | null, how: string): string | null {
  return reason === null ? null : `${reason} (${how})`
}
