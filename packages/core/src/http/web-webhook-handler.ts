import { WebhookError } from '../errors.js'
import type { IngestResult } from '../ingest/webhook-ingest.js'
import type { Logger } from '../ports/logger.js'
import type { RawWebhookRequest } from '../ports/provider.js'

/** A framework-neutral handler: Web `Request` in, `Response` out. */
export type WebHandler = (request: Request, params?: { provider?: string }) => Promise<Response>

/** Largest accepted webhook body. Shopify and WooCommerce payloads are far smaller. */
export const MAX_WEBHOOK_BYTES = 5 * 1024 * 1024

/**
 * Wrap an ingest function as a Web handler. The provider comes from `params.provider` or the
 * last path segment (`/hooks/:provider`). Answers: 200 accepted/duplicate/ping/ignored,
 * 400 malformed, 401 bad signature, 404 unknown provider/connection, 405, 413, 500 — all logged,
 * none thrown.
 */
export function createWebhookHandler(
  ingest: (provider: string, request: RawWebhookRequest) => Promise<IngestResult>,
  logger: Logger,
): WebHandler {
  return async (request, params) => {
    const provider = params?.provider ?? lastPathSegment(request.url)
    try {
      if (request.method !== 'POST') return json(405, { error: 'METHOD_NOT_ALLOWED' }, { allow: 'POST' })
      const rawBody = await readBody(request)
      const headers: Record<string, string> = {}
      request.headers.forEach((value, key) => {
        headers[key.toLowerCase()] = value
      })
      const result = await ingest(provider, { method: request.method, url: request.url, headers, rawBody })
      logger.debug({ provider, status: result.status, eventId: result.event?.id }, 'webhook ingested')
      return json(200, { status: result.status, eventId: result.event?.id ?? null, created: result.created })
    } catch (error) {
      if (error instanceof WebhookError) {
        logger.warn({ provider, code: error.code, status: error.status }, `webhook refused: ${error.message}`)
        return json(error.status, { error: error.code })
      }
      logger.error(
        { provider, err: error instanceof Error ? error.message : String(error) },
        'webhook ingest failed',
      )
      return json(500, { error: 'INTERNAL_ERROR' })
    }
  }
}

async function readBody(request: Request): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > MAX_WEBHOOK_BYTES) throw new WebhookError(413, 'WEBHOOK_TOO_LARGE', 'webhook body too large')
  const body = new Uint8Array(await request.arrayBuffer())
  if (body.byteLength > MAX_WEBHOOK_BYTES)
    throw new WebhookError(413, 'WEBHOOK_TOO_LARGE', 'webhook body too large')
  return body
}

function lastPathSegment(url: string): string {
  const path = new URL(url, 'http://localhost').pathname.replace(/\/+$/, '')
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1))
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}
