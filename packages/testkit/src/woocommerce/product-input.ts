import { RestError } from './rest-response.js'
import { asBoolean, integerParam, objects, phpIntval, type RouteContext, str } from './route-kit.js'
import type { ProductPatch } from './state.js'
import type { MetaValue, ParentAttribute, StockStatus, VariationAttribute } from './types.js'

const STOCK_STATUSES: readonly StockStatus[] = ['instock', 'outofstock', 'onbackorder']

/**
 * Turn a request body into a patch. Single writes validate like the REST schema
 * (`stock_quantity` must be an integer); batch items are not schema-validated, so values go
 * through `intval` (recorded: `"abc"` became 0 without an error).
 */
export function toPatch(body: Record<string, unknown>, validated: boolean): ProductPatch {
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
  if (Array.isArray(body['meta_data'])) {
    patch.meta = objects(body['meta_data'])
      .filter((m) => typeof m['key'] === 'string' && m['key'] !== '')
      .map((m) => ({
        ...(m['id'] !== undefined ? { id: phpIntval(m['id']) } : {}),
        key: String(m['key']),
        // Stored as WordPress would store it (serialized): plain JSON data.
        value: JSON.parse(JSON.stringify(m['value'] ?? '')) as MetaValue,
      }))
  }
  if (Array.isArray(body['attributes'])) {
    const attrs = objects(body['attributes'])
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

/** WooCommerce refuses a SKU another product or variation already has. */
export function assertUniqueSku(ctx: RouteContext, sku: string | undefined, selfId: number | null): void {
  if (!sku) return
  for (const p of ctx.state.products.values()) {
    if (p.sku === sku && p.id !== selfId)
      throw new RestError('product_invalid_sku', 'Invalid or duplicated SKU.', 400)
  }
}
