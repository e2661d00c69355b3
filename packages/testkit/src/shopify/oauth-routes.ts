import type { FakeClock } from './clock.js'
import { json } from './http-json.js'
import { type OAuthFailure, type OAuthServer, signOAuthQuery, type TokenResponse } from './oauth.js'

/** What the OAuth routes need from the fake. */
export interface OAuthRouteDeps {
  apiKey: string
  apiSecret: string
  redirectUris: string[] | undefined
  defaultScopes: string
  shopDomain: string
  clock: FakeClock
  oauth: OAuthServer
}

/** Parses a JSON or form-encoded request body into string fields. */
async function formFields(request: Request): Promise<Record<string, string>> {
  const text = await request.text()
  if ((request.headers.get('content-type') ?? '').includes('application/json')) {
    try {
      const parsed = JSON.parse(text) as unknown
      if (!parsed || typeof parsed !== 'object') return {}
      return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]))
    } catch {
      return {}
    }
  }
  return Object.fromEntries(new URLSearchParams(text))
}

/**
 * `GET /admin/oauth/authorize`: the merchant approves at once; 302 to `redirect_uri` with
 * `code, hmac, host, shop, state, timestamp` (hex HMAC over the sorted parameters).
 */
export function authorizeResponse(url: URL, deps: OAuthRouteDeps): Response {
  const q = url.searchParams
  if (q.get('client_id') !== deps.apiKey) {
    return new Response('Oauth error invalid_request: The client_id is not valid', { status: 400 })
  }
  const redirectUri = q.get('redirect_uri')
  if (!redirectUri || (deps.redirectUris && !deps.redirectUris.includes(redirectUri))) {
    return new Response('Oauth error invalid_request: The redirect_uri is not whitelisted', { status: 400 })
  }
  const handle = deps.shopDomain.replace(/\.myshopify\.com$/, '')
  const params: Record<string, string> = {
    code: deps.oauth.issueCode(q.get('scope') ?? deps.defaultScopes),
    host: Buffer.from(`admin.shopify.com/store/${handle}`).toString('base64'),
    shop: deps.shopDomain,
    state: q.get('state') ?? '',
    timestamp: String(Math.floor(deps.clock.now() / 1000)),
  }
  params.hmac = signOAuthQuery(params, deps.apiSecret)
  const target = new URL(redirectUri)
  for (const key of Object.keys(params).sort()) target.searchParams.set(key, params[key] as string)
  return new Response(null, { status: 302, headers: { location: target.toString() } })
}

/** `POST /admin/oauth/access_token`: code exchange or `grant_type=refresh_token`. */
export async function accessTokenResponse(request: Request, deps: OAuthRouteDeps): Promise<Response> {
  const fields = await formFields(request)
  if (fields.client_id !== deps.apiKey || fields.client_secret !== deps.apiSecret) {
    return json(400, { error: 'invalid_client', error_description: 'Client credentials are invalid' })
  }
  let result: TokenResponse | OAuthFailure
  if (fields.grant_type === 'refresh_token') {
    result = deps.oauth.refresh(fields.refresh_token ?? '')
  } else if (fields.grant_type === undefined || fields.grant_type === 'authorization_code') {
    result = deps.oauth.exchangeCode(fields.code ?? '', fields.expiring === '1')
  } else {
    result = {
      status: 400,
      body: {
        error: 'unsupported_grant_type',
        error_description: `grant_type ${fields.grant_type} is not supported by the fake`,
      },
    }
  }
  if ('status' in result) return json(result.status, result.body)
  return json(200, result)
}
