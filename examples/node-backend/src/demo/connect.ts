import { SHOPIFY_ROUTES } from '../providers/shopify-wiring.js'
import { WOO_ROUTES } from '../providers/woocommerce-wiring.js'
import { SELLER } from './backend-client.js'
import { linkOf, navigate } from './browser.js'
import type { FakeStores } from './fake-stores.js'
import type { Tunnel } from './tunnel.js'

/** Connect the seller's Shopify through the real OAuth install (browser redirects included). */
export async function connectShopify(
  tunnel: Tunnel,
  stores: FakeStores,
): Promise<{ connectionId: string; hops: number }> {
  const landing = await navigate(`${tunnel.publicUrl}${SHOPIFY_ROUTES.install}?shop=${stores.shop}`, {
    tunnel,
    headersFor: (url): Record<string, string> =>
      url.origin === tunnel.publicUrl ? { 'x-seller-id': SELLER } : {},
  })
  const body = (await landing.response.json()) as { connectionId?: string; error?: string; message?: string }
  if (landing.response.status !== 200 || !body.connectionId) {
    throw new Error(`Shopify install failed: ${landing.response.status} ${body.error}: ${body.message}`)
  }
  return { connectionId: body.connectionId, hops: landing.hops.length }
}

/** Connect the seller's WooCommerce through the real wc-auth flow: grant screen, Approve, key callback, return. */
export async function connectWoo(
  tunnel: Tunnel,
  stores: FakeStores,
): Promise<{ connectionId: string; hops: number }> {
  const headersFor = (url: URL): Record<string, string> =>
    url.origin === tunnel.publicUrl
      ? { 'x-seller-id': SELLER }
      : url.origin === stores.wooServer.url
        ? { cookie: stores.woo.loginCookie }
        : {}
  const grant = await navigate(
    `${tunnel.publicUrl}${WOO_ROUTES.connect}?store_url=${encodeURIComponent(stores.wooServer.url)}`,
    { tunnel, headersFor },
  )
  const approve = linkOf(await grant.response.text(), 'wc-auth-approve')
  if (grant.response.status !== 200 || !approve) {
    throw new Error(`WooCommerce grant screen missing (HTTP ${grant.response.status})`)
  }
  // The merchant clicks "Approve": the store POSTs the key to our callback, then redirects back.
  const landing = await navigate(approve, { tunnel, headersFor })
  const body = (await landing.response.json()) as { connectionId?: string; status?: string; error?: string }
  if (landing.response.status !== 200 || body.status !== 'active' || !body.connectionId) {
    throw new Error(`wc-auth failed: ${landing.response.status} ${JSON.stringify(body)}`)
  }
  return { connectionId: body.connectionId, hops: grant.hops.length + landing.hops.length }
}
