import type { IncomingMessage, ServerResponse } from 'node:http'
import type { WebHandler } from './web-webhook-handler.js'
import { MAX_WEBHOOK_BYTES } from './web-webhook-handler.js'

/** A Node `http` request listener (Express, Fastify raw, `http.createServer` all accept it). */
export type NodeHandler = (
  req: IncomingMessage & { params?: Record<string, string> },
  res: ServerResponse,
) => void

/**
 * Adapt a Web handler to Node's `http`. Reads the raw body itself (mount it before any JSON
 * body parser, which would destroy the bytes the signature covers). Route params such as
 * Express's `req.params.provider` are passed through.
 */
export function toNodeHandler(handler: WebHandler): NodeHandler {
  return (req, res) => {
    void (async () => {
      try {
        const chunks: Buffer[] = []
        let size = 0
        for await (const chunk of req) {
          size += (chunk as Buffer).length
          if (size > MAX_WEBHOOK_BYTES) {
            res.writeHead(413, { 'content-type': 'application/json' }).end('{"error":"WEBHOOK_TOO_LARGE"}')
            return
          }
          chunks.push(chunk as Buffer)
        }
        const headers = new Headers()
        for (const [key, value] of Object.entries(req.headers)) {
          if (typeof value === 'string') headers.set(key, value)
          else if (Array.isArray(value)) headers.set(key, value.join(', '))
        }
        const url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`
        const method = req.method ?? 'GET'
        const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.concat(chunks)
        const request = new Request(url, { method, headers, ...(body ? { body } : {}) })
        const provider = req.params?.provider
        const response = await handler(request, provider ? { provider } : undefined)
        const outHeaders: Record<string, string> = {}
        response.headers.forEach((value, key) => {
          outHeaders[key] = value
        })
        res.writeHead(response.status, outHeaders).end(Buffer.from(await response.arrayBuffer()))
      } catch {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
        res.end('{"error":"INTERNAL_ERROR"}')
      }
    })()
  }
}
