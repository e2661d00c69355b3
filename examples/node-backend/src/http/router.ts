/** Route parameters by name, e.g. `{ id: 'item_1' }` for `/api/items/:id`. */
export type Params = Record<string, string>

/** What {@link Router.match} found for a method and path. */
export type RouteMatch<H> =
  | { kind: 'found'; handler: H; params: Params }
  | { kind: 'method-not-allowed'; allow: string[] }
  | { kind: 'not-found' }

/** A method + path-pattern table (`/api/items/:id/replay`); no framework needed for a dozen routes. */
export interface Router<H> {
  add(method: string, pattern: string, handler: H): void
  match(method: string, path: string): RouteMatch<H>
}

interface Route<H> {
  method: string
  parts: string[]
  handler: H
}

/** Create an empty {@link Router}. */
export function createRouter<H>(): Router<H> {
  const routes: Route<H>[] = []
  return {
    add(method, pattern, handler) {
      routes.push({ method: method.toUpperCase(), parts: split(pattern), handler })
    },
    match(method, path) {
      const parts = split(path)
      const allow: string[] = []
      for (const route of routes) {
        const params = matchParts(route.parts, parts)
        if (!params) continue
        if (route.method === method.toUpperCase()) return { kind: 'found', handler: route.handler, params }
        allow.push(route.method)
      }
      return allow.length > 0 ? { kind: 'method-not-allowed', allow } : { kind: 'not-found' }
    },
  }
}

function split(path: string): string[] {
  return path.split('/').filter((p) => p.length > 0)
}

function matchParts(pattern: string[], parts: string[]): Params | null {
  if (pattern.length !== parts.length) return null
  const params: Params = {}
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!
    let value: string
    try {
      value = decodeURIComponent(parts[i]!)
    } catch {
      return null
    }
    if (p.startsWith(':')) params[p.slice(1)] = value
    else if (p !== value) return null
  }
  return params
}
