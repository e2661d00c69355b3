/**
 * Shopify's weak-shop-validation check asks for an anchored pattern. We accept only
 * `{handle}.myshopify.com` (no underscore, no trailing slash, no port, no path, suffix in lower
 * case): a strict subset of what `@shopify/shopify-api` accepts, so a domain we accept is one it
 * accepts too.
 */
const SHOP_DOMAIN = /^[a-zA-Z0-9][a-zA-Z0-9-]*\.myshopify\.com$/
/** The admin URL form Shopify also sends: `admin.shopify.com/store/{handle}`. */
const ADMIN_STORE_URL = /^admin\.shopify\.com\/store\/([a-zA-Z0-9][a-zA-Z0-9-]*)$/

/** Longest handle Shopify issues is far below this; the cap keeps hostile input cheap. */
const MAX_LENGTH = 255

/**
 * Return the canonical shop domain (`{handle}.myshopify.com`, lower case) for a shop parameter, or
 * `null` if it is not one. Maps `admin.shopify.com/store/{handle}` to `{handle}.myshopify.com`.
 * Never throws.
 */
export function normalizeShopDomain(input: unknown): string | null {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_LENGTH) return null
  // Match first (ASCII classes only), lower-case after: no Unicode case folding into ASCII.
  if (SHOP_DOMAIN.test(input)) return input.toLowerCase()
  const admin = ADMIN_STORE_URL.exec(input)
  return admin ? `${admin[1]?.toLowerCase()}.myshopify.com` : null
}
