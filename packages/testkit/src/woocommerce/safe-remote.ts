import { isIP } from 'node:net'

const ALLOWED_PORTS = new Set(['', '80', '443', '8080'])

function privateV4(ip: string): boolean {
  const [a = 0, b = 0] = ip.split('.').map(Number)
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168)
  )
}

function privateV6(ip: string): boolean {
  const x = ip.toLowerCase()
  return x === '::1' || x === '::' || x.startsWith('fc') || x.startsWith('fd') || x.startsWith('fe80')
}

/**
 * WordPress's `wp_http_validate_url` as `wp_safe_remote_post` applies it to webhook deliveries and
 * wc-auth callbacks: http(s) only, ports 80/443/8080, no loopback or private literal addresses
 * (hostnames are not resolved here). Returns the refusal message, or null when allowed.
 */
export function safeRemoteRefusal(raw: string): string | null {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return 'A valid URL was not provided.'
  }
  const host = url.hostname.replace(/^\[|\]$/g, '')
  const kind = isIP(host)
  const isPrivate = host === 'localhost' || (kind === 4 && privateV4(host)) || (kind === 6 && privateV6(host))
  const badScheme = url.protocol !== 'http:' && url.protocol !== 'https:'
  if (badScheme || isPrivate || !ALLOWED_PORTS.has(url.port)) return 'A valid URL was not provided.'
  return null
}

/** Wrap a fetch so refused URLs fail like a WordPress transport error. */
export function safeRemoteFetch(inner: () => typeof fetch): () => typeof fetch {
  return () => async (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    const refusal = safeRemoteRefusal(url)
    if (refusal) throw new TypeError(refusal)
    return inner()(input, init)
  }
}
