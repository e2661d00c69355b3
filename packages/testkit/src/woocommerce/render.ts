import { orderTotal } from './orders.js'
import { type WooState, wcDate } from './state.js'
import type {
  LineItemRecord,
  NoteRecord,
  OrderRecord,
  ProductRecord,
  RefundRecord,
  WebhookRecord,
} from './types.js'

/** JSON value as produced by the renderers. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue }
type JsonObject = { [key: string]: JsonValue }

const ITEM_ALLOW = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

function money(value: number): string {
  return value.toFixed(2)
}

function priceSpan(amount: string, hidden: boolean): string {
  const aria = hidden ? ' aria-hidden="true"' : ''
  return `<span class="woocommerce-Price-amount amount"${aria}><bdi><span class="woocommerce-Price-currencySymbol">&#36;</span>${amount}</bdi></span>`
}

function effectivePrice(p: ProductRecord): string {
  return p.salePrice || p.regularPrice
}

function variationPrices(state: WooState, parent: ProductRecord): number[] {
  return parent.variationIds
    .map((id) => state.products.get(id))
    .filter((v): v is ProductRecord => v !== undefined && effectivePrice(v) !== '')
    .map((v) => Number(effectivePrice(v)))
    .sort((a, b) => a - b)
}

function priceFields(
  state: WooState,
  p: ProductRecord,
): { price: string; html: string; purchasable: boolean } {
  if (p.type !== 'variable') {
    const price = effectivePrice(p)
    return { price, html: price ? priceSpan(price, false) : '', purchasable: price !== '' }
  }
  const prices = variationPrices(state, p)
  const min = prices[0]
  const max = prices[prices.length - 1]
  if (min === undefined || max === undefined) return { price: '', html: '', purchasable: false }
  const html =
    min === max
      ? priceSpan(money(min), false)
      : `${priceSpan(money(min), true)} <span aria-hidden="true">&ndash;</span> ${priceSpan(money(max), true)}<span class="screen-reader-text">Price range: &#36;${money(min)} through &#36;${money(max)}</span>`
  return { price: money(min), html, purchasable: true }
}

function variationQuery(v: ProductRecord): string {
  return v.variationAttributes.map((a) => `attribute_${a.name.toLowerCase()}=${a.option}`).join('&')
}

function manageStockValue(state: WooState, p: ProductRecord): boolean | 'parent' {
  if (p.type === 'variation' && !p.manageStock && state.stockOwner(p) !== p) return 'parent'
  return p.manageStock
}

function stockQuantityValue(state: WooState, p: ProductRecord): number | null {
  return state.stockOwner(p).stockQuantity
}

/**
 * A product in the `/products` shape (71 keys in `view` context, plus `permalink_template` and
 * `generated_slug` in `edit` context, as write responses carry). Variations read through
 * `/products/<id>` take this shape too, with `total_sales` as a string, as recorded.
 */
export function renderProduct(
  state: WooState,
  p: ProductRecord,
  origin: string,
  context: 'view' | 'edit' = 'view',
): JsonObject {
  const parent = p.type === 'variation' ? state.products.get(p.parentId) : undefined
  const prices = priceFields(state, p)
  const trashed = p.status === 'trash'
  const permalink = parent
    ? `${origin}/product/${parent.slug}/?${variationQuery(p)}`
    : trashed
      ? `${origin}/?post_type=product&p=${p.id}`
      : `${origin}/product/${p.slug}/`
  const related: number[] = []
  for (const o of state.products.values()) {
    if (related.length === 5) break
    if (o.id !== p.id && o.type !== 'variation' && o.status === 'publish') related.push(o.id)
  }
  const links: JsonObject = {
    self: [{ href: `${origin}/wp-json/wc/v3/products/${p.id}`, targetHints: { allow: ITEM_ALLOW } }],
    collection: [{ href: `${origin}/wp-json/wc/v3/products` }],
  }
  if (parent) links['up'] = [{ href: `${origin}/wp-json/wc/v3/products/${parent.id}` }]
  const out: JsonObject = {
    id: p.id,
    name: parent ? `${parent.name} - ${p.name}` : p.name,
    slug: p.slug,
    permalink,
    date_created: wcDate(p.dateCreated),
    date_created_gmt: wcDate(p.dateCreated),
    date_modified: wcDate(p.dateModified),
    date_modified_gmt: wcDate(p.dateModified),
    type: p.type,
    status: p.status,
    featured: false,
    catalog_visibility: 'visible',
    description: p.description,
    short_description: p.shortDescription,
    sku: p.sku,
    price: prices.price,
    regular_price: p.regularPrice,
    sale_price: p.salePrice,
    date_on_sale_from: null,
    date_on_sale_from_gmt: null,
    date_on_sale_to: null,
    date_on_sale_to_gmt: null,
    on_sale: p.salePrice !== '',
    purchasable: prices.purchasable,
    total_sales: parent ? String(p.totalSales) : p.totalSales,
    virtual: false,
    downloadable: false,
    downloads: [],
    download_limit: -1,
    download_expiry: -1,
    external_url: '',
    button_text: '',
    tax_status: 'taxable',
    tax_class: '',
    manage_stock: manageStockValue(state, p),
    stock_quantity: stockQuantityValue(state, p),
    backorders: p.backorders,
    backorders_allowed: p.backorders !== 'no',
    backordered: false,
    low_stock_amount: null,
    sold_individually: false,
    weight: '',
    dimensions: { length: '', width: '', height: '' },
    shipping_required: true,
    shipping_taxable: true,
    shipping_class: '',
    shipping_class_id: 0,
    reviews_allowed: !parent,
    average_rating: '0.00',
    rating_count: 0,
    upsell_ids: [],
    cross_sell_ids: [],
    parent_id: p.parentId,
    purchase_note: '',
    categories: parent ? [] : [{ id: 15, name: 'Uncategorized', slug: 'uncategorized' }],
    brands: [],
    tags: [],
    images: [],
    attributes: parent
      ? p.variationAttributes.map((a) => ({
          id: a.id,
          name: a.name,
          slug: a.name.toLowerCase(),
          option: a.option,
        }))
      : p.attributes.map((a) => ({
          id: a.id,
          name: a.name,
          slug: a.name,
          position: a.position,
          visible: a.visible,
          variation: a.variation,
          options: a.options,
        })),
    default_attributes: [],
    variations: [...p.variationIds],
    grouped_products: [],
    menu_order: p.menuOrder,
    price_html: prices.html,
    related_ids: parent ? [] : related,
    meta_data: [...p.meta, ...p.trashMeta].map((m) => ({ ...m })),
    stock_status: p.stockStatus,
    has_options: p.type === 'variable',
    post_password: '',
    global_unique_id: '',
  }
  if (context === 'edit') {
    out['permalink_template'] = `${origin}/product/%pagename%/`
    out['generated_slug'] = p.slug
  }
  out['_links'] = links
  return out
}

/** A variation in the `/products/<id>/variations` shape (45 keys). */
export function renderVariation(state: WooState, v: ProductRecord, origin: string): JsonObject {
  const parent = state.products.get(v.parentId)
  const price = effectivePrice(v)
  const base = `${origin}/wp-json/wc/v3/products/${v.parentId}`
  return {
    id: v.id,
    type: 'variation',
    date_created: wcDate(v.dateCreated),
    date_created_gmt: wcDate(v.dateCreated),
    date_modified: wcDate(v.dateModified),
    date_modified_gmt: wcDate(v.dateModified),
    description: v.description,
    permalink: `${origin}/product/${parent?.slug ?? ''}/?${variationQuery(v)}`,
    sku: v.sku,
    global_unique_id: '',
    price,
    regular_price: v.regularPrice,
    sale_price: v.salePrice,
    date_on_sale_from: null,
    date_on_sale_from_gmt: null,
    date_on_sale_to: null,
    date_on_sale_to_gmt: null,
    on_sale: v.salePrice !== '',
    status: v.status,
    purchasable: price !== '',
    virtual: false,
    downloadable: false,
    downloads: [],
    download_limit: -1,
    download_expiry: -1,
    tax_status: 'taxable',
    tax_class: '',
    manage_stock: manageStockValue(state, v),
    stock_quantity: stockQuantityValue(state, v),
    stock_status: v.stockStatus,
    backorders: v.backorders,
    backorders_allowed: v.backorders !== 'no',
    backordered: false,
    low_stock_amount: null,
    weight: '',
    dimensions: { length: '', width: '', height: '' },
    shipping_class: '',
    shipping_class_id: 0,
    image: null,
    attributes: v.variationAttributes.map((a) => ({
      id: a.id,
      name: a.name,
      slug: a.name.toLowerCase(),
      option: a.option,
    })),
    menu_order: v.menuOrder,
    meta_data: v.meta.map((m) => ({ ...m })),
    name: v.name,
    parent_id: v.parentId,
    _links: {
      self: [{ href: `${base}/variations/${v.id}`, targetHints: { allow: ITEM_ALLOW } }],
      collection: [{ href: `${base}/variations` }],
      up: [{ href: base }],
    },
  }
}

function renderLine(line: LineItemRecord): JsonObject {
  const meta: JsonValue[] = line.attributeMeta.map((m) => ({
    id: m.id,
    key: m.key,
    value: m.value,
    display_key: m.displayKey,
    display_value: m.value,
  }))
  if (line.reducedStock > 0) {
    const v = String(line.reducedStock)
    meta.push({
      id: line.reducedStockMetaId,
      key: '_reduced_stock',
      value: v,
      display_key: '_reduced_stock',
      display_value: v,
    })
  }
  if (line.restockedRefunded > 0) {
    const v = String(line.restockedRefunded)
    const key = '_restock_refunded_items'
    meta.push({ id: line.restockedMetaId, key, value: v, display_key: key, display_value: v })
  }
  const total = money(line.price * line.quantity)
  return {
    id: line.id,
    name: line.name,
    product_id: line.productId,
    variation_id: line.variationId,
    quantity: line.quantity,
    tax_class: '',
    subtotal: total,
    subtotal_tax: '0.00',
    total,
    total_tax: '0.00',
    taxes: [],
    meta_data: meta,
    sku: line.sku,
    price: line.price,
    // Recorded: a simple product's line has `id: ""`, a variation's `id: 0`.
    image: { id: line.variationId ? 0 : '', src: '' },
    parent_name: line.parentName,
  }
}

function nullableDate(date: Date | null): string | null {
  return date ? wcDate(date) : null
}

/** An order in the `/orders` shape (47 keys). */
export function renderOrder(order: OrderRecord, origin: string): JsonObject {
  return {
    id: order.id,
    parent_id: 0,
    status: order.status,
    currency: order.currency,
    version: '10.0.2',
    prices_include_tax: false,
    date_created: wcDate(order.dateCreated),
    date_modified: wcDate(order.dateModified),
    discount_total: '0.00',
    discount_tax: '0.00',
    shipping_total: '0.00',
    shipping_tax: '0.00',
    cart_tax: '0.00',
    total: money(orderTotal(order)),
    total_tax: '0.00',
    customer_id: 0,
    order_key: order.orderKey,
    billing: { ...order.billing },
    shipping: { ...order.shipping },
    payment_method: order.paymentMethod,
    payment_method_title: order.paymentMethodTitle,
    transaction_id: '',
    customer_ip_address: '',
    customer_user_agent: '',
    created_via: 'rest-api',
    customer_note: '',
    date_completed: nullableDate(order.dateCompleted),
    date_paid: nullableDate(order.datePaid),
    cart_hash: '',
    number: String(order.id),
    meta_data: [],
    line_items: order.lineItems.map(renderLine),
    tax_lines: [],
    shipping_lines: [],
    fee_lines: [],
    coupon_lines: [],
    refunds: order.refunds.map((r) => ({ id: r.id, reason: r.reason, total: `-${r.amount}` })),
    payment_url: `${origin}/checkout/order-pay/${order.id}/?pay_for_order=true&key=${order.orderKey}`,
    is_editable: order.status === 'pending' || order.status === 'on-hold',
    needs_payment: order.status === 'pending' || order.status === 'failed',
    needs_processing: true,
    date_created_gmt: wcDate(order.dateCreated),
    date_modified_gmt: wcDate(order.dateModified),
    date_completed_gmt: nullableDate(order.dateCompleted),
    date_paid_gmt: nullableDate(order.datePaid),
    currency_symbol: '$',
    _links: {
      self: [{ href: `${origin}/wp-json/wc/v3/orders/${order.id}`, targetHints: { allow: ITEM_ALLOW } }],
      collection: [{ href: `${origin}/wp-json/wc/v3/orders` }],
      email_templates: [
        { embeddable: true, href: `${origin}/wp-json/wc/v3/orders/${order.id}/actions/email_templates` },
      ],
    },
  }
}

/** A refund in the `/orders/<id>/refunds` shape. */
export function renderRefund(order: OrderRecord, refund: RefundRecord, origin: string): JsonObject {
  const base = `${origin}/wp-json/wc/v3/orders/${order.id}`
  return {
    id: refund.id,
    date_created: wcDate(refund.dateCreated),
    date_created_gmt: wcDate(refund.dateCreated),
    amount: refund.amount,
    reason: refund.reason,
    refunded_by: 1,
    refunded_payment: false,
    meta_data: [],
    line_items: refund.lines.map((l) => {
      const line = order.lineItems.find((x) => x.id === l.refundedItemId)
      const total = money(-l.total)
      return {
        id: l.id,
        name: line?.name ?? '',
        product_id: line?.productId ?? 0,
        variation_id: line?.variationId ?? 0,
        quantity: -l.quantity,
        tax_class: '',
        subtotal: total,
        subtotal_tax: '0.00',
        total,
        total_tax: '0.00',
        taxes: [],
        meta_data: [
          {
            id: l.metaId,
            key: '_refunded_item_id',
            value: String(l.refundedItemId),
            display_key: '_refunded_item_id',
            display_value: String(l.refundedItemId),
          },
        ],
        sku: line?.sku ?? '',
        price: line?.price ?? 0,
        image: { id: line?.variationId ? 0 : '', src: '' },
        parent_name: line?.parentName ?? null,
      }
    }),
    shipping_lines: [],
    tax_lines: [],
    fee_lines: [],
    _links: {
      self: [{ href: `${base}/refunds/${refund.id}`, targetHints: { allow: ['GET', 'DELETE'] } }],
      collection: [{ href: `${base}/refunds` }],
      up: [{ href: base }],
    },
  }
}

/** An order note. */
export function renderNote(order: OrderRecord, note: NoteRecord, origin: string): JsonObject {
  const base = `${origin}/wp-json/wc/v3/orders/${order.id}`
  return {
    id: note.id,
    author: 'WooCommerce',
    date_created: wcDate(note.dateCreated),
    date_created_gmt: wcDate(note.dateCreated),
    note: note.note,
    customer_note: note.customerNote,
    _links: {
      self: [{ href: `${base}/notes/${note.id}`, targetHints: { allow: ['GET', 'DELETE'] } }],
      collection: [{ href: `${base}/notes` }],
      up: [{ href: base }],
    },
  }
}

/** Hooks WooCommerce lists for each topic (`hooks`, read-only). */
export const WEBHOOK_HOOKS: Readonly<Record<string, string[]>> = {
  'product.created': [
    'woocommerce_process_product_meta',
    'woocommerce_new_product',
    'woocommerce_new_product_variation',
  ],
  'product.updated': [
    'woocommerce_process_product_meta',
    'woocommerce_update_product',
    'woocommerce_update_product_variation',
  ],
  'product.deleted': ['wp_trash_post'],
  'product.restored': ['untrashed_post'],
  'order.created': ['woocommerce_new_order'],
  'order.updated': ['woocommerce_update_order', 'woocommerce_order_refunded'],
  'order.deleted': ['wp_trash_post'],
  'order.restored': ['untrashed_post'],
}

/** A webhook in the `/webhooks` shape (the secret is never shown). */
export function renderWebhook(w: WebhookRecord, origin: string): JsonObject {
  const [resource, event] = w.topic.split('.')
  return {
    id: w.id,
    name: w.name,
    status: w.status,
    topic: w.topic,
    resource: resource ?? '',
    event: event ?? '',
    hooks: WEBHOOK_HOOKS[w.topic] ?? [],
    delivery_url: w.deliveryUrl,
    date_created: wcDate(w.dateCreated),
    date_created_gmt: wcDate(w.dateCreated),
    date_modified: nullableDate(w.dateModified),
    date_modified_gmt: nullableDate(w.dateModified),
    _links: {
      self: [{ href: `${origin}/wp-json/wc/v3/webhooks/${w.id}`, targetHints: { allow: ITEM_ALLOW } }],
      collection: [{ href: `${origin}/wp-json/wc/v3/webhooks` }],
    },
  }
}
