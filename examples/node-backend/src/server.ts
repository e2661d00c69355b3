import { createHash, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http'
import { type Hub, type Logger, type NodeHandler, toNodeHandler } from '@hub/core'
import { HttpError, readJson, sendError, sendJson } from './http/http-json.js'
import type { OperatorHandler } from './http/operator-api.js'
import type { Router } from './http/router.js'
import type { AuthRouteHandler, ProviderWiringContext } from './provider-wiring.js'

/** Finds the seller a request acts for, or `null`. */
export type SellerResolver = (headers: Headers) => string | null

/** Header the default {@link SellerResolver} reads. */
export const SELLER_HEADER = 'x-seller-id'

const SELLER_ID = /^[A-Za-z0-9_.:-]{1,128}$/

/**
 * The default seller resolver: the `x-seller-id` header. Fine for an example behind a trusted
 * proxy; a real host derives the seller from its own authentication (session, JWT) instead —
 * pass `resolveSeller` to `createApp`.
 */
export const sellerFromHeader: SellerResolver = (headers) => {
  const value = headers.get(SELLER_HEADER)?.trim()
  return value && SELLER_ID.test(value) ? value : null
}

/** What {@link createHttpServer} serves. */
export interface ServerOptions {
  hub: Hub
  operator: Router<OperatorHandler>
  authRoutes: ReadonlyMap<string, AuthRouteHandler>
  /** Passed to every auth route handler. */
  authContext: ProviderWiringContext
  resolveSeller: SellerResolver
  /** When set, `/api/*` requires `authorization: Bearer <token>`. */
  operatorToken?: string | undefined
  /** Body of `GET /health`; throwing answers 503. */
  health(): Promise<Record<string, unknown>>
  logger: Logger
}

/** Node request headers as Web `Headers`. */
export function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers()
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string') headers.set(key, value)
    else if (Array.isArray(value)) headers.set(key, value.join(', '))
  }
  return headers
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment)
  } catch {
    return null
  }
}

function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

/**
 * The backend's HTTP server (`node:http`, no framework):
 *
 * - `POST /hooks/:provider` — webhook ingest, `toNodeHandler(hub.webhooks)` on the raw body;
 * - every auth route the providers' wiring gave (exact paths, Web handlers);
 * - `/api/*` — the operator API (JSON), scoped to the seller {@link SellerResolver} finds;
 * - `GET /health`.
 */
export function createHttpServer(options: ServerOptions): Server {
  const { logger } = options
  const webhooks = toNodeHandler(options.hub.webhooks)
  const auth = new Map<string, NodeHandler>(
    [...options.authRoutes].map(([path, handler]) => [
      path,
      toNodeHandler((request) => handler(request, options.authContext)),
    ]),
  )

  const operator = async (req: IncomingMessage, path: string, query: URLSearchParams) => {
    const headers = toHeaders(req.headers)
    if (options.operatorToken) {
      const given = /^Bearer (.+)$/.exec(headers.get('authorization') ?? '')?.[1] ?? ''
      if (!sameToken(given, options.operatorToken)) {
        throw new HttpError(401, 'UNAUTHORIZED', 'a valid operator token is required')
      }
    }
    const match = options.operator.match(req.method ?? 'GET', path)
    if (match.kind === 'not-found') throw new HttpError(404, 'ROUTE_NOT_FOUND', `no route ${path}`)
    if (match.kind === 'method-not-allowed') {
      throw new HttpError(405, 'METHOD_NOT_ALLOWED', `${path} accepts ${match.allow.join(', ')}`)
    }
    const sellerId = options.resolveSeller(headers)
    if (!sellerId) throw new HttpError(400, 'SELLER_REQUIRED', `the ${SELLER_HEADER} header names the seller`)
    return match.handler({ scope: { sellerId }, params: match.params, query, body: () => readJson(req) })
  }

  const server = createServer((req, res) => {
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://localhost')
    } catch {
      sendJson(res, 400, { error: 'URL_INVALID' })
      return
    }
    const path = url.pathname
    const hook = /^\/hooks\/([^/]+)\/?$/.exec(path)
    if (hook) {
      const provider = safeDecode(hook[1]!)
      if (provider === null) {
        sendJson(res, 400, { error: 'URL_INVALID' })
        return
      }
      ;(req as IncomingMessage & { params?: Record<string, string> }).params = { provider }
      webhooks(req, res)
      return
    }
    const authRoute = auth.get(path)
    if (authRoute) {
      authRoute(req, res)
      return
    }
    void (async () => {
      try {
        if (path === '/health') {
          if (req.method !== 'GET') throw new HttpError(405, 'METHOD_NOT_ALLOWED', '/health accepts GET')
          const body = await options.health().catch((error: unknown) => {
            throw new HttpError(503, 'UNHEALTHY', error instanceof Error ? error.message : String(error))
          })
          sendJson(res, 200, { status: 'ok', ...body })
          return
        }
        if (path.startsWith('/api/')) {
          sendJson(res, 200, await operator(req, path, url.searchParams))
          return
        }
        throw new HttpError(404, 'ROUTE_NOT_FOUND', `no route ${path}`)
      } catch (error) {
        sendError(res, error, logger)
      }
    })()
  })
  // Idle keep-alive connections stay open longer than clients keep them (undici: 4 s, or the
  // server's hint), and longer than a load balancer's 60 s: a client never sends on a socket the
  // server has just closed (ECONNRESET), e.g. after a pause while the database starts.
  server.keepAliveTimeout = 65_000
  server.headersTimeout = 66_000
  return server
}
