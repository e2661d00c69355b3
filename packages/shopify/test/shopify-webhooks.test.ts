import '@shopify/shopify-api/adapters/web-api'
import {
  type ProviderWebhooks,
  type RawWebhookRequest,
  type WebhookConnection,
  WebhookError,
} from '@hub/core'
import { ApiVersion, LogSeverity, shopifyApi } from '@shopify/shopify-api'
import { describe, expect, it } from 'vitest'
import { parseJsonWithTokenizer } from '../src/shopify-json.js'
import {
  createShopifyWebhooks,
  inventoryItemIdOfLevelPayload,
  verifyShopifyWebhookSignature,
} from '../src/shopify-webhooks.js'
import { delivery, signWebhook, webhookSamples } from './fixtures.js'

const SECRET = 'shpss_current_secret'
const PREVIOUS = 'shpss_previous_secret'
const webhooks = createShopifyWebhooks({ apiSecret: SECRET, previousApiSecret: PREVIOUS })
const target = null as unknown as WebhookConnection

const oracle = shopifyApi({
  apiKey: 'key',
  apiSecretKey: SECRET,
  hostName: 'hub.example.com',
  apiVersion: ApiVersion.October26,
  isEmbeddedApp: false,
  logger: { level: LogSeverity.Error, log: async () => {} },
})

/** What the official library says about a delivery (it needs the body as a string). */
async function oracleAccepts(request: RawWebhookRequest): Promise<boolean> {
  const rawBody = new TextDecoder().decode(request.rawBody)
  const rawRequest = new Request(request.url, { method: 'POST', body: rawBody, headers: request.headers })
  const result = await oracle.webhooks.validate({ rawBody, rawRequest })
  return result.valid
}

async function rejection(hooks: ProviderWebhooks, request: RawWebhookRequest): Promise<WebhookError> {
  const error = await hooks.verify(request, null).then(
    () => null,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(WebhookError)
  return error as WebhookError
}

function parseError(request: RawWebhookRequest): WebhookError {
  try {
    webhooks.parse(request, target)
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookError)
    return error as WebhookError
  }
  throw new Error('parse did not throw')
}

/** Every string leaf of a parsed tree. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value)
  else if (Array.isArray(value)) for (const v of value) strings(v, out)
  else if (value && typeof value === 'object') for (const v of Object.values(value)) strings(v, out)
  return out
}

describe('fixed signature vectors', () => {
  it('computes RFC 4231 test case 2 as base64', () => {
    const body = new TextEncoder().encode('what do ya want for nothing?')
    expect(
      verifyShopifyWebhookSignature(body, 'W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=', ['Jefe']),
    ).toBe(true)
    expect(
      verifyShopifyWebhookSignature(body, 'W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=', ['jefe']),
    ).toBe(false)
    // The same digest in hex (the OAuth encoding) is not a webhook signature.
    expect(
      verifyShopifyWebhookSignature(
        body,
        '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
        ['Jefe'],
      ),
    ).toBe(false)
  })
})

describe('every Shopify sample payload', () => {
  const samples = webhookSamples()

  it('covers all 18 published topics', () => {
    expect(samples).toHaveLength(18)
  })

  it.each(samples.map((s) => [s.file, s] as const))(
    '%s verifies, parses and keeps ids intact',
    async (_f, sample) => {
      const request = delivery(sample.topic, sample.rawPayload, SECRET)
      await expect(webhooks.verify(request, null)).resolves.toBeUndefined()
      expect(await oracleAccepts(request)).toBe(true)
      const parsed = webhooks.parse(request, target)
      if (parsed.kind !== 'event') throw new Error('expected an event')
      expect(parsed.topic).toBe(sample.topic)
      expect(parsed.providerEventId).toBe('98880550-7158-44d4-b7cd-2c97c8a091b5')
      expect(parsed.occurredAt?.toISOString()).toBe('2023-03-29T18:00:27.877Z')
      expect(parsed.payload).toEqual(parseJsonWithTokenizer(sample.rawPayload))
      // Every integer literal that a JS number would round is present, digit for digit, as a string.
      const parsedStrings = new Set(strings(parsed.payload))
      const bigLiterals = [...sample.rawPayload.matchAll(/[:[,]\s*(-?\d{16,})\s*(?=[,\]}])/g)].map(
        (m) => m[1] ?? '',
      )
      for (const literal of bigLiterals) {
        if (!Number.isSafeInteger(Number(literal))) expect(parsedStrings.has(literal), literal).toBe(true)
      }
    },
  )

  it('finds the big integer literals the id check relies on', () => {
    const all = samples.flatMap((s) =>
      [...s.rawPayload.matchAll(/[:[,]\s*(-?\d{16,})\s*(?=[,\]}])/g)].map((m) => m[1]),
    )
    expect(all).toContain('788032119674292922')
    expect(all).toContain('271878346596884015')
    expect(all.filter((n) => !Number.isSafeInteger(Number(n))).length).toBeGreaterThan(20)
  })

  it('routes inventory_levels/update to inventory.reconcile with the exact numeric InventoryItem id', () => {
    const sample = samples.find((s) => s.topic === 'inventory_levels/update')!
    const parsed = webhooks.parse(delivery(sample.topic, sample.rawPayload, SECRET), target)
    if (parsed.kind !== 'event') throw new Error('expected an event')
    expect(parsed.work).toEqual([
      {
        operation: 'inventory.reconcile',
        idempotencyKey: 'shopify:98880550-7158-44d4-b7cd-2c97c8a091b5:inventory.reconcile:271878346596884015',
        entityType: 'inventory_item',
        externalId: '271878346596884015',
        payload: { locationId: '24826418', available: null },
      },
    ])
  })

  it('routes products/create|update to catalog.refresh, app/uninstalled to connection.revoke, others to nothing', () => {
    const work = (topic: string) => {
      const sample = samples.find((s) => s.topic === topic)!
      const parsed = webhooks.parse(delivery(topic, sample.rawPayload, SECRET), target)
      return parsed.kind === 'event' ? parsed.work : []
    }
    for (const topic of ['products/create', 'products/update']) {
      expect(work(topic)).toEqual([
        {
          operation: 'catalog.refresh',
          idempotencyKey: 'shopify:98880550-7158-44d4-b7cd-2c97c8a091b5:catalog.refresh:788032119674292922',
          entityType: 'product',
          externalId: '788032119674292922',
          payload: { topic, updatedAt: '2021-12-31T19:00:00-05:00' },
        },
      ])
    }
    expect(work('products/delete')).toEqual([])
    expect(work('app/uninstalled')).toMatchObject([
      { operation: 'connection.revoke', entityType: 'connection', externalId: 'demo-shop.myshopify.com' },
    ])
    expect(work('orders/create')).toEqual([])
    expect(work('shop/redact')).toEqual([])
  })
})

describe('InventoryLevel GID quirk', () => {
  it('takes the item id from the GID query when inventory_item_id is absent, and refuses disagreement', () => {
    const gid = 'gid://shopify/InventoryLevel/24826418?inventory_item_id=271878346596884015'
    expect(inventoryItemIdOfLevelPayload({ location_id: 1, admin_graphql_api_id: gid })).toBe(
      '271878346596884015',
    )
    expect(() =>
      inventoryItemIdOfLevelPayload({ inventory_item_id: 5, location_id: 1, admin_graphql_api_id: gid }),
    ).toThrow(WebhookError)
    expect(() => inventoryItemIdOfLevelPayload({ location_id: 1 })).toThrow(WebhookError)
  })
})

describe('malformed and hostile deliveries', () => {
  const body = '{"id":788032119674292922,"title":"T","variants":[]}'

  it('accepts the previous secret during rotation, refuses any other', async () => {
    await expect(webhooks.verify(delivery('products/update', body, PREVIOUS), null)).resolves.toBeUndefined()
    const onlyCurrent = createShopifyWebhooks({ apiSecret: SECRET })
    expect((await rejection(onlyCurrent, delivery('products/update', body, PREVIOUS))).status).toBe(401)
    expect((await rejection(webhooks, delivery('products/update', body, 'someone-else'))).code).toBe(
      'WEBHOOK_SIGNATURE_INVALID',
    )
  })

  it('answers 401 for missing, malformed or non-canonical signatures, agreeing with the official library', async () => {
    const good = signWebhook(body, SECRET)
    const variants: Record<string, string | undefined> = {
      missing: undefined,
      empty: '',
      hex: Buffer.from(good, 'base64').toString('hex'),
      unpadded: good.replace(/=$/, ''),
      urlSafe: good.replace(/\+/g, '-').replace(/\//g, '_'),
      flipped: `${good[0] === 'A' ? 'B' : 'A'}${good.slice(1)}`,
      truncated: good.slice(0, 20),
      doubled: good + good,
    }
    for (const [name, signature] of Object.entries(variants)) {
      if (signature === good) continue
      const request = delivery('products/update', body, SECRET, { 'x-shopify-hmac-sha256': signature })
      const error = await rejection(webhooks, request)
      expect(error.status, name).toBe(401)
      expect(await oracleAccepts(request), name).toBe(false)
    }
  })

  it('answers 401 for an empty body and for a body changed after signing', async () => {
    const empty = delivery('products/update', '', SECRET)
    expect((await rejection(webhooks, empty)).code).toBe('WEBHOOK_BODY_EMPTY')
    expect(await oracleAccepts(empty)).toBe(false)
    const signed = delivery('products/update', body, SECRET)
    const truncated = { ...signed, rawBody: signed.rawBody.slice(0, -5) }
    expect((await rejection(webhooks, truncated)).status).toBe(401)
    const reserialized = delivery('products/update', JSON.stringify(JSON.parse(body)), SECRET, {
      'x-shopify-hmac-sha256': signWebhook(body, SECRET),
    })
    expect((await rejection(webhooks, reserialized)).status).toBe(401)
  })

  it('answers 401 on a bad signature for every compliance topic', async () => {
    for (const topic of ['customers/data_request', 'customers/redact', 'shop/redact']) {
      const payload = '{"shop_id":954889,"shop_domain":"demo-shop.myshopify.com"}'
      const request = delivery(topic, payload, 'wrong-secret')
      expect((await rejection(webhooks, request)).status, topic).toBe(401)
      await expect(webhooks.verify(delivery(topic, payload, SECRET), null)).resolves.toBeUndefined()
    }
  })

  it('answers 400 for truncated JSON, wrong encoding and payloads of the wrong shape, even when signed', async () => {
    const truncated = delivery('products/update', body.slice(0, -3), SECRET)
    await webhooks.verify(truncated, null)
    expect(parseError(truncated).code).toBe('WEBHOOK_PAYLOAD_INVALID')

    const latin1 = Uint8Array.from(
      [...'{"title":"caf'].map((c) => c.charCodeAt(0)).concat([0xe9, 0x22, 0x7d]),
    )
    const wrongEncoding = delivery('products/update', latin1, SECRET)
    await webhooks.verify(wrongEncoding, null)
    expect(parseError(wrongEncoding).code).toBe('WEBHOOK_ENCODING_INVALID')

    const wrongShape = delivery(
      'inventory_levels/update',
      '{"inventory_item_id":"abc","location_id":1}',
      SECRET,
    )
    expect(parseError(wrongShape).status).toBe(400)
    expect(parseError(delivery('products/update', '[1,2]', SECRET)).code).toBe('WEBHOOK_PAYLOAD_INVALID')
    expect(parseError(delivery('products/update', '{"id":-4,"title":"x"}', SECRET)).status).toBe(400)
  })

  it('needs a topic, an event id and a valid shop domain', () => {
    expect(parseError(delivery('products/update', body, SECRET, { 'x-shopify-topic': undefined })).code).toBe(
      'WEBHOOK_TOPIC_INVALID',
    )
    expect(parseError(delivery('../../etc', body, SECRET)).code).toBe('WEBHOOK_TOPIC_INVALID')
    const noIds = { 'x-shopify-event-id': undefined, 'x-shopify-webhook-id': undefined }
    expect(parseError(delivery('products/update', body, SECRET, noIds)).code).toBe('WEBHOOK_EVENT_ID_MISSING')
    const webhookIdOnly = webhooks.parse(
      delivery('products/update', body, SECRET, { 'x-shopify-event-id': undefined }),
      target,
    )
    expect(webhookIdOnly.kind === 'event' && webhookIdOnly.providerEventId).toBe(
      'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
    )

    expect(
      webhooks.identify(
        delivery('products/update', body, SECRET, { 'x-shopify-shop-domain': 'Demo-Shop.myshopify.com' }),
      ),
    ).toBe('demo-shop.myshopify.com')
    for (const shop of [
      undefined,
      'evil.com',
      'demo-shop.myshopify.com.evil.com',
      'demo-shop.myshopify.com/../x',
    ]) {
      expect(
        () => webhooks.identify(delivery('products/update', body, SECRET, { 'x-shopify-shop-domain': shop })),
        shop,
      ).toThrow(WebhookError)
    }
  })

  it('accepts the un-prefixed Shopify-* header names of the newer event delivery', async () => {
    const classic = delivery('products/update', body, SECRET)
    const headers = Object.fromEntries(
      Object.entries(classic.headers).map(([k, v]) => [k.replace(/^x-shopify-/, 'shopify-'), v]),
    )
    const request = { ...classic, headers }
    await expect(webhooks.verify(request, null)).resolves.toBeUndefined()
    expect(webhooks.parse(request, target)).toMatchObject({ kind: 'event', topic: 'products/update' })
  })
})
