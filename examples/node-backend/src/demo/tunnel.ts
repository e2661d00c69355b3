/**
 * The backend's public HTTPS address, as a TLS proxy or a tunnel (ngrok, cloudflared) gives it in
 * development: the stores and the merchant's browser call `https://<public host>/…`, and the
 * tunnel forwards to the backend on `http://127.0.0.1:<port>`. Shopify and WooCommerce both
 * refuse plain-HTTP callback addresses, so the demo keeps the real HTTPS URLs in every redirect,
 * callback and webhook subscription and does the forwarding itself, over real HTTP.
 */
export interface Tunnel {
  /** The public origin, e.g. `https://hub.demo.test`. */
  readonly publicUrl: string
  /** Point the tunnel at the running backend. */
  connect(localUrl: string): void
  /** A public URL rewritten to the backend's local address; other URLs unchanged. */
  toLocal(url: string): string
  /** `fetch` through the tunnel. */
  fetch: typeof fetch
}

/** A tunnel from `publicUrl` (an origin) to a backend connected later. */
export function createTunnel(publicUrl: string): Tunnel {
  const publicOrigin = new URL(publicUrl).origin
  let local: string | null = null
  const toLocal = (url: string): string => {
    const parsed = new URL(url)
    if (parsed.origin !== publicOrigin) return url
    if (local === null) throw new TypeError(`tunnel: nothing listens behind ${publicOrigin} yet`)
    return `${local}${parsed.pathname}${parsed.search}`
  }
  return {
    publicUrl: publicOrigin,
    connect(localUrl) {
      local = new URL(localUrl).origin
    },
    toLocal,
    fetch: async (input, init) => {
      if (input instanceof Request) {
        const body = input.method === 'GET' || input.method === 'HEAD' ? undefined : await input.arrayBuffer()
        return globalThis.fetch(toLocal(input.url), {
          method: input.method,
          headers: input.headers,
          redirect: 'manual',
          ...(body ? { body } : {}),
          ...init,
        })
      }
      return globalThis.fetch(toLocal(String(input)), init)
    },
  }
}
