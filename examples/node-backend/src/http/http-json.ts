import type { IncomingMessage, ServerResponse } from 'node:http'
import { ConfigError, HubError, type Logger, NotFoundError, WebhookError } from '@hub/core'

/** Largest JSON body the operator API reads. */
export const MAX_JSON_BYTES = 64 * 1024

/** An error with the HTTP status the server answers. */
export class HttpError extends HubError {
  readonly status: number
  constructor(status: number, code: string, message: string) {
    super(code, message)
    this.status = status
  }
}

/** Read and parse a JSON object body; an empty body is `{}`. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_JSON_BYTES)
      throw new HttpError(413, 'BODY_TOO_LARGE', `body exceeds ${MAX_JSON_BYTES} bytes`)
    chunks.push(chunk as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8').trim()
  if (!text) return {}
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new HttpError(400, 'BODY_INVALID', 'body is not valid JSON')
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, 'BODY_INVALID', 'body must be a JSON object')
  }
  return value as Record<string, unknown>
}

/** Answer with a JSON body. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  })
  res.end(text)
}

/**
 * The HTTP status of an error: typed errors keep their meaning (404 not found, 400 invalid
 * input, 409 a state that forbids the action), anything else is a 500 without details.
 */
export function errorStatus(error: unknown): { status: number; code: string; message: string } {
  if (error instanceof HttpError) return { status: error.status, code: error.code, message: error.message }
  if (error instanceof WebhookError) return { status: error.status, code: error.code, message: error.message }
  if (error instanceof NotFoundError) return { status: 404, code: error.code, message: error.message }
  if (error instanceof ConfigError || (error instanceof HubError && error.code.endsWith('_INVALID'))) {
    return { status: 400, code: error.code, message: error.message }
  }
  if (error instanceof HubError) return { status: 409, code: error.code, message: error.message }
  return { status: 500, code: 'INTERNAL_ERROR', message: 'internal error' }
}

/** Answer an error as JSON, logging the unexpected ones. */
export function sendError(res: ServerResponse, error: unknown, logger: Logger) {
  const { status, code, message } = errorStatus(error)
  if (status === 500)
    logger.error({ err: error instanceof Error ? error.message : String(error) }, 'request failed')
  if (res.headersSent) {
    res.end()
    return
  }
  sendJson(res, status, { error: code, message })
}
