import { createHmac } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { RawWebhookRequest } from '@hub/core'

/** The repo's parent holds `shared/`; computed from this file, never an absolute path. */
export const fixturesDir = fileURLToPath(new URL('../../../../shared/fixtures/shopify/', import.meta.url))

/** One webhook sample: its topic and the exact bytes of its payload as Shopify printed them. */
export interface WebhookSample {
  file: string
  topic: string
  rawPayload: string
}

/** Every `webhooks/<topic>.json` sample, with the raw payload text cut from the file (payload is the last key). */
export function webhookSamples(): WebhookSample[] {
  const dir = `${fixturesDir}webhooks/`
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json') && !file.startsWith('_'))
    .sort()
    .map((file) => {
      const text = readFileSync(`${dir}${file}`, 'utf8')
      const topic = /"topic":\s*"([^"]+)"/.exec(text)?.[1] ?? ''
      const start = text.indexOf('"payload":') + '"payload":'.length
      const rawPayload = text.slice(start, text.lastIndexOf('}')).trim()
      return { file, topic, rawPayload }
    })
}

/** Read a JSON fixture file (plain JSON.parse: only for fixtures without big ids in the fields used). */
export function readFixture(path: string): unknown {
  return JSON.parse(readFileSync(`${fixturesDir}${path}`, 'utf8'))
}

/** Base64 HMAC-SHA256 of bytes, as Shopify signs webhooks. */
export function signWebhook(body: string | Uint8Array, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64')
}

/** A signed delivery as the ingest handler hands it to the adapter (lower-case headers). */
export function delivery(
  topic: string,
  body: string | Uint8Array,
  secret: string,
  overrides: Record<string, string | undefined> = {},
): RawWebhookRequest {
  const rawBody = typeof body === 'string' ? new TextEncoder().encode(body) : body
  const headers: Record<string, string | undefined> = {
    'content-type': 'application/json',
    'x-shopify-topic': topic,
    'x-shopify-hmac-sha256': signWebhook(rawBody, secret),
    'x-shopify-shop-domain': 'demo-shop.myshopify.com',
    'x-shopify-api-version': '2026-10',
    'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    'x-shopify-event-id': '98880550-7158-44d4-b7cd-2c97c8a091b5',
    'x-shopify-triggered-at': '2023-03-29T18:00:27.877041743Z',
    ...overrides,
  }
  const clean: Record<string, string> = {}
  for (const [key, value] of Object.entries(headers)) if (value !== undefined) clean[key] = value
  return { method: 'POST', url: 'https://hub.example.com/hooks/shopify', headers: clean, rawBody }
}
