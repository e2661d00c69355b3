import { randomBytes } from 'node:crypto'
import { phpJson } from './php-json.js'
import type { WooState } from './state.js'
import type { KeyPermissions } from './types.js'

/** Cookie name prefix WordPress uses for a logged-in session; any such cookie counts in the fake. */
export const LOGGED_IN_COOKIE = 'wordpress_logged_in_fake'

const SCOPES: readonly KeyPermissions[] = ['read', 'write', 'read_write']
const PARAMS = ['app_name', 'scope', 'user_id', 'return_url', 'callback_url'] as const

/** Options of the wc-auth endpoints. */
export interface WcAuthOptions {
  homeUrl: string
  /** Accept `http://` callback URLs (a real store refuses them; handy with a local server). */
  allowHttpCallback: boolean
  fetch: () => typeof fetch
  timeoutMs: number
}

function html(status: number, body: string, headers: Record<string, string> = {}): Response {
  return new Response(`<!DOCTYPE html><html><body>${body}</body></html>`, {
    status,
    headers: { 'content-type': 'text/html; charset=UTF-8', ...headers },
  })
}

function errorPage(message: string): Response {
  return html(401, `<div class="wp-die-message"><p>Error: ${escapeHtml(message)}.</p></div>`)
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function redirect(location: string): Response {
  return new Response(null, {
    status: 302,
    headers: { location, 'x-redirect-by': 'WordPress', 'content-type': 'text/html; charset=UTF-8' },
  })
}

function isLoggedIn(request: Request): boolean {
  return /(^|;\s*)wordpress_logged_in[^=]*=/.test(request.headers.get('cookie') ?? '')
}

function validUrl(raw: string): boolean {
  try {
    const u = new URL(raw)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}

function formatUtc(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ')
}

function addQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url)
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v)
  return u.toString()
}

/**
 * The `/wc-auth/v1/*` endpoints: `authorize` (validation, login redirect, grant screen) and
 * `access_granted` (creates a key, POSTs it to `callback_url`, deletes it unless the callback
 * answered exactly 200, as recorded).
 */
export class WcAuth {
  private readonly nonces = new Set<string>()

  constructor(
    private readonly state: WooState,
    private readonly options: WcAuthOptions,
  ) {}

  /** Handle a `/wc-auth/v1/...` request, or return null when the path is not one of them. */
  async handle(request: Request, url: URL, origin: string): Promise<Response | null> {
    const route = /^\/wc-auth\/v1\/(authorize|access_granted|login)\/?$/.exec(url.pathname)?.[1]
    if (!route) return null
    const data: Record<string, string> = {}
    for (const name of PARAMS) {
      const value = url.searchParams.get(name)
      if (value === null || value === '') return errorPage(`Missing parameter ${name}`)
      data[name] = value
    }
    const scope = data['scope'] as string
    if (!(SCOPES as readonly string[]).includes(scope)) return errorPage(`Invalid scope ${scope}`)
    let callback = data['callback_url'] as string
    if (!callback.includes('://')) callback = `https://${callback}`
    const httpsOnly = !this.options.allowHttpCallback
    if (!validUrl(callback) || (httpsOnly && !callback.startsWith('https://'))) {
      return errorPage('The callback_url needs to be over SSL')
    }
    if (!validUrl(data['return_url'] as string)) return errorPage('The return_url is not a valid URL')
    const query = new URLSearchParams({
      app_name: data['app_name'] as string,
      user_id: data['user_id'] as string,
      return_url: data['return_url'] as string,
      callback_url: callback,
      scope,
    })
    if (route === 'login') return html(200, '<form id="loginform" method="post"></form>')
    if (!isLoggedIn(request)) return redirect(`${origin}/wc-auth/v1/login/?${query}`)
    if (route === 'authorize') {
      const nonce = randomBytes(5).toString('hex')
      this.nonces.add(nonce)
      const approve = `${origin}/wc-auth/v1/access_granted/?${query}&wc_auth_nonce=${nonce}`
      const deny = addQuery(data['return_url'] as string, {
        success: '0',
        user_id: data['user_id'] as string,
      })
      return html(
        200,
        `<p>${escapeHtml(data['app_name'] as string)} would like to connect to your store.</p>` +
          `<a class="button button-primary wc-auth-approve" href="${escapeHtml(approve)}">Approve</a>` +
          `<a class="button wc-auth-deny" href="${escapeHtml(deny)}">Deny</a>`,
      )
    }
    const nonce = url.searchParams.get('wc_auth_nonce') ?? ''
    if (!this.nonces.has(nonce)) return errorPage('Invalid nonce verification')
    return this.grant(data, callback, scope as KeyPermissions)
  }

  private async grant(
    data: Record<string, string>,
    callback: string,
    scope: KeyPermissions,
  ): Promise<Response> {
    const appName = (data['app_name'] as string).slice(0, 170)
    const key = this.state.addKey({
      permissions: scope,
      description: `${appName} - API (${formatUtc(this.state.now())})`,
    })
    const body = phpJson({
      key_id: key.keyId,
      user_id: data['user_id'],
      consumer_key: key.consumerKey,
      consumer_secret: key.consumerSecret,
      key_permissions: key.permissions,
    })
    let failure: string | null = null
    try {
      const response = await this.options.fetch()(callback, {
        method: 'POST',
        headers: {
          'content-type': 'application/json;charset=UTF-8',
          'user-agent': `WordPress/6.8.3; ${new URL(this.options.homeUrl).origin}`,
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      })
      await response.arrayBuffer().catch(() => undefined)
      if (response.status !== 200) {
        failure = 'An error occurred in the request and at the time were unable to send the consumer data'
      }
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error)
    }
    if (failure !== null) {
      this.state.keys.delete(key.consumerKey)
      return errorPage(failure)
    }
    return redirect(
      addQuery(data['return_url'] as string, { success: '1', user_id: data['user_id'] as string }),
    )
  }
}
