import { batch } from './batch.js'
import { renderWebhook, WEBHOOK_HOOKS } from './render.js'
import { RestError, restResponse } from './rest-response.js'
import {
  ALLOW,
  invalidId,
  listResponse,
  type Route,
  type RouteContext,
  sortByDate,
  str,
} from './route-kit.js'
import type { WebhookRecord, WebhookStatus } from './types.js'

const STATUSES: readonly WebhookStatus[] = ['active', 'paused', 'disabled']

function findWebhook(ctx: RouteContext, status: number): WebhookRecord {
  const w = ctx.state.webhooks.get(ctx.params[0] ?? 0)
  if (!w) throw invalidId('shop_webhook', status)
  return w
}

function validUrl(raw: string | undefined): boolean {
  if (!raw) return false
  try {
    const u = new URL(raw)
    return u.protocol === 'http:' || u.protocol === 'https:'
  } catch {
    return false
  }
}

function invalidTopic(): RestError {
  return new RestError(
    'woocommerce_rest_shop_webhook_invalid_topic',
    'Webhook topic is required and must be valid.',
    400,
  )
}

function invalidDeliveryUrl(): RestError {
  return new RestError(
    'woocommerce_rest_shop_webhook_invalid_delivery_url',
    'Webhook delivery URL must be a valid URL starting with http:// or https://.',
    400,
  )
}

/** A random secret like `wp_generate_password(50, true, true)` when none is sent. */
function generatedSecret(ctx: RouteContext): string {
  return ctx.state.randomToken(
    50,
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()-_ []{}<>~`+=,.;:/?|',
  )
}

/** Create a webhook (always `active`) and ping it inside the request; the ping result is ignored. */
async function createWebhook(
  ctx: RouteContext,
  b: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const topic = str(b, 'topic')?.toLowerCase()
  if (!topic || !(topic in WEBHOOK_HOOKS)) throw invalidTopic()
  const deliveryUrl = str(b, 'delivery_url')
  if (!validUrl(deliveryUrl)) throw invalidDeliveryUrl()
  const w: WebhookRecord = {
    id: ctx.state.nextWebhookId++,
    name: str(b, 'name') ?? `Webhook created on ${ctx.state.now().toUTCString()}`,
    // The create path stores `active` whatever status was sent.
    status: 'active',
    topic,
    deliveryUrl: deliveryUrl as string,
    secret: str(b, 'secret') ?? generatedSecret(ctx),
    dateCreated: ctx.state.now(),
    dateModified: null,
    failureCount: 0,
    pendingDelivery: true,
  }
  ctx.state.webhooks.set(w.id, w)
  const rendered = renderWebhook(w, ctx.origin)
  await ctx.ping(w)
  return rendered
}

/** Partial update; re-activating keeps the hidden failure count (recorded). */
async function updateWebhook(
  ctx: RouteContext,
  w: WebhookRecord,
  b: Record<string, unknown>,
): Promise<unknown> {
  const topic = str(b, 'topic')?.toLowerCase()
  if (topic !== undefined && !(topic in WEBHOOK_HOOKS)) throw invalidTopic()
  const deliveryUrl = str(b, 'delivery_url')
  if (deliveryUrl !== undefined && !validUrl(deliveryUrl)) throw invalidDeliveryUrl()
  const status = str(b, 'status')
  if (topic) w.topic = topic
  if (deliveryUrl) w.deliveryUrl = deliveryUrl
  const name = str(b, 'name')
  if (name !== undefined) w.name = name
  const secret = str(b, 'secret')
  if (secret !== undefined) w.secret = secret
  if (status && (STATUSES as readonly string[]).includes(status)) w.status = status as WebhookStatus
  w.dateModified = ctx.state.now()
  const rendered = renderWebhook(w, ctx.origin)
  await ctx.pingIfPending(w)
  return rendered
}

function deleteWebhook(ctx: RouteContext, w: WebhookRecord): unknown {
  const rendered = renderWebhook(w, ctx.origin)
  ctx.state.webhooks.delete(w.id)
  return rendered
}

/** `/webhooks`, `/webhooks/<id>` and `/webhooks/batch`. */
export const webhookRoutes: Route[] = [
  {
    pattern: /^\/webhooks\/batch$/,
    kind: 'batch',
    handlers: Object.fromEntries(
      ['POST', 'PUT', 'PATCH'].map((m) => [
        m,
        (ctx: RouteContext) =>
          batch(ctx, {
            create: (item) => createWebhook(ctx, item),
            update: (id, item) => {
              const w = ctx.state.webhooks.get(id)
              if (!w) throw invalidId('shop_webhook', 400)
              return updateWebhook(ctx, w, item)
            },
            remove: (id) => {
              const w = ctx.state.webhooks.get(id)
              if (!w) throw invalidId('shop_webhook', 404)
              return deleteWebhook(ctx, w)
            },
          }),
      ]),
    ),
  },
  {
    pattern: /^\/webhooks$/,
    kind: 'collection',
    handlers: {
      GET: (ctx) => {
        const status = ctx.query.get('status') ?? 'all'
        const items = [...ctx.state.webhooks.values()].filter((w) => status === 'all' || w.status === status)
        return listResponse(
          ctx,
          sortByDate(items, (w) => w.dateCreated, ctx.query),
          (w) => renderWebhook(w, ctx.origin),
        )
      },
      POST: async (ctx) => {
        const w = await createWebhook(ctx, ctx.body)
        return restResponse(ctx.origin, 201, w, {
          location: `${ctx.origin}/wp-json/wc/v3/webhooks/${w['id']}`,
          allow: ALLOW.collection,
        })
      },
    },
  },
  {
    pattern: /^\/webhooks\/(\d+)$/,
    kind: 'item',
    handlers: {
      GET: (ctx) =>
        restResponse(ctx.origin, 200, renderWebhook(findWebhook(ctx, 404), ctx.origin), {
          allow: ALLOW.item,
        }),
      ...Object.fromEntries(
        ['POST', 'PUT', 'PATCH'].map((m) => [
          m,
          async (ctx: RouteContext) =>
            restResponse(ctx.origin, 200, await updateWebhook(ctx, findWebhook(ctx, 400), ctx.body), {
              allow: ALLOW.item,
            }),
        ]),
      ),
      DELETE: (ctx) => {
        if (ctx.query.get('force') !== 'true') {
          throw new RestError(
            'woocommerce_rest_trash_not_supported',
            'Webhooks do not support trashing.',
            501,
          )
        }
        return restResponse(ctx.origin, 200, deleteWebhook(ctx, findWebhook(ctx, 404)), { allow: ALLOW.item })
      },
    },
  },
]
