import { setupServer } from 'msw/node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createFakeWoo,
  type FakeWoo,
  signWooOAuth1Url,
  signWooWebhook,
  type WooDeliveryRecord,
} from '../src/woocommerce/index.js'
import {
  allDeliveryPhases,
  allExchangeNames,
  deliveries,
  type Exchange,
  exchange,
  headerMap,
  pick,
  RECORDED_SECRETS,
  type RecordedDelivery,
  SECRET_PLACEHOLDERS,
  shapeDiff,
} from './woocommerce-fixtures.js'

const HTTPS = 'https://127.0.0.1:8443'
const HTTP = 'http://127.0.0.1:8080'
const MAIN = {
  consumerKey: `ck_${'x'.repeat(40)}`,
  consumerSecret: `cs_${'x'.repeat(40)}`,
  permissions: 'read_write' as const,
}
const READ_ONLY = {
  consumerKey: `ck_${'r'.repeat(40)}`,
  consumerSecret: `cs_${'r'.repeat(40)}`,
  permissions: 'read' as const,
}
const VALUE_KEYS = [
  'stock_quantity',
  'stock_status',
  'manage_stock',
  'type',
  'status',
  'quantity',
  'sku',
  'total',
  'code',
]

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }

let clock = Date.parse('2026-11-25T11:20:47Z')
let callbackMode: 'trusted' | 'untrusted' = 'trusted'
const callbackBodies: Record<string, { consumer_key: string; consumer_secret: string }> = {}
let grantNonce = ''

/** The recorder's receivers: /hook answers 200, /hook500 500, /cb 200 (or a TLS failure), /cb500 500. */
const receiver: typeof fetch = async (input, init) => {
  const url = new URL(String(input))
  const body = typeof init?.body === 'string' ? init.body : ''
  if (url.pathname === '/cb' || url.pathname === '/cb500') {
    if (url.pathname === '/cb' && callbackMode === 'untrusted') {
      throw new TypeError('cURL error 60: SSL certificate problem: self-signed certificate')
    }
    callbackBodies[url.pathname] = JSON.parse(body)
    return new Response('', { status: url.pathname === '/cb' ? 200 : 500 })
  }
  return new Response('', { status: url.pathname === '/hook500' ? 500 : 200 })
}

const woo: FakeWoo = createFakeWoo({
  baseUrl: HTTPS,
  aliases: [HTTP],
  homeUrl: HTTP,
  keys: [MAIN, READ_ONLY],
  firstIds: { post: 18, webhook: 5, orderItem: 3 },
  webhookDelivery: 'manual',
  now: () => new Date(clock),
  fetch: receiver,
})
const server = setupServer(...woo.handlers)

function basic(ck: string, cs: string): string {
  return `Basic ${Buffer.from(`${ck}:${cs}`).toString('base64')}`
}

function credentialsFor(name: string): [string, string] {
  if (name.startsWith('errors/read-only')) return [READ_ONLY.consumerKey, READ_ONLY.consumerSecret]
  if (name === 'errors/wrong-key-basic-https') return [`ck_${'0'.repeat(40)}`, MAIN.consumerSecret]
  if (name === 'errors/wrong-secret-basic-https') return [MAIN.consumerKey, `cs_${'w'.repeat(40)}`]
  const granted = callbackBodies[name === 'wc-auth/use-key-from-failed-callback' ? '/cb500' : '/cb']
  if (name.startsWith('wc-auth/use-') && granted) return [granted.consumer_key, granted.consumer_secret]
  return [MAIN.consumerKey, MAIN.consumerSecret]
}

let nonceCounter = 0

/** Send a recorded request to the fake (through MSW), with real credentials in place of redactions. */
async function send(name: string, fx: Exchange): Promise<Response> {
  clock += 200
  const headers = new Headers()
  for (const [k, v] of Object.entries(fx.request.headers)) {
    if (k.toLowerCase() === 'authorization' || k.toLowerCase() === 'cookie') continue
    headers.set(k, v)
  }
  if (fx.request.headers['Cookie']) headers.set('cookie', woo.loginCookie)
  let url = `${fx.request.base}${fx.request.path}`
  if (name.startsWith('wc-auth/access-granted'))
    url = url.replace(/wc_auth_nonce=[^&]+/, `wc_auth_nonce=${grantNonce}`)
  if (fx.request.auth === 'basic') headers.set('authorization', basic(...credentialsFor(name)))
  if (fx.request.auth === 'oauth1-hmac-sha256-query') {
    const plain = new URL(url)
    for (const k of [...plain.searchParams.keys()]) if (k.startsWith('oauth_')) plain.searchParams.delete(k)
    const wrongKey = name === 'errors/wrong-key-oauth-http'
    const wrongSecret = name === 'errors/wrong-secret-oauth-http'
    url = signWooOAuth1Url({
      method: fx.request.method,
      url: plain.toString().replace(/\?$/, ''),
      consumerKey: wrongKey ? `ck_${'0'.repeat(40)}` : MAIN.consumerKey,
      consumerSecret: wrongSecret ? `cs_${'w'.repeat(40)}` : MAIN.consumerSecret,
      nonce: `nonce${++nonceCounter}`,
      timestamp: Math.floor(clock / 1000),
    })
    if (name === 'errors/bad-signature-oauth-http')
      url = url.replace(/oauth_signature=[^&]+/, 'oauth_signature=AAAA')
  }
  let body = fx.request.body
  if (body)
    for (const [placeholder, secret] of Object.entries(SECRET_PLACEHOLDERS))
      body = body.replace(placeholder, secret)
  return fetch(url, { method: fx.request.method, headers, body: body ?? undefined, redirect: 'manual' })
}

function normalizeLink(link: string | null | undefined): string | null {
  if (!link) return null
  return link.replace(/<([^>]+)>/g, (_m, href: string) => {
    const u = new URL(href)
    for (const k of [...u.searchParams.keys()]) if (k.startsWith('oauth_')) u.searchParams.delete(k)
    return `<${u.origin}${u.pathname}${u.search}>`
  })
}

function recordedHeader(fx: Exchange, name: string): string | undefined {
  const entry = Object.entries(fx.response.headers).find(([k]) => k.toLowerCase() === name)
  return entry?.[1]
}

function approveLinks(text: string): Record<string, string> {
  const approve = /class="[^"]*wc-auth-approve"[^>]*href="([^"]+)"/.exec(text)?.[1] ?? ''
  const deny = /class="[^"]*wc-auth-deny"[^>]*href="([^"]+)"/.exec(text)?.[1] ?? ''
  const decode = (s: string): string => s.replace(/&amp;/g, '&')
  return { 'wc-auth-approve': decode(approve), 'wc-auth-deny': decode(deny) }
}

/** Compare one response with its recording; returns the differences. */
async function compare(name: string, fx: Exchange, res: Response): Promise<string[]> {
  const problems: string[] = []
  if (res.status !== fx.response.status) problems.push(`status ${res.status}, recorded ${fx.response.status}`)
  for (const h of ['x-wp-total', 'x-wp-totalpages', 'allow', 'x-redirect-by']) {
    const rec = recordedHeader(fx, h) ?? null
    const ours = res.headers.get(h)
    if (rec !== ours) problems.push(`header ${h}: ${ours}, recorded ${rec}`)
  }
  const type = recordedHeader(fx, 'content-type')
  if (type && res.headers.get('content-type')?.toLowerCase() !== type.toLowerCase()) {
    problems.push(`content-type ${res.headers.get('content-type')}, recorded ${type}`)
  }
  const link = normalizeLink(recordedHeader(fx, 'link'))
  if (link !== normalizeLink(res.headers.get('link')))
    problems.push(`link ${res.headers.get('link')}, recorded ${link}`)
  const location = recordedHeader(fx, 'location')
  const ourLocation = res.headers.get('location')
  if ((location ?? null) !== (ourLocation === null ? null : ourLocation)) {
    const norm = (s: string | null | undefined): string | null => s?.replace(/\/\d+$/, '/:id') ?? null
    if (norm(location) !== norm(ourLocation)) problems.push(`location ${ourLocation}, recorded ${location}`)
  }
  const text = await res.text()
  const recorded = fx.response.body
  if (name.startsWith('wc-auth/') && !name.startsWith('wc-auth/use-')) {
    if (recorded.startsWith('Error:') && !text.includes(recorded)) problems.push(`html lacks "${recorded}"`)
    if (recorded.startsWith('{')) {
      const links = (JSON.parse(recorded) as { links: Record<string, string> }).links
      grantNonce = /wc_auth_nonce=([^&]+)/.exec(approveLinks(text)['wc-auth-approve'] ?? '')?.[1] ?? ''
      const strip = (o: Record<string, string>) =>
        Object.fromEntries(
          Object.entries(o).map(([k, v]) => [k, v.replace(/wc_auth_nonce=[^&]+/, 'wc_auth_nonce=N')]),
        )
      if (JSON.stringify(strip(approveLinks(text))) !== JSON.stringify(strip(links))) {
        problems.push(`grant links ${JSON.stringify(approveLinks(text))}, recorded ${JSON.stringify(links)}`)
      }
    }
    return problems
  }
  const expected = JSON.parse(recorded) as Json
  const actual = JSON.parse(text) as Json
  if (expected !== null && !Array.isArray(expected) && typeof expected === 'object' && 'code' in expected) {
    if (JSON.stringify(actual) !== JSON.stringify(expected))
      problems.push(`error body ${text}, recorded ${recorded}`)
    return problems
  }
  problems.push(...shapeDiff(expected, actual).slice(0, 10))
  const ev = pick(expected, VALUE_KEYS)
  const av = pick(actual, VALUE_KEYS)
  for (const [path, v] of Object.entries(ev))
    if (av[path] !== v) problems.push(`${path}: ${String(av[path])}, recorded ${String(v)}`)
  return problems
}

/** `flush` delivers what is queued; `more` keeps it for the next flush's comparison (one phase, several pumps). */
type Step = string | { at: string } | { admin: (w: FakeWoo) => void } | { flush: string[]; more?: boolean }

const PUT_CAP = (n: number): Step => ({ admin: (w) => w.updateProduct(21, { name: `Fixture Cap v${n}` }) })

/**
 * The recording session, in order: recorded requests (by fixture name), the unrecorded steps the
 * recorder took between them (admin calls), and the delivery phases flushed at their boundaries.
 */
const SCRIPT: Step[] = [
  'webhooks/create-product-created',
  { at: '2026-11-25T11:20:48Z' },
  'webhooks/create-product-updated',
  'webhooks/create-product-deleted',
  'webhooks/create-order-created',
  { at: '2026-11-25T11:20:49Z' },
  'webhooks/create-order-updated',
  { flush: ['webhook-create'] },
  { at: '2026-11-25T11:20:54Z' },
  'products/create-simple-managed',
  'products/create-simple-unmanaged',
  { at: '2026-11-25T11:20:55Z' },
  {
    admin: (w) =>
      w.seedProduct(
        {
          name: 'Fixture Sticker',
          sku: 'FX-STICKER',
          regularPrice: '2.00',
          manageStock: true,
          stockQuantity: 100,
        },
        { fireWebhook: true },
      ),
  },
  // An Action Scheduler pump ran here (payloads are built when it runs).
  { flush: [], more: true },
  { at: '2026-11-25T11:20:56Z' },
  {
    admin: (w) =>
      w.seedProduct(
        { name: 'Fixture Cap', sku: 'FX-CAP', regularPrice: '15.00', manageStock: true, stockQuantity: 3 },
        { fireWebhook: true },
      ),
  },
  {
    admin: (w) =>
      w.seedProduct(
        { name: 'Fixture Tote', sku: 'FX-TOTE', regularPrice: '9.00', stockStatus: 'outofstock' },
        { fireWebhook: true },
      ),
  },
  // An Action Scheduler pump ran here (payloads are built when it runs).
  { flush: [], more: true },
  { at: '2026-11-25T11:20:57Z' },
  'products/create-variable',
  'products/create-variation',
  { at: '2026-11-25T11:20:58Z' },
  {
    admin: (w) =>
      w.seedProduct(
        {
          parentId: 23,
          sku: 'FX-TEE-M-RED',
          regularPrice: '20.00',
          manageStock: true,
          stockQuantity: 7,
          variationAttributes: [
            { id: 0, name: 'Size', option: 'M' },
            { id: 0, name: 'Color', option: 'Red' },
          ],
        },
        { fireWebhook: true },
      ),
  },
  // An Action Scheduler pump ran here (payloads are built when it runs).
  { flush: [], more: true },
  { at: '2026-11-25T11:20:59Z' },
  {
    admin: (w) =>
      w.seedProduct(
        {
          parentId: 23,
          sku: 'FX-TEE-M-BLUE',
          regularPrice: '22.00',
          manageStock: true,
          stockQuantity: 2,
          variationAttributes: [
            { id: 0, name: 'Size', option: 'M' },
            { id: 0, name: 'Color', option: 'Blue' },
          ],
        },
        { fireWebhook: true },
      ),
  },
  { flush: ['products-create'] },
  'webhooks/get-webhook',
  'webhooks/list-webhooks',
  'products/get-simple',
  'products/get-variable',
  'products/get-variation',
  'products/get-variation-via-products-route',
  'products/list-variations',
  'products/list-page1-per_page2',
  'products/list-page2-per_page2',
  'products/list-page3-per_page2',
  'products/list-page-beyond-end',
  'products/list-page1-per_page2-oauth-http',
  'products/list-per_page101-error',
  'products/list-sku-filter',
  { at: '2026-11-25T11:21:17Z' },
  { admin: (w) => w.updateProduct(19, { description: 'Updated for modified_after' }) },
  { flush: ['products-modify-for-modified_after'] },
  'products/list-modified_after',
  'products/list-modified_after-variations',
  'errors/no-auth-http',
  'errors/no-auth-https',
  'errors/no-auth-single-product',
  'errors/basic-over-plain-http',
  'errors/wrong-key-basic-https',
  'errors/wrong-secret-basic-https',
  'errors/wrong-key-oauth-http',
  'errors/wrong-secret-oauth-http',
  'errors/bad-signature-oauth-http',
  'errors/product-404',
  'errors/put-product-404',
  'errors/variation-404',
  'errors/variation-wrong-parent',
  'errors/order-404',
  'errors/unknown-route',
  'errors/method-not-allowed',
  'errors/invalid-json-body',
  'errors/invalid-param-stock_quantity',
  'errors/read-only-key-put',
  'errors/read-only-key-batch',
  'stock/put-product-stock_quantity',
  { flush: ['stock-put-product'] },
  'stock/put-variation-stock_quantity',
  { flush: ['stock-put-variation'] },
  'stock/batch-update-valid-and-missing-id',
  'stock/batch-update-valid-and-invalid-value',
  'stock/batch-update-variations',
  'stock/batch-empty',
  'stock/batch-patch-empty',
  { flush: ['stock-batch'] },
  'stock/put-manage_stock-false',
  { flush: [], more: true },
  'stock/put-stock_quantity-on-unmanaged',
  { flush: [], more: true },
  'stock/put-manage_stock-false-and-quantity',
  'stock/put-stock_status-on-unmanaged',
  'stock/put-manage_stock-true-again',
  'stock/put-stock_quantity-zero',
  'stock/put-stock_quantity-negative',
  { flush: [], more: true },
  'stock/put-stock_quantity-string-number',
  'stock/put-stock_quantity-float',
  { flush: ['stock-unmanaged'] },
  'orders/stock-before-order-simple',
  'orders/stock-before-order-variation',
  'orders/create-order-processing-paid',
  { flush: ['orders-create'] },
  'orders/stock-after-order-simple',
  'orders/stock-after-order-variation',
  'orders/get-order',
  'orders/get-order-notes',
  'orders/list-orders',
  'orders/update-order-cancelled',
  { flush: ['orders-cancel'] },
  'orders/get-order-notes-after-cancel',
  'orders/stock-after-cancel-simple',
  'orders/stock-after-cancel-variation',
  'orders/create-order2-for-refund',
  'orders/stock-after-order2',
  { flush: [], more: true },
  'orders/create-refund-restock',
  { flush: ['orders-refund'] },
  'orders/stock-after-refund',
  'orders/list-refunds',
  'orders/get-order2-after-refund',
  'orders/update-order2-completed',
  { flush: ['orders-complete'] },
  'orders/create-order-pending-unpaid',
  { flush: ['orders-pending-stock'] },
  'orders/stock-after-pending-order',
  'errors/read-only-key-get-ok',
  'products/delete-trash',
  { flush: ['product-delete-trash'] },
  'products/get-trashed',
  'products/delete-force',
  'products/get-after-force-delete',
  { admin: (w) => w.setStock(21, 11) },
  { admin: (w) => w.setStock(21, 12) },
  { flush: ['coalesce-two-quick-puts'] },
  {
    admin: (w) => {
      for (const [id, qty] of [
        [18, 20],
        [20, 21],
        [21, 22],
      ] as const)
        w.setStock(id, qty)
    },
  },
  { flush: ['batch-three-products'] },
  // The recorder paused the healthy product.updated webhook (6) for the failure experiments.
  { admin: (w) => w.setWebhookStatus(6, 'paused') },
  'webhooks/create-failing-webhook',
  { flush: ['failing-webhook-create'] },
  ...[1, 2, 3, 4, 5, 6, 7].flatMap((n): Step[] => [
    PUT_CAP(n),
    { flush: [`failing-webhook-put-${n}`] },
    `webhooks/failing-webhook-after-put-${n}`,
  ]),
  PUT_CAP(8),
  { flush: [] },
  'webhooks/failing-webhook-after-put-8',
  PUT_CAP(9),
  { flush: [] },
  'webhooks/failing-webhook-after-put-9',
  'webhooks/failing-webhook-reactivate',
  { flush: ['failing-webhook-reactivate'] },
  'webhooks/failing-webhook-after-reactivate',
  PUT_CAP(10),
  { flush: ['failing-webhook-after-reactivate'] },
  'webhooks/failing-webhook-after-reactivate-one-more-failure',
  'wc-auth/authorize-logged-out',
  'wc-auth/authorize-invalid-scope',
  'wc-auth/authorize-http-callback-error',
  'wc-auth/authorize-callback-without-scheme',
  'wc-auth/authorize-grant-screen',
  'wc-auth/access-granted-success',
  'wc-auth/use-granted-key',
  'wc-auth/access-granted-callback-500',
  'wc-auth/use-key-from-failed-callback',
  { admin: () => (callbackMode = 'untrusted') },
  'wc-auth/access-granted-selfsigned-untrusted',
]

/** What we compare of a delivery: ping or topic, webhook, resource id, topic. */
function recordedSignature(phase: string): string[] {
  return deliveries(phase).map((d) => {
    const h = headerMap(d)
    if (!h['x-wc-webhook-topic']) return `ping ${d.request.body}`
    const id = (JSON.parse(d.request.body) as { id: number }).id
    return `${h['x-wc-webhook-topic']} #${h['x-wc-webhook-id']} id=${id}`
  })
}

describe('fake WooCommerce replays every recorded exchange', () => {
  const results = new Map<string, string[]>()
  const phaseResults = new Map<string, { ours: string[]; recorded: string[] }>()

  let logIndex = 0
  const deliveryShapes: Array<{ phase: string; ours: WooDeliveryRecord; recorded: RecordedDelivery }> = []
  beforeAll(async () => {
    server.listen({ onUnhandledFrame: 'error' })
    for (const step of SCRIPT) {
      if (typeof step === 'string') {
        const fx = exchange(step)
        if (step === 'wc-auth/access-granted-callback-500') {
          fx.request.path = fx.request.path.replace('cb500', 'cb500')
        }
        results.set(step, await compare(step, fx, await send(step, fx)))
      } else if ('at' in step) clock = Date.parse(step.at)
      else if ('admin' in step) {
        clock += 200
        step.admin(woo)
      } else {
        clock += 1000
        await woo.flushWebhooks()
        if (step.more) continue
        const sent = woo.deliveries.slice(logIndex)
        logIndex = woo.deliveries.length
        const ours = sent.map((d) =>
          d.kind === 'ping' ? `ping ${d.body}` : `${d.topic} #${d.webhookId} id=${d.resourceId}`,
        )
        const recorded = step.flush.flatMap(recordedSignature)
        const recordedDeliveries = step.flush.flatMap((phase) => deliveries(phase))
        for (const [i, d] of sent.entries()) {
          const rec = recordedDeliveries[i]
          if (rec) deliveryShapes.push({ phase: step.flush.join('+'), ours: d, recorded: rec })
        }
        const key = step.flush.join('+') || `(no delivery expected #${phaseResults.size})`
        phaseResults.set(key, { ours, recorded })
      }
    }
  })

  afterAll(async () => {
    server.close()
    await woo.close()
  })

  it('the script covers every recorded exchange exactly once', () => {
    const scripted = SCRIPT.filter((s): s is string => typeof s === 'string')
    expect(new Set(scripted).size).toBe(scripted.length)
    expect([...scripted].sort()).toEqual(allExchangeNames())
  })

  it.each(allExchangeNames())('%s matches status, key headers and body shape', (name) => {
    expect(results.get(name)).toEqual([])
  })

  it('sends the deliveries each recorded phase received, in order (coalesced, no retries)', () => {
    for (const [phase, { ours, recorded }] of phaseResults)
      expect({ phase, ours }).toEqual({ phase, ours: recorded })
    const covered = [...phaseResults.keys()].flatMap((k) => k.split('+'))
    expect(covered.filter((p) => !p.startsWith('('))).toEqual(expect.arrayContaining(allDeliveryPhases()))
  })

  it('sends deliveries shaped as recorded: same headers, PHP-escaped body of the same shape, valid signature', () => {
    expect(deliveryShapes.length).toBeGreaterThan(40)
    for (const { phase, ours, recorded } of deliveryShapes) {
      const rec = headerMap(recorded)
      const wcHeaders = (h: Record<string, string>) =>
        Object.keys(h)
          .filter((k) => k.startsWith('x-wc-'))
          .sort()
      expect({ phase, headers: wcHeaders(ours.headers) }).toEqual({ phase, headers: wcHeaders(rec) })
      expect(ours.headers['content-type']).toBe(rec['content-type'])
      expect(ours.headers['user-agent']).toBe(rec['user-agent'])
      if (!rec['x-wc-webhook-signature']) {
        expect(ours.body).toBe(recorded.request.body)
        continue
      }
      expect(ours.headers['x-wc-webhook-source']).toBe(rec['x-wc-webhook-source'])
      expect(ours.headers['x-wc-webhook-delivery-id']).toMatch(/^[0-9a-f]{32}$/)
      const secret = RECORDED_SECRETS[ours.headers['x-wc-webhook-id'] ?? ''] ?? ''
      expect(signWooWebhook(ours.body, secret)).toBe(ours.headers['x-wc-webhook-signature'])
      expect(ours.body.includes('/')).toBe(recorded.request.body.includes('/'))
      expect(ours.body).not.toMatch(/[^\\]\//)
      const diff = shapeDiff(JSON.parse(recorded.request.body) as Json, JSON.parse(ours.body) as Json)
      expect({ phase, diff }).toEqual({ phase, diff: [] })
    }
  })

  it('verifies every recorded signed delivery with the recorded secret', () => {
    let signed = 0
    for (const phase of allDeliveryPhases()) {
      for (const d of deliveries(phase)) {
        const h = headerMap(d)
        if (!h['x-wc-webhook-signature']) continue
        const secret = RECORDED_SECRETS[h['x-wc-webhook-id'] ?? ''] ?? ''
        expect(signWooWebhook(d.request.body, secret)).toBe(h['x-wc-webhook-signature'])
        expect(signWooWebhook(d.request.body, `${secret}x`)).not.toBe(h['x-wc-webhook-signature'])
        signed++
      }
    }
    expect(signed).toBeGreaterThan(40)
  })
})
