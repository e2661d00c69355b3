import { batch } from './batch.js'
import { assertUniqueSku, toPatch } from './product-input.js'
import { renderProduct } from './render.js'
import { RestError, restResponse } from './rest-response.js'
import {
  ALLOW,
  dateParam,
  invalidId,
  listResponse,
  modifiedAfter,
  modifiedBefore,
  type Route,
  type RouteContext,
  sortByDate,
} from './route-kit.js'
import type { ProductRecord } from './types.js'

function createProduct(ctx: RouteContext, body: Record<string, unknown>, validated: boolean): ProductRecord {
  const patch = toPatch(body, validated)
  assertUniqueSku(ctx, patch.sku, null)
  return ctx.state.createProduct(patch)
}

function updateProduct(
  ctx: RouteContext,
  record: ProductRecord,
  body: Record<string, unknown>,
  validated: boolean,
): ProductRecord {
  const patch = toPatch(body, validated)
  assertUniqueSku(ctx, patch.sku, record.id)
  return ctx.state.updateProduct(record, patch)
}

function findProduct(ctx: RouteContext, id: number | undefined, status: number): ProductRecord {
  const p = id === undefined ? undefined : ctx.state.getProduct(id)
  if (!p) throw invalidId('product', status).withAllow(ALLOW.item)
  return p
}

function listProducts(ctx: RouteContext): Response {
  const q = ctx.query
  const after = dateParam('modified_after', q.get('modified_after'))
  const before = dateParam('modified_before', q.get('modified_before'))
  const createdAfter = dateParam('after', q.get('after'))
  const skus = q
    .get('sku')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const includeRaw = [...q.getAll('include'), ...q.getAll('include[]')].join(',')
  const include = includeRaw ? includeRaw.split(',').map(Number) : undefined
  const status = q.get('status') ?? 'any'
  const type = q.get('type')
  const search = q.get('search')?.toLowerCase()
  const items = [...ctx.state.products.values()].filter((p) => {
    if (p.type === 'variation' && !skus) return false
    if (skus && !skus.includes(p.sku)) return false
    if (status === 'any' ? p.status === 'trash' : p.status !== status) return false
    if (type && p.type !== type) return false
    if (include && !include.includes(p.id)) return false
    if (search && !p.name.toLowerCase().includes(search)) return false
    if (!modifiedAfter(p.dateModified, after) || !modifiedBefore(p.dateModified, before)) return false
    return modifiedAfter(p.dateCreated, createdAfter)
  })
  const sorted = sortByDate(
    items,
    (p) => (q.get('orderby') === 'modified' ? p.dateModified : p.dateCreated),
    q,
  )
  return listResponse(ctx, sorted, (p) => renderProduct(ctx.state, p, ctx.origin))
}

function deleteResult(ctx: RouteContext, p: ProductRecord, force: boolean): unknown {
  if (!force && p.status === 'trash') {
    throw new RestError(
      'woocommerce_rest_already_trashed',
      'The product has already been deleted.',
      410,
    ).withAllow(ALLOW.item)
  }
  // The response shows the product as it was before the delete (recorded: `status: "publish"`).
  const rendered = renderProduct(ctx.state, p, ctx.origin, 'edit')
  if (force) ctx.state.deleteProduct(p)
  else ctx.state.trashProduct(p)
  return rendered
}

/** `/products`, `/products/<id>` and `/products/batch`. */
export const productRoutes: Route[] = [
  {
    pattern: /^\/products\/batch$/,
    kind: 'batch',
    handlers: Object.fromEntries(
      ['POST', 'PUT', 'PATCH'].map((m) => [
        m,
        (ctx: RouteContext) =>
          batch(ctx, {
            create: (item) => renderProduct(ctx.state, createProduct(ctx, item, false), ctx.origin, 'edit'),
            update: (id, item) =>
              renderProduct(
                ctx.state,
                updateProduct(ctx, findProduct(ctx, id, 400), item, false),
                ctx.origin,
                'edit',
              ),
            remove: (id) => deleteResult(ctx, findProduct(ctx, id, 404), true),
          }),
      ]),
    ),
  },
  {
    pattern: /^\/products$/,
    kind: 'collection',
    handlers: {
      GET: listProducts,
      POST: (ctx) => {
        const p = createProduct(ctx, ctx.body, true)
        return restResponse(ctx.origin, 201, renderProduct(ctx.state, p, ctx.origin, 'edit'), {
          location: `${ctx.origin}/wp-json/wc/v3/products/${p.id}`,
          allow: ALLOW.collection,
        })
      },
    },
  },
  {
    pattern: /^\/products\/(\d+)$/,
    kind: 'item',
    handlers: {
      GET: (ctx) =>
        restResponse(
          ctx.origin,
          200,
          renderProduct(ctx.state, findProduct(ctx, ctx.params[0], 404), ctx.origin),
          { allow: ALLOW.item },
        ),
      ...Object.fromEntries(
        ['POST', 'PUT', 'PATCH'].map((m) => [
          m,
          (ctx: RouteContext) => {
            // Recorded: a write to a missing product answers 400, not 404.
            const p = updateProduct(ctx, findProduct(ctx, ctx.params[0], 400), ctx.body, true)
            return restResponse(ctx.origin, 200, renderProduct(ctx.state, p, ctx.origin, 'edit'), {
              allow: ALLOW.item,
            })
          },
        ]),
      ),
      DELETE: (ctx) => {
        const p = findProduct(ctx, ctx.params[0], 404)
        return restResponse(ctx.origin, 200, deleteResult(ctx, p, ctx.query.get('force') === 'true'), {
          allow: ALLOW.item,
        })
      },
    },
  },
]
