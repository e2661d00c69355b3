import { batch } from './batch.js'
import { assertUniqueSku, toPatch } from './product-input.js'
import { renderVariation } from './render.js'
import { RestError, restResponse } from './rest-response.js'
import {
  ALLOW,
  dateParam,
  invalidId,
  listResponse,
  modifiedAfter,
  type Route,
  type RouteContext,
  sortByDate,
} from './route-kit.js'
import type { ProductRecord } from './types.js'

function findVariation(ctx: RouteContext): ProductRecord {
  const [parentId, id] = ctx.params
  const v = id === undefined ? undefined : ctx.state.getProduct(id)
  if (v?.type !== 'variation' || v.parentId !== parentId) {
    throw new RestError('woocommerce_rest_product_variation_invalid_id', 'Invalid ID.', 404)
  }
  return v
}

function variableParent(ctx: RouteContext): ProductRecord {
  const parent = ctx.state.getProduct(ctx.params[0] ?? 0)
  if (!parent || parent.type === 'variation') throw invalidId('product', 404).withAllow(ALLOW.collection)
  return parent
}

function createVariation(
  ctx: RouteContext,
  parent: ProductRecord,
  body: Record<string, unknown>,
  validated: boolean,
): ProductRecord {
  const patch = toPatch(body, validated)
  assertUniqueSku(ctx, patch.sku, null)
  return ctx.state.createProduct({ ...patch, parentId: parent.id })
}

function updateVariation(
  ctx: RouteContext,
  v: ProductRecord,
  body: Record<string, unknown>,
  validated: boolean,
): ProductRecord {
  const patch = toPatch(body, validated)
  delete patch.attributes
  if (!Array.isArray(body['attributes'])) delete patch.variationAttributes
  assertUniqueSku(ctx, patch.sku, v.id)
  return ctx.state.updateProduct(v, patch)
}

/** `/products/<id>/variations`, `/products/<id>/variations/<vid>` and the variations batch. */
export const variationRoutes: Route[] = [
  {
    pattern: /^\/products\/(\d+)\/variations\/batch$/,
    kind: 'batch',
    handlers: Object.fromEntries(
      ['POST', 'PUT', 'PATCH'].map((m) => [
        m,
        (ctx: RouteContext) => {
          const parent = variableParent(ctx)
          const inParent = (id: number, status: number): ProductRecord => {
            const v = ctx.state.getProduct(id)
            if (!v || v.parentId !== parent.id) {
              throw new RestError('woocommerce_rest_product_variation_invalid_id', 'Invalid ID.', status)
            }
            return v
          }
          return batch(ctx, {
            create: (item) =>
              renderVariation(ctx.state, createVariation(ctx, parent, item, false), ctx.origin),
            update: (id, item) =>
              renderVariation(ctx.state, updateVariation(ctx, inParent(id, 400), item, false), ctx.origin),
            remove: (id) => {
              const v = inParent(id, 404)
              const rendered = renderVariation(ctx.state, v, ctx.origin)
              ctx.state.deleteProduct(v)
              return rendered
            },
          })
        },
      ]),
    ),
  },
  {
    pattern: /^\/products\/(\d+)\/variations$/,
    kind: 'collection',
    handlers: {
      GET: (ctx) => {
        const parent = variableParent(ctx)
        const after = dateParam('modified_after', ctx.query.get('modified_after'))
        const items = parent.variationIds
          .map((id) => ctx.state.getProduct(id))
          .filter((v): v is ProductRecord => v !== undefined && modifiedAfter(v.dateModified, after))
        return listResponse(
          ctx,
          sortByDate(items, (v) => v.dateCreated, ctx.query),
          (v) => renderVariation(ctx.state, v, ctx.origin),
        )
      },
      POST: (ctx) => {
        const parent = variableParent(ctx)
        const v = createVariation(ctx, parent, ctx.body, true)
        return restResponse(ctx.origin, 201, renderVariation(ctx.state, v, ctx.origin), {
          // Recorded WooCommerce bug: the Location carries the raw route regex.
          location: `${ctx.origin}/wp-json/wc/v3/products/(?P<product_id>[\\d]+)/variations/${v.id}`,
          allow: ALLOW.collection,
        })
      },
    },
  },
  {
    pattern: /^\/products\/(\d+)\/variations\/(\d+)$/,
    kind: 'item',
    permission: (ctx) => {
      try {
        findVariation(ctx)
        return null
      } catch (error) {
        if (error instanceof RestError) return error
        throw error
      }
    },
    handlers: {
      GET: (ctx) =>
        restResponse(ctx.origin, 200, renderVariation(ctx.state, findVariation(ctx), ctx.origin), {
          allow: ALLOW.item,
        }),
      ...Object.fromEntries(
        ['POST', 'PUT', 'PATCH'].map((m) => [
          m,
          (ctx: RouteContext) =>
            restResponse(
              ctx.origin,
              200,
              renderVariation(
                ctx.state,
                updateVariation(ctx, findVariation(ctx), ctx.body, true),
                ctx.origin,
              ),
              {
                allow: ALLOW.item,
              },
            ),
        ]),
      ),
      DELETE: (ctx) => {
        const v = findVariation(ctx)
        if (ctx.query.get('force') !== 'true') {
          throw new RestError(
            'woocommerce_rest_trash_not_supported',
            'Variations do not support trashing.',
            501,
          ).withAllow(ALLOW.item)
        }
        const rendered = renderVariation(ctx.state, v, ctx.origin)
        ctx.state.deleteProduct(v)
        return restResponse(ctx.origin, 200, rendered, { allow: ALLOW.item })
      },
    },
  },
]
