import type { Tunnel } from './tunnel.js'

/** One step of a browser navigation. */
export interface Hop {
  url: string
  status: number
}

/** What a navigation ended on. */
export interface Landing {
  response: Response
  /** Every request made, in order (redirects included). */
  hops: Hop[]
}

/** Options of {@link navigate}. */
export interface NavigateOptions {
  tunnel: Tunnel
  /** Extra headers per origin, e.g. the seller's session on the backend, a login cookie on the store. */
  headersFor?: (url: URL) => Record<string, string>
  maxRedirects?: number
}

/**
 * Load `url` as a browser does: GET, follow `302`/`303`/`301`/`307` redirects across origins,
 * send each origin its own headers (session, cookies). Requests to the backend's public URL go
 * through the tunnel. Returns the final response and the hops.
 */
export async function navigate(url: string, options: NavigateOptions): Promise<Landing> {
  const hops: Hop[] = []
  let next = url
  for (let i = 0; i <= (options.maxRedirects ?? 10); i++) {
    const target = new URL(next)
    const response = await fetch(options.tunnel.toLocal(next), {
      headers: options.headersFor?.(target) ?? {},
      redirect: 'manual',
    })
    hops.push({ url: next, status: response.status })
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel()
      next = new URL(location, target).href
      continue
    }
    return { response, hops }
  }
  throw new Error(`navigate: more than ${options.maxRedirects ?? 10} redirects from ${url}`)
}

/** The href of the first `<a class="… marker …" href="…">` of an HTML page (the "button" a person clicks). */
export function linkOf(html: string, marker: string): string | null {
  const match = new RegExp(`class="[^"]*${marker}[^"]*" href="([^"]+)"`).exec(html)
  return match?.[1]?.replace(/&amp;/g, '&') ?? null
}
