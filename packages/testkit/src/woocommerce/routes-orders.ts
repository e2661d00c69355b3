import { WooDomainError } from './domain-error.js'
import type { OrderLineInput } from './orders.js'
import { renderNote, renderOrder, renderRefund } from './render.js'
import { RestError, restResponse } from './rest-response.js'
import {
  ALLOW,
  asBoolean,
  dateParam,
  invalidId,
  listResponse,
  modifiedAfter,
  objects,
  phpIntval,
  type Route,
  type RouteContext,
  sortByDate,
  str,
} from './route-kit.js'
import type { OrderRecord, OrderStatus } from './types.js'

const ORDER_STATUSES: readonly OrderStatus[] = [
  'pending',
  'processing',
  'on-hold',
  'completed',
  'cancelled',
  'refunded',
  'failed',
]

function findOrder(ctx: RouteContext, status: number): OrderRecord {
  const order = ctx.state.orders.get(ctx.params[0] ?? 0)
  if (!order) throw invalidId('shop_order', status)
  return order
}

function statusParam(raw: unknown): OrderStatus | undefined {
  if (raw === undefined) return undefined
  if (typeof raw === 'string' && (ORDER_STATUSES as readonly string[]).includes(raw))
    return raw as OrderStatus
  throw new RestError('rest_invalid_param', 'Invalid parameter(s): status', 400, {
    params: { status: `status is not one of ${ORDER_STATUSES.join(', ')}.` },
  })
}

function domain<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof WooDomainError) throw new RestError(error.code, error.message, error.status)
    throw error
  }
}

function addressParam(raw: unknown): Record<string, string> | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined
  return Object.fromEntries(
    Object.entries(raw as Record<string, unknown>).map(([k, v]) => [k, String(v ?? '')]),
  )
}

/** `/orders`, `/orders/<id>`, notes and refunds. */
export const orderRoutes: Route[] = [
  {
    pattern: /^\/orders$/,
    kind: 'collection',
    handlers: {
      GET: (ctx) => {
        const after = dateParam('modified_after', ctx.query.get('modified_after'))
        const status = ctx.query.get('status')
        // `product`: orders with a line whose `_product_id` is this id (a variation's line
        // carries its parent there, so filter a variation's orders by the parent id).
        const product = ctx.query.has('product') ? phpIntval(ctx.query.get('product')) : null
        const items = [...ctx.state.orders.values()].filter(
          (o) =>
            modifiedAfter(o.dateModified, after) &&
            (product === null || o.lineItems.some((l) => l.productId === product)) &&
            (status && status !== 'any' ? o.status === status : o.status !== 'trash'),
        )
        const sorted = sortByDate(
          items,
          (o) => (ctx.query.get('orderby') === 'modified' ? o.dateModified : o.dateCreated),
          ctx.query,
        )
        return listResponse(ctx, sorted, (o) => renderOrder(o, ctx.origin))
      },
      POST: (ctx) => {
        const b = ctx.body
        const lines: OrderLineInput[] = objects(b['line_items']).map((l) => ({
          productId: phpIntval(l['product_id']),
          variationId: phpIntval(l['variation_id']),
          quantity: phpIntval(l['quantity'] ?? 1),
        }))
        const order = domain(() =>
          ctx.state.createOrder({
            status: statusParam(b['status']),
            setPaid: asBoolean(b['set_paid']) === true,
            lineItems: lines,
            billing: addressParam(b['billing']),
            shipping: addressParam(b['shipping']),
            paymentMethod: str(b, 'payment_method'),
            paymentMethodTitle: str(b, 'payment_method_title'),
          }),
        )
        return restResponse(ctx.origin, 201, renderOrder(order, ctx.origin), {
          location: `${ctx.origin}/wp-json/wc/v3/orders/${order.id}`,
          allow: ALLOW.collection,
        })
      },
    },
  },
  {
    pattern: /^\/orders\/(\d+)$/,
    kind: 'item',
    handlers: {
      GET: (ctx) =>
        restResponse(ctx.origin, 200, renderOrder(findOrder(ctx, 404), ctx.origin), { allow: ALLOW.item }),
      ...Object.fromEntries(
        ['POST', 'PUT', 'PATCH'].map((m) => [
          m,
          (ctx: RouteContext) => {
            const order = findOrder(ctx, 400)
            const status = statusParam(ctx.body['status'])
            if (status) ctx.state.setOrderStatus(order, status)
            else {
              order.dateModified = ctx.state.now()
              ctx.state.emit('order.updated', order.id)
            }
            return restResponse(ctx.origin, 200, renderOrder(order, ctx.origin), { allow: ALLOW.item })
          },
        ]),
      ),
      DELETE: (ctx) => {
        const order = findOrder(ctx, 404)
        const rendered = renderOrder(order, ctx.origin)
        if (ctx.query.get('force') === 'true') ctx.state.orders.delete(order.id)
        else {
          order.status = 'trash'
          ctx.state.emit('order.deleted', order.id)
        }
        return restResponse(ctx.origin, 200, rendered, { allow: ALLOW.item })
      },
    },
  },
  {
    pattern: /^\/orders\/(\d+)\/notes$/,
    kind: 'collection',
    handlers: {
      GET: (ctx) => {
        const order = findOrder(ctx, 404)
        const notes = sortByDate(order.notes, (n) => n.dateCreated, ctx.query)
        return restResponse(
          ctx.origin,
          200,
          notes.map((n) => renderNote(order, n, ctx.origin)),
          { allow: ALLOW.collection },
        )
      },
    },
  },
  {
    pattern: /^\/orders\/(\d+)\/refunds$/,
    kind: 'collection',
    handlers: {
      GET: (ctx) => {
        const order = findOrder(ctx, 404)
        const refunds = sortByDate(order.refunds, (r) => r.dateCreated, ctx.query)
        return listResponse(ctx, refunds, (r) => renderRefund(order, r, ctx.origin))
      },
      POST: (ctx) => {
        const order = findOrder(ctx, 404)
        const b = ctx.body
        const amount = str(b, 'amount') ?? '0'
        if (!(Number(amount) > 0)) {
          throw new RestError(
            'woocommerce_rest_invalid_order_refund',
            'Refund amount must be greater than zero.',
            400,
          )
        }
        const lines = objects(b['line_items']).map((l) => ({
          id: phpIntval(l['id']),
          quantity: phpIntval(l['quantity']),
          total: Number(l['refund_total'] ?? 0),
        }))
        const refund = ctx.state.refundOrder(order, {
          amount: Number(amount).toFixed(2),
          reason: str(b, 'reason') ?? '',
          restock: asBoolean(b['restock_items']) === true,
          lines,
        })
        return restResponse(ctx.origin, 201, renderRefund(order, refund, ctx.origin), {
          // Recorded WooCommerce bug: the Location carries the raw route regex.
          location: `${ctx.origin}/wp-json/wc/v3/orders/(?P<order_id>[\\d]+)/refunds/${refund.id}`,
          allow: ALLOW.collection,
        })
      },
    },
  },
]
