import { ConfigError, type Hub, type ProviderAdapter } from '@hub/core'
import type { SqlMarketplace } from './marketplace/index.js'

/**
 * A Web handler for one auth route (an OAuth start or callback, a wc-auth callback or return).
 * It gets the backend's context with each request, e.g. to create the connection.
 */
export type AuthRouteHandler = (request: Request, context: ProviderWiringContext) => Promise<Response>

/**
 * Auth routes a provider's wiring mounts on the server: exact path → Web handler, any method
 * (the handler answers 405 itself where it cares). E.g. `{ '/auth/shopify/callback': handler }`.
 * Paths are checked before anything starts: invalid, reserved or duplicate ones are a `ConfigError`.
 */
export type AuthRoutes = Readonly<Record<string, AuthRouteHandler>>

/** What an auth route handler gets with each request. */
export interface ProviderWiringContext {
  hub: Hub
  marketplace: SqlMarketplace
  /** The seller the request acts for, as the server resolves it for operator routes (null when none). */
  sellerOf(request: Request): string | null
}

/**
 * One provider as this backend runs it: its adapter, and optionally the auth routes it needs
 * (which usually create connections with `hub.connections.create`).
 */
export interface HostProvider {
  adapter: ProviderAdapter
  authRoutes?: AuthRoutes
}

/** Paths the server owns; auth routes may not shadow them. */
const RESERVED = [/^\/api(\/|$)/, /^\/hooks(\/|$)/, /^\/health$/]
const PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@/-]*$/

/** Accept bare adapters too (no auth routes), e.g. `providers: [toyAdapter]`. */
export function toHostProviders(providers: readonly (HostProvider | ProviderAdapter)[]): HostProvider[] {
  if (!Array.isArray(providers)) throw new ConfigError('providers must be an array')
  return providers.map((p) => ('adapter' in p ? p : { adapter: p }))
}

/** Collect every provider's auth routes, refusing invalid, reserved and duplicate paths. */
export function collectAuthRoutes(providers: readonly HostProvider[]): Map<string, AuthRouteHandler> {
  const routes = new Map<string, AuthRouteHandler>()
  for (const provider of providers) {
    const given = provider.authRoutes ?? {}
    for (const [path, handler] of Object.entries(given)) {
      const name = provider.adapter.provider
      if (!PATH.test(path) || path.includes('//')) {
        throw new ConfigError(`auth route ${JSON.stringify(path)} of provider "${name}" is not a valid path`)
      }
      if (RESERVED.some((r) => r.test(path))) {
        throw new ConfigError(
          `auth route ${path} of provider "${name}" collides with the server's own routes`,
        )
      }
      if (routes.has(path)) throw new ConfigError(`auth route ${path} is mounted twice`)
      if (typeof handler !== 'function') throw new ConfigError(`auth route ${path} has no handler`)
      routes.set(path, handler)
    }
  }
  return routes
}
