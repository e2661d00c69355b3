import { authenticate, checkScope } from './auth.js'
import type { WebhookDispatcher } from './deliveries.js'
import { filterFields } from './fields.js'
import { phpJson } from './php-json.js'
import { errorResponse, RestError } from './rest-response.js'
import { ALLOW, pageParams, type Route, type RouteContext } from './route-kit.js'
import { orderRoutes } from './routes-orders.js'
import { productRoutes } from './routes-products.js'
import { variationRoutes } from './routes-variations.js'
import { webhookRoutes } from './routes-webhooks.js'
import type { WooState } from './state.js'
import type { WcAuth } from './wc-auth.js'

const ROUTES: Route[] = [...productRoutes, ...variationRoutes, ...orderRoutes, ...webhookRoutes]
const REST_PREFIX = '/wp-json/wc/v3'

/** What the request core needs. */
export interface RouterDeps {
  state: WooState
  dispatcher: WebhookDispatcher
  wcAuth: WcAuth
  /** Force what `is_ssl()` answers; undefined = from the request's scheme. */
  https: boolean | undefined
}

function denied(route: Route, method: string): RestError {
  if (route.kind === 'batch') {
    return new RestError(
      'woocommerce_rest_cannot_batch',
      'Sorry, you are not allowed to batch manipulate this resource.',
      401,
    )
  }
  if (method === 'GET') {
    return route.kind === 'collection'
      ? new RestError('woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.', 401)
      : new RestError('woocommerce_rest_cannot_view', 'Sorry, you cannot view this resource.', 401)
  }
  if (method === 'DELETE') {
    return new RestError(
      'woocommerce_rest_cannot_delete',
      'Sorry, you are not allowed to delete this resource.',
      401,
    )
  }
  if (route.kind === 'collection') {
    return new RestError(
      'woocommerce_rest_cannot_create',
      'Sorry, you are not allowed to create resources.',
      401,
    )
  }
  return new RestError(
    'woocommerce_rest_cannot_edit',
    'Sorry, you are not allowed to edit this resource.',
    401,
  )
}

async function readBody(
  request: Request,
): Promise<{ json: Record<string, unknown>; form: Record<string, string>; error: RestError | null }> {
  const text = request.method === 'GET' || request.method === 'HEAD' ? '' : await request.text()
  const type = request.headers.get('content-type') ?? ''
  if (type.includes('application/x-www-form-urlencoded')) {
    const form = Object.fromEntries(new URLSearchParams(text))
    return { json: form, form, error: null }
  }
  if (text.trim() === '') return { json: {}, form: {}, error: null }
  try {
    const parsed: unknown = JSON.parse(text)
    const json =
      typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : {}
    return { json, form: {}, error: null }
  } catch {
    const error = new RestError('rest_invalid_json', 'Invalid JSON body passed.', 400, {
      json_error_code: 4,
      json_error_message: 'Syntax error',
    })
    return { json: {}, form: {}, error }
  }
}

/**
 * The request → response core shared by the MSW handlers and the local HTTP server, in
 * WordPress's order: WooCommerce authentication errors, key scope (`rest_pre_dispatch`), route
 * match (`rest_no_route`), body and parameter validation, permission checks, then the handler.
 */
export function createRouter(deps: RouterDeps): (request: Request) => Promise<Response> {
  const { state } = deps
  return async (request) => {
    const url = new URL(request.url)
    const origin = url.origin
    const wcAuth = await deps.wcAuth.handle(request, url, origin)
    if (wcAuth) return wcAuth
    const restRoute = url.pathname.startsWith(`${REST_PREFIX}/`)
      ? url.pathname.slice(REST_PREFIX.length)
      : url.searchParams.get('rest_route')?.replace(/^\/wc\/v3/, '')
    if (restRoute === undefined) return new Response('Not Found', { status: 404 })
    const body = await readBody(request)
    let method = request.method.toUpperCase()
    const override = request.headers.get('x-http-method-override') ?? url.searchParams.get('_method')
    if (method === 'POST' && override) method = override.toUpperCase()
    const isSsl = deps.https ?? url.protocol === 'https:'
    try {
      const auth = authenticate(state, {
        method: request.method.toUpperCase(),
        baseUrl: `${origin}${url.pathname}`,
        isSsl,
        query: url.searchParams,
        search: url.search,
        form: body.form,
        authorization: request.headers.get('authorization'),
        nowSeconds: Math.floor(state.now().getTime() / 1000),
      })
      if ('error' in auth) throw auth.error
      if (auth.key) {
        const scopeError = checkScope(auth.key, method)
        if (scopeError) throw scopeError
      }
      let matched: { route: Route; params: number[] } | null = null
      for (const route of ROUTES) {
        const m = route.pattern.exec(restRoute)
        if (m && route.handlers[method]) {
          matched = { route, params: m.slice(1).map(Number) }
          break
        }
      }
      if (!matched)
        throw new RestError('rest_no_route', 'No route was found matching the URL and request method.', 404)
      const { route, params } = matched
      const allow = ALLOW[route.kind]
      if (body.error) throw body.error.withAllow(auth.key ? allow : null)
      const ctx: RouteContext = {
        state,
        origin,
        method,
        url,
        query: url.searchParams,
        body: body.json,
        params,
        key: auth.key,
        ping: async (w) => {
          await deps.dispatcher.ping(w)
        },
        pingIfPending: async (w) => {
          await deps.dispatcher.pingIfPending(w)
        },
      }
      const handler = route.handlers[method]
      if (!handler)
        throw new RestError('rest_no_route', 'No route was found matching the URL and request method.', 404)
      // WordPress validates query parameters before the permission check.
      if (route.kind === 'collection' && method === 'GET') {
        try {
          pageParams(ctx)
        } catch (error) {
          if (error instanceof RestError && auth.key) throw error.withAllow(allow)
          throw error
        }
      }
      if (!auth.key) throw denied(route, method)
      const permission = route.permission?.(ctx)
      if (permission) throw permission
      try {
        const response = await handler(ctx)
        const fields = url.searchParams.get('_fields')
        if (!fields || response.status >= 400) return response
        const filtered = filterFields(JSON.parse(await response.text()), fields)
        return new Response(phpJson(filtered), { status: response.status, headers: response.headers })
      } catch (error) {
        if (error instanceof RestError) throw error.allow === null ? error.withAllow(allow) : error
        throw error
      }
    } catch (error) {
      if (error instanceof RestError) return errorResponse(origin, error)
      const message = error instanceof Error ? error.message : String(error)
      return errorResponse(origin, new RestError('internal_server_error', message, 500))
    }
  }
}
