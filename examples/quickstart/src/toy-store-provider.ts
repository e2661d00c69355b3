import { createHmac, timingSafeEqual } from 'node:crypto'
import { PROVIDER_SPEC_VERSION, type ProviderAdapter, StaleInventoryError, WebhookError } from '@hub/core'

/**
 * An external store kept in memory, standing in for a real shop API: stock per inventory item,
 * writes with compare-and-swap and idempotency keys, and HMAC-signed webhooks.
 */
export class ToyStore {
  readonly stock = new Map<string, number>()
  private readonly applied = new Map<string, number>()
  constructor(
    readonly domain: string,
    readonly webhookSecret: string,
  ) {}

  /** Sign a webhook body the way this store does. */
  sign(body: string): string {
    return createHmac('sha256', this.webhookSecret).update(body).digest('base64')
  }

  /** A customer buys on the store. */
  sell(item: string, quantity: number) {
    this.stock.set(item, (this.stock.get(item) ?? 0) - quantity)
  }

  write(item: string, observed: number, target: number, key: string): number {
    const done = this.applied.get(key)
    if (done !== undefined) return done
    if ((this.stock.get(item) ?? 0) !== observed) throw new StaleInventoryError()
    this.stock.set(item, target)
    this.applied.set(key, target)
    return target
  }
}

/** A complete custom provider in one file: webhooks (identify, verify, parse) and inventory. */
export function toyStoreProvider(stores: Map<string, ToyStore>): ProviderAdapter {
  const storeFor = (domain: string) => {
    const store = stores.get(domain)
    if (!store) throw new WebhookError(404, 'CONNECTION_UNKNOWN', `unknown store ${domain}`)
    return store
  }
  return {
    specificationVersion: PROVIDER_SPEC_VERSION,
    provider: 'toy',
    capabilities: {
      inventoryCompareAndSwap: true,
      webhookRetries: true,
      bulkImport: false,
      orderWebhooks: false,
    },
    secretKeys: ['webhookSecret'],
    webhooks: {
      identify(request) {
        const domain = request.headers['x-toy-store']
        if (!domain) throw new WebhookError(400, 'WEBHOOK_MALFORMED', 'missing x-toy-store header')
        return domain
      },
      async verify(request, target) {
        const secret = (target?.credentials as { webhookSecret?: string } | null)?.webhookSecret
        const given = Buffer.from(request.headers['x-toy-signature'] ?? '', 'base64')
        const expected = createHmac('sha256', secret ?? '')
          .update(request.rawBody)
          .digest()
        if (!secret || given.length !== expected.length || !timingSafeEqual(given, expected)) {
          throw new WebhookError(401, 'WEBHOOK_SIGNATURE_INVALID', 'signature does not match')
        }
      },
      parse(request) {
        const body = JSON.parse(Buffer.from(request.rawBody).toString('utf8')) as {
          eventId: string
          item: string
        }
        if (!body.eventId || !body.item)
          throw new WebhookError(400, 'WEBHOOK_MALFORMED', 'eventId and item required')
        return {
          kind: 'event',
          providerEventId: body.eventId,
          topic: 'inventory/changed',
          occurredAt: null,
          payload: body,
          work: [
            {
              operation: 'inventory.reconcile',
              idempotencyKey: `evt:${body.eventId}`,
              entityType: 'inventory_item',
              externalId: body.item,
            },
          ],
        }
      },
    },
    inventory: {
      async read(ctx, externalId) {
        return { quantity: storeFor(ctx.connection.externalAccountId).stock.get(externalId) ?? 0 }
      },
      async push(ctx, { externalId, observed, target, idempotencyKey }) {
        const quantity = storeFor(ctx.connection.externalAccountId).write(
          externalId,
          observed.quantity,
          target,
          idempotencyKey,
        )
        return { quantity }
      },
    },
    operations: {},
  }
}
