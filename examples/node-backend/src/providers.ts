import type { HostProvider } from './provider-wiring.js'

/**
 * The providers this backend runs, built from the environment: the one place where adapters
 * and their auth routes are added (`{ adapter, authRoutes: { path: handler } }` each, see `provider-wiring.ts`).
 * None are wired yet: the Shopify and WooCommerce wiring lands here once those packages are
 * complete; until then the server runs with the operator API, the marketplace and `/health`.
 */
export function hostProviders(_env: Readonly<Record<string, string | undefined>>): HostProvider[] {
  return []
}
