import { createHmac } from 'node:crypto'
import {
  type ExecutionContext,
  type OperationHandler,
  PROVIDER_SPEC_VERSION,
  type ProviderAdapter,
  StaleInventoryError,
  WebhookError,
  type WorkItemSpec,
} from '../../src/index.js'

/** A scripted external store used by the engine tests: stock with compare-and-swap. */
export interface AcmeShop {
  stock: Map<string, number>
  /** Idempotency keys already applied, with the quantity they produced. */
  pushes: Map<string, number>
  reads: number
  /** Make the next N reads throw (simulated outage). */
  failReads: number
}

export function acmeShop(initial: Record<string, number> = {}): AcmeShop {
  return { stock: new Map(Object.entries(initial)), pushes: new Map(), reads: 0, failReads: 0 }
}

export const ACME_SECRET = 'whsec_acme_super_secret_value'

export function signAcme(body: string, secret = ACME_SECRET) {
  return createHmac('sha256', secret).update(body).digest('base64')
}

/** Scripted operations: tests register behaviours by name and enqueue `script` items. */
export type Script = (ctx: ExecutionContext) => Promise<void>

export function acmeProvider(shop: AcmeShop, scripts: Map<string, Script> = new Map()): ProviderAdapter {
  const script: OperationHandler = async (ctx) => {
    const name = (ctx.item.payload as { script: string }).script
    const fn = scripts.get(name)
    if (!fn) throw new Error(`no script ${name}`)
    await fn(ctx)
    return { result: { script: name } }
  }
  return {
    specificationVersion: PROVIDER_SPEC_VERSION,
    provider: 'acme',
    capabilities: {
      inventoryCompareAndSwap: true,
      webhookRetries: true,
      bulkImport: false,
      orderWebhooks: false,
    },
    secretKeys: ['webhookSecret', 'apiToken'],
    webhooks: {
      identify(request) {
        const shopDomain = request.headers['x-acme-shop']
        if (!shopDomain) throw new WebhookError(400, 'WEBHOOK_MALFORMED', 'missing x-acme-shop')
        return shopDomain
      },
      async verify(request, target) {
        const secret = (target?.credentials as { webhookSecret?: string } | null)?.webhookSecret
        if (!secret) return
        const expected = signAcme(Buffer.from(request.rawBody).toString('utf8'), secret)
        if (request.headers['x-acme-signature'] !== expected) {
          throw new WebhookError(401, 'WEBHOOK_SIGNATURE_INVALID', 'bad signature')
        }
      },
      parse(request) {
        const text = Buffer.from(request.rawBody).toString('utf8')
        let body: { id?: string; topic?: string; inventoryItemIds?: string[]; scripts?: string[] }
        try {
          body = JSON.parse(text)
        } catch {
          throw new WebhookError(400, 'WEBHOOK_MALFORMED', 'body is not JSON')
        }
        if (body.topic === 'ping') return { kind: 'ping', topic: 'ping' }
        if (!body.id || !body.topic) throw new WebhookError(400, 'WEBHOOK_MALFORMED', 'missing id/topic')
        const work: WorkItemSpec[] = [
          ...(body.inventoryItemIds ?? []).map((id) => ({
            operation: 'inventory.reconcile',
            idempotencyKey: `evt:${body.id}:${id}`,
            entityType: 'inventory_item',
            externalId: id,
          })),
          ...(body.scripts ?? []).map((s) => ({
            operation: 'script',
            idempotencyKey: `evt:${body.id}:script:${s}`,
            entityType: 'test',
            payload: { script: s },
          })),
        ]
        return {
          kind: 'event',
          providerEventId: body.id,
          topic: body.topic,
          occurredAt: null,
          payload: body,
          work,
        }
      },
    },
    inventory: {
      async read(_ctx, externalId) {
        shop.reads++
        if (shop.failReads > 0) {
          shop.failReads--
          throw new Error('connect ECONNRESET')
        }
        return { quantity: shop.stock.get(externalId) ?? 0 }
      },
      async push(_ctx, { externalId, observed, target, idempotencyKey }) {
        const done = shop.pushes.get(idempotencyKey)
        if (done !== undefined) return { quantity: done }
        const current = shop.stock.get(externalId) ?? 0
        if (current !== observed.quantity) throw new StaleInventoryError()
        shop.stock.set(externalId, target)
        shop.pushes.set(idempotencyKey, target)
        return { quantity: target }
      },
    },
    operations: { script },
  }
}
