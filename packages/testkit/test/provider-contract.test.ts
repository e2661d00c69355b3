import { createHmac } from 'node:crypto'
import {
  type Json,
  normalizedProductSchema,
  PROVIDER_SPEC_VERSION,
  type ProviderAdapter,
  RetryableError,
  StaleInventoryError,
  WebhookError,
} from '@hub/core'
import { type ContractFake, runProviderContract } from '../src/contract/index.js'

/**
 * A tiny in-memory store and its adapter: the reference the contract suite is checked against,
 * and the smallest example of a provider that passes it.
 */
class TinyStore {
  products = new Map<string, { title: string; sku: string; price: string; quantity: number }>()
  outbox: Array<{ id: string; item: string }> = []
  failures: Array<'server-error' | 'throttle'> = []
  writeCount = 0
  applied = new Map<string, number>()
  seq = 0
  readonly secret = 'tiny-webhook-secret-0123456789'
  readonly token = 'tiny-api-token-abcdefghijklmnop'

  call() {
    const failure = this.failures.shift()
    if (failure === 'server-error') throw new RetryableError('HTTP_503', 'tiny store answered 503')
    if (failure === 'throttle')
      throw new RetryableError('THROTTLED', 'tiny store throttled', { retryAfterMs: 1 })
  }
  change(item: string, quantity: number) {
    this.products.get(item)!.quantity = quantity
    this.outbox.push({ id: `evt-${++this.seq}`, item })
  }
  request(body: object, secret = this.secret) {
    const text = JSON.stringify(body)
    return new Request('http://localhost/hooks/tiny', {
      method: 'POST',
      headers: {
        'x-tiny-store': 'tiny.test',
        'x-tiny-hmac': createHmac('sha256', secret).update(text).digest('hex'),
      },
      body: text,
    })
  }
}

function tinyAdapter(store: TinyStore): ProviderAdapter {
  return {
    specificationVersion: PROVIDER_SPEC_VERSION,
    provider: 'tiny',
    capabilities: {
      inventoryCompareAndSwap: true,
      webhookRetries: false,
      bulkImport: false,
      orderWebhooks: false,
    },
    webhooks: {
      identify: (r) => r.headers['x-tiny-store'] ?? '',
      async verify(r, target) {
        const secret = (target?.credentials as { secret: string } | null)?.secret ?? ''
        const mac = createHmac('sha256', secret).update(r.rawBody).digest('hex')
        if (mac !== r.headers['x-tiny-hmac']) throw new WebhookError(401, 'BAD_SIGNATURE', 'bad signature')
      },
      parse(r) {
        const body = JSON.parse(Buffer.from(r.rawBody).toString()) as { id: string; item: string }
        return {
          kind: 'event',
          providerEventId: body.id,
          topic: 'stock',
          occurredAt: null,
          payload: body,
          work: [
            {
              operation: 'inventory.reconcile',
              idempotencyKey: `evt:${body.id}`,
              entityType: 'inventory_item',
              externalId: body.item,
            },
          ],
        }
      },
    },
    inventory: {
      async read(ctx, id) {
        if ((ctx.credentials as { token: string }).token !== store.token) throw new Error('unauthorized')
        store.call()
        return { quantity: store.products.get(id)!.quantity }
      },
      async push(_ctx, { externalId, observed, target, idempotencyKey }) {
        store.call()
        const done = store.applied.get(idempotencyKey)
        if (done !== undefined) return { quantity: done }
        const product = store.products.get(externalId)!
        if (product.quantity !== observed.quantity) throw new StaleInventoryError()
        store.writeCount++
        store.change(externalId, target)
        store.applied.set(idempotencyKey, target)
        return { quantity: target }
      },
    },
    operations: {
      'catalog.import': async (ctx) => {
        store.call()
        await ctx.enqueue(
          [...store.products.entries()].map(([id, p]) => ({
            operation: 'catalog.submit',
            idempotencyKey: `submit:${id}`,
            entityType: 'product',
            externalId: id,
            payload: JSON.parse(
              JSON.stringify(
                normalizedProductSchema.parse({
                  externalId: id,
                  title: p.title,
                  variants: [
                    {
                      externalId: id,
                      inventoryItemId: id,
                      sku: p.sku,
                      title: 'Default',
                      price: p.price,
                      quantity: p.quantity,
                    },
                  ],
                }),
              ),
            ) as Json,
          })),
        )
        return undefined
      },
    },
  }
}

function tinyFake(store: TinyStore): ContractFake {
  return {
    name: 'tiny in-memory store',
    start: async () => {},
    stop: async () => {},
    async reset() {
      store.products.clear()
      store.outbox = []
      store.failures = []
      store.applied.clear()
    },
    connection: async () => ({
      externalAccountId: 'tiny.test',
      credentials: { secret: store.secret, token: store.token },
    }),
    async seedProduct(input) {
      const id = `p${store.products.size + 1}`
      store.products.set(id, { ...input })
      return { productId: id, variantId: id, inventoryItemId: id }
    },
    quantity: async (id) => store.products.get(id)!.quantity,
    setQuantity: async (id, q) => store.change(id, q),
    sell: async (id, n) => store.change(id, store.products.get(id)!.quantity - n),
    async takeDeliveries() {
      const out = store.outbox.map((e) => store.request(e))
      store.outbox = []
      return out
    },
    forgedDelivery: async () => store.request({ id: 'forged', item: 'p1' }, 'not-the-secret-at-all'),
    failNext: (kind, count) => {
      for (let i = 0; i < count; i++) store.failures.push(kind)
    },
    writes: () => store.writeCount,
  }
}

const store = new TinyStore()
runProviderContract(tinyAdapter(store), tinyFake(store))
