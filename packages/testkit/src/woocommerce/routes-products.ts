import { renderProduct, renderVariation } from './render.js'
import { RestError, restResponse } from './rest-response.js'
import {
  ALLOW,
  asBoolean,
  dateParam,
  integerParam,
  invalidId,
  listResponse,
  modifiedAfter,
  modifiedBefore,
  phpIntval,
  type Route,
  type RouteContext,
  sortByDate,
  str,
} from './route-kit.js'
import { type ProductPatch, WooDomainError } from './state.js'
import type { ParentAttribute, ProductRecord, StockStatus, VariationAttribute } from './types.js'

const BATCH_LIMIT = 100
const STOCK_STATUSES: readonly StockStatus[] = ['instock', 'outofstock', 'onbackorder']

/**
 * Turn a request body into a patch. Single writes validate like the REST schema
 * (`stock_quantity` must be an integer); batch items are not schema-validated, so values go
 * through `intval` (recorded: `"abc"` became 0 without an error).
 */
function toPatch(body: Record<string, unknown>, validated: boolean): ProductPatch {
  const patch: ProductPatch = {}
  const name = str(body, 'name')
  if (name !== undefined) patch.name = name
  const sku = str(body, 'sku')
  if (sku !== undefined) patch.sku = sku
  const regular = str(body, 'regular_price')
  if (regular !== undefined) patch.regularPrice = regular
  const sale = str(body, 'sale_price')
  if (sale !== undefined) patch.salePrice = sale
  const description = str(body, 'description')
  if (description !== undefined) patch.description = description
  const short = str(body, 'short_description')
  if (short !== undefined) patch.shortDescription = short
  const status = str(body, 'status')
  if (status === 'publish' || status === 'draft' || status === 'pending' || status === 'private')
    patch.status = status
  const type = str(body, 'type')
  if (type === 'simple' || type === 'variable') patch.type = type
  const backorders = str(body, 'backorders')
  if (backorders === 'no' || backorders === 'notify' || backorders === 'yes') patch.backorders = backorders
  if (body['manage_stock'] !== undefined) {
    const manage = asBoolean(body['manage_stock'])
    if (manage === null && validated) {
      throw new RestError('rest_invalid_param', 'Invalid parameter(s): manage_stock', 400, {
        params: { manage_stock: 'manage_stock is not of type boolean.' },
        details: {
          manage_stock: {
            code: 'rest_invalid_type',
            message: 'manage_stock is not of type boolean.',
            data: { param: 'manage_stock' },
          },
        },
      })
    }
    patch.manageStock = manage ?? Boolean(body['manage_stock'])
  }
  if (body['stock_quantity'] !== undefined) {
    patch.stockQuantity =
      body['stock_quantity'] === null
        ? null
        : validated
          ? (integerParam('stock_quantity', body['stock_quantity']) ?? null)
          : phpIntval(body['stock_quantity'])
  }
  const stockStatus = str(body, 'stock_status')
  if (stockStatus && (STOCK_STATUSES as readonly string[]).includes(stockStatus)) {
    patch.stockStatus = stockStatus as StockStatus
  }
  if (body['menu_order'] !== undefined) patch.menuOrder = phpIntval(body['menu_order'])
  if (Array.isArray(body['attributes'])) {
    const attrs = body['attributes'] as Array<Record<string, unknown>>
    patch.attributes = attrs.map(
      (a, i): ParentAttribute => ({
        id: phpIntval(a['id']),
        name: String(a['name'] ?? ''),
        position: a['position'] === undefined ? i : phpIntval(a['position']),
        visible: a['visible'] !== false,
        variation: a['variation'] === true,
        options: Array.isArray(a['options']) ? a['options'].map(String) : [],
      }),
    )
    patch.variationAttributes = attrs.map(
      (a): VariationAttribute => ({
        id: phpIntval(a['id']),
        name: String(a['name'] ?? ''),
        option: String(a['option'] ?? ''),
      }),
    )
  }
  return patch
}

function assertUniqueSku(ctx: RouteContext, sku: string | undefined, selfId: number | null): void {
  if (!sku) return
  for (const p of ctx.state.products.values()) {
    if (p.sku === sku && p.id !== selfId)
      throw new RestError('product_invalid_sku', 'Invalid or duplicated SKU.', 400)
  }
}

function domain<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof WooDomainError) throw new RestError(error.code, error.message, error.status)
    throw error
  }
}

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
  const include = q.get('include')?.split(',').map(Number)
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

type BatchEntry = Record<string, unknown>

/** Non-transactional batch: creates, then updates, then (forced) deletes; errors per item, 200 overall. */
function batch(
  ctx: RouteContext,
  ops: {
    create: (body: BatchEntry) => unknown
    update: (id: number, body: BatchEntry) => unknown
    remove: (id: number) => unknown
    invalidIdCode: string
  },
): Response {
  const body = ctx.body
  const creates = Array.isArray(body['create']) ? (body['create'] as BatchEntry[]) : null
  const updates = Array.isArray(body['update']) ? (body['update'] as BatchEntry[]) : null
  const deletes = Array.isArray(body['delete']) ? (body['delete'] as unknown[]) : null
  const count = (creates?.length ?? 0) + (updates?.length ?? 0) + (deletes?.length ?? 0)
  if (count > BATCH_LIMIT) {
    throw new RestError(
      'woocommerce_rest_request_entity_too_large',
      `Unable to accept more than ${BATCH_LIMIT} items for this request.`,
      413,
    ).withAllow(ALLOW.batch)
  }
  const itemError = (id: number, error: unknown): unknown => {
    if (error instanceof RestError) return { id, error: error.toJSON() }
    throw error
  }
  const out: Record<string, unknown[]> = {}
  if (creates) {
    out['create'] = creates.map((item) => {
      try {
        return ops.create(item)
      } catch (error) {
        return itemError(0, error)
      }
    })
  }
  if (updates) {
    out['update'] = updates.map((item) => {
      const id = phpIntval(item['id'])
      try {
        return ops.update(id, item)
      } catch (error) {
        return itemError(id, error)
      }
    })
  }
  if (deletes) {
    out['delete'] = deletes.map((raw) => {
      const id = phpIntval(typeof raw === 'object' && raw !== null ? (raw as BatchEntry)['id'] : raw)
      try {
        return ops.remove(id)
      } catch (error) {
        return itemError(id, error)
      }
    })
  }
  // PHP encodes an empty associative array as `[]`, as recorded for an empty batch.
  return restResponse(ctx.origin, 200, Object.keys(out).length === 0 ? [] : out, { allow: ALLOW.batch })
}

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

/** `/products`, `/products/<id>`, `/products/batch` and the variation routes. */
export const productRoutes: Route[] = [
  {
    pattern: /^\/products\/batch$/,
    kind: 'batch',
    handlers: Object.fromEntries(
      ['POST', 'PUT', 'PATCH'].map((m) => [
        m,
        (ctx: RouteContext) =>
          batch(ctx, {
            invalidIdCode: 'product',
            create: (item) =>
              renderProduct(
                ctx.state,
                domain(() => createProduct(ctx, item, false)),
                ctx.origin,
                'edit',
              ),
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
            invalidIdCode: 'product_variation',
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
