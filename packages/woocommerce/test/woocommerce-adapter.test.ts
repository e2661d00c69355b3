import { ConfigError, type Json, PROVIDER_SPEC_VERSION } from '@hub/core'
import { createFakeWoo } from '@hub/testkit/woocommerce'
import { setupServer } from 'msw/node'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  WOO_ORDERS_POLL,
  WOO_PRODUCTS_POLL,
  WOO_WEBHOOKS_ENSURE,
  woocommerce,
} from '../src/woocommerce-adapter.js'
import { WOO_INVENTORY_ORDER, WOO_PRODUCT_REFRESH } from '../src/woocommerce-webhooks.js'
import { testContext } from './context.js'

const woo = createFakeWoo({
  baseUrl: 'https://adapter-woo.test',
  webhookDelivery: 'manual',
  fetch: async () => new Response(null),
})
const server = setupServer(...woo.handlers)
beforeAll(() => server.listen({ onUnhandledFrame: 'error' }))
afterAll(async () => {
  server.close()
  await woo.close()
})
beforeEach(() => woo.reset())

const adapter = woocommerce({ importPageSize: 2 })
const credentials = {
  consumerKey: woo.credentials.consumerKey,
  consumerSecret: woo.credentials.consumerSecret,
  webhookSecret: 'adapter-secret',
}
const context = (extra: Parameters<typeof testContext>[0] = {}) =>
  testContext({
    externalAccountId: 'https://adapter-woo.test/',
    credentials,
    settings: { currency: 'EUR' },
    ...extra,
  })

function op(name: string) {
  const handler = adapter.operations[name]
  if (!handler) throw new Error(`no operation ${name}`)
  return handler
}

describe('woocommerce adapter', () => {
  it('declares its contract version, capabilities and secret keys', () => {
    expect(adapter.specificationVersion).toBe(PROVIDER_SPEC_VERSION)
    expect(adapter.provider).toBe('woocommerce')
    expect(adapter.capabilities).toEqual({
      inventoryCompareAndSwap: false,
      webhookRetries: false,
      bulkImport: false,
      orderWebhooks: true,
    })
    expect(adapter.secretKeys).toContain('consumerSecret')
    expect(adapter.secretKeys).toContain('webhookSecret')
    expect(() => woocommerce({ importPageSize: 101 })).toThrow(ConfigError)
  })

  it('catalog.import streams pages, includes variations, checkpoints each page', async () => {
    const ids = woo.seedProducts(5, { variableEvery: 2, variationsPerProduct: 2, stock: 4 })
    const { ctx, log } = context()
    const outcome = await op('catalog.import')(ctx)
    expect(outcome?.result).toMatchObject({ submitted: 5 })
    const submits = log.enqueued.filter((w) => w.operation === 'catalog.submit')
    expect(submits.map((w) => Number(w.externalId)).sort((a, b) => a - b)).toEqual(
      [...ids].sort((a, b) => a - b),
    )
    const variable = submits.find((w) => (w.payload as { variants: unknown[] }).variants.length === 2)
    expect(variable?.payload).toMatchObject({ currency: 'EUR', options: [{ name: expect.any(String) }] })
    expect(log.events.filter((e) => e.startsWith('checkpoint:'))).toEqual([
      'checkpoint:catalog.import:item-1:2',
      'checkpoint:catalog.import:item-1:3',
      'checkpoint:catalog.import:item-1:4',
    ])
  })

  it('catalog.import resumes from its checkpoint after a crash', async () => {
    woo.seedProducts(5, { variableEvery: 0 })
    const { ctx, log } = context()
    log.checkpoints.set('catalog.import:item-1', { cursor: '3', watermark: null })
    await op('catalog.import')(ctx)
    expect(log.enqueued).toHaveLength(1) // only page 3 of 3 (page size 2) is read again
  })

  it(`${WOO_PRODUCT_REFRESH} re-reads the parent with its variations`, async () => {
    const [parentId] = woo.seedProducts(1, { variableEvery: 1, variationsPerProduct: 3 })
    const { ctx, log } = context({ payload: { productId: parentId as number } })
    await op(WOO_PRODUCT_REFRESH)(ctx)
    expect(log.enqueued).toHaveLength(1)
    expect(log.enqueued[0]).toMatchObject({ operation: 'catalog.change', externalId: String(parentId) })
    expect((log.enqueued[0]?.payload as { variants?: unknown[] } | undefined)?.variants).toHaveLength(3)
    const gone = context({ payload: { productId: 999999 } })
    expect((await op(WOO_PRODUCT_REFRESH)(gone.ctx))?.result).toEqual({ gone: true })
    await expect(op(WOO_PRODUCT_REFRESH)(context({ payload: {} }).ctx)).rejects.toBeInstanceOf(ConfigError)
  })

  it(`${WOO_INVENTORY_ORDER} reconciles the mapped stock owner of every line`, async () => {
    const { ctx, log } = context({
      payload: {
        orderId: 27,
        modifiedGmt: '2026-11-25T11:22:04',
        lines: [
          { lineId: 3, productId: 18, variationId: 0, quantity: 2 },
          { lineId: 4, productId: 23, variationId: 25, quantity: 1 },
          { lineId: 5, productId: 40, variationId: 0, quantity: 1 },
        ],
      } as Json,
    })
    log.mappings.set('inventory_item:18', { internalId: 'inv-18' })
    log.mappings.set('inventory_item:25', { internalId: 'inv-25' })
    await op(WOO_INVENTORY_ORDER)(ctx)
    expect(log.enqueued.map((w) => [w.operation, w.entityType, w.externalId, w.idempotencyKey])).toEqual([
      ['inventory.reconcile', 'inventory_item', '18', 'inventory.reconcile:18:order:27:2026-11-25T11:22:04'],
      ['inventory.reconcile', 'inventory_item', '25', 'inventory.reconcile:25:order:27:2026-11-25T11:22:04'],
    ])
  })

  it(`${WOO_ORDERS_POLL} turns changed orders into inventory.order work and advances the watermark`, async () => {
    const product = woo.seedProduct({
      name: 'Mug',
      sku: 'M1',
      regularPrice: '5.00',
      manageStock: true,
      stockQuantity: 9,
    })
    const orderId = woo.createOrder({ lineItems: [{ productId: product.id, quantity: 2 }] })
    const { ctx, log } = context()
    await op(WOO_ORDERS_POLL)(ctx)
    expect(log.enqueued.map((w) => [w.operation, w.externalId])).toEqual([
      [WOO_INVENTORY_ORDER, String(orderId)],
    ])
    const watermark = log.checkpoints.get('orders.modified')?.watermark
    expect(watermark).toBeInstanceOf(Date)
    expect(watermark?.getTime()).toBeLessThan(Date.now())
    // the next pass overlaps the previous one: the same order may be planned again, under the same key
    const first = log.enqueued.map((w) => w.idempotencyKey)
    log.enqueued.length = 0
    await op(WOO_ORDERS_POLL)(context({ log }).ctx)
    expect(log.enqueued.map((w) => w.idempotencyKey).every((k) => first.includes(k))).toBe(true)
    expect(log.checkpoints.get('orders.modified')?.watermark?.getTime()).toBeGreaterThanOrEqual(
      watermark?.getTime() ?? 0,
    )
  })

  it(`${WOO_PRODUCTS_POLL} reconciles managed products changed since the watermark`, async () => {
    const product = woo.seedProduct({
      name: 'Mug',
      sku: 'M1',
      regularPrice: '5.00',
      manageStock: true,
      stockQuantity: 9,
    })
    const { ctx, log } = context()
    await op(WOO_PRODUCTS_POLL)(ctx)
    expect(log.enqueued.map((w) => [w.operation, w.externalId])).toEqual([
      ['inventory.reconcile', String(product.id)],
      ['catalog.change', String(product.id)],
    ])
    expect(log.checkpoints.get('products.modified')?.watermark).toBeInstanceOf(Date)
  })

  it(`${WOO_WEBHOOKS_ENSURE} registers the topics with the stored secret`, async () => {
    const deliveryUrl = 'https://hub.example.com/hooks/woocommerce?source=https%3A%2F%2Fadapter-woo.test%2F'
    const { ctx } = context({ payload: { deliveryUrl } })
    const outcome = await op(WOO_WEBHOOKS_ENSURE)(ctx)
    expect((outcome?.result as { created?: number[] } | undefined)?.created).toHaveLength(5)
    const second = await op(WOO_WEBHOOKS_ENSURE)(context({ payload: { deliveryUrl } }).ctx)
    expect((second?.result as { unchanged?: number[] } | undefined)?.unchanged).toHaveLength(5)
    await expect(
      op(WOO_WEBHOOKS_ENSURE)(
        context({ payload: { deliveryUrl }, credentials: { consumerKey: 'a', consumerSecret: 'b' } }).ctx,
      ),
    ).rejects.toBeInstanceOf(ConfigError)
  })

  it('refuses to run without valid credentials, never echoing them', async () => {
    const { ctx } = context({ credentials: { consumerKey: 'ck_only' } })
    const error = await op('catalog.import')(ctx).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'CREDENTIALS_INVALID' })
    expect((error as Error).message).not.toContain('ck_only')
  })
})

describe('normalizeAccountId', () => {
  it('gives the store URL the form X-WC-Webhook-Source carries', () => {
    expect(adapter.normalizeAccountId?.('HTTPS://Shop.Example.com:443')).toBe('https://shop.example.com/')
    expect(adapter.normalizeAccountId?.('shop.example.com/wp/')).toBe('https://shop.example.com/wp/')
    const identified = adapter.webhooks.identify({
      method: 'POST',
      url: 'https://hub.example.com/hooks',
      headers: { 'x-wc-webhook-source': 'https://shop.example.com/' },
      rawBody: new Uint8Array(),
    })
    expect(adapter.normalizeAccountId?.('https://shop.example.com')).toBe(identified)
  })

  it('refuses what is not a store URL with a ConfigError', () => {
    expect(() => adapter.normalizeAccountId?.('ftp://shop.example.com')).toThrow(ConfigError)
    expect(() => adapter.normalizeAccountId?.('http://')).toThrow(ConfigError)
  })
})
