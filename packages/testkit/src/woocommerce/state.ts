import { randomBytes } from 'node:crypto'
import type { SeededRandom } from './rng.js'
import type {
  ApiKeyRecord,
  KeyPermissions,
  LineItemRecord,
  NoteRecord,
  OrderRecord,
  OrderStatus,
  ParentAttribute,
  ProductRecord,
  RefundRecord,
  StockStatus,
  VariationAttribute,
  WebhookRecord,
} from './types.js'

/** Topics the fake raises; webhooks subscribe to them. */
export type WooTopic =
  | 'product.created'
  | 'product.updated'
  | 'product.deleted'
  | 'product.restored'
  | 'order.created'
  | 'order.updated'
  | 'order.deleted'
  | 'order.restored'

/** A domain failure the REST layer turns into a WordPress error body. */
export class WooDomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message)
    this.name = 'WooDomainError'
  }
}

/** Product fields a write may change (already coerced to the right types). */
export interface ProductPatch {
  name?: string
  slug?: string
  type?: 'simple' | 'variable'
  status?: ProductRecord['status']
  description?: string
  shortDescription?: string
  sku?: string
  regularPrice?: string
  salePrice?: string
  manageStock?: boolean
  stockQuantity?: number | null
  stockStatus?: StockStatus
  backorders?: ProductRecord['backorders']
  attributes?: ParentAttribute[]
  variationAttributes?: VariationAttribute[]
  menuOrder?: number
}

/** One requested order line. */
export interface OrderLineInput {
  productId: number
  variationId?: number
  quantity: number
}

/** Input of an order creation. */
export interface OrderInput {
  status?: OrderStatus
  setPaid?: boolean
  lineItems: OrderLineInput[]
  billing?: Record<string, string>
  shipping?: Record<string, string>
  paymentMethod?: string
  paymentMethodTitle?: string
}

const STATUS_LABEL: Record<OrderStatus, string> = {
  pending: 'Pending payment',
  processing: 'Processing',
  'on-hold': 'On hold',
  completed: 'Completed',
  cancelled: 'Cancelled',
  refunded: 'Refunded',
  failed: 'Failed',
  trash: 'Trash',
}

const REDUCING_STATUSES: readonly OrderStatus[] = ['processing', 'completed', 'on-hold']
const RESTORING_STATUSES: readonly OrderStatus[] = ['cancelled', 'pending']
const ADDRESS_KEYS = [
  'first_name',
  'last_name',
  'company',
  'address_1',
  'address_2',
  'city',
  'state',
  'postcode',
  'country',
]

function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

/** Format a date the way the WooCommerce REST API does: `YYYY-MM-DDTHH:MM:SS`, no zone (store in UTC). */
export function wcDate(date: Date): string {
  return date.toISOString().slice(0, 19)
}

/**
 * The store's data and the rules WooCommerce applies to it: stock status, order stock reduction and
 * restoration (atomic, since each mutation runs without an `await`), absolute stock writes.
 * `emit` is called for every webhook-relevant change, in the order WooCommerce queues them.
 */
export class WooState {
  readonly products = new Map<number, ProductRecord>()
  readonly orders = new Map<number, OrderRecord>()
  readonly webhooks = new Map<number, WebhookRecord>()
  readonly keys = new Map<string, ApiKeyRecord>()
  /** Post ids (products, variations, orders, refunds) share one sequence, as in WordPress. */
  nextPostId = 18
  nextWebhookId = 1
  nextKeyId = 1
  nextItemId = 1
  private nextMetaId = 1
  private nextNoteId = 1
  private readonly listeners: Array<(topic: WooTopic, id: number) => void> = []

  constructor(
    readonly now: () => Date,
    private readonly random: SeededRandom,
  ) {}

  /** Subscribe to store events (the webhook dispatcher does). */
  onEvent(listener: (topic: WooTopic, id: number) => void): void {
    this.listeners.push(listener)
  }

  emit(topic: WooTopic, id: number): void {
    for (const l of this.listeners) l(topic, id)
  }

  /** A random string from the seeded source (order keys, nonces). */
  randomToken(
    length: number,
    alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  ): string {
    let out = ''
    for (let i = 0; i < length; i++) out += alphabet[this.random.int(alphabet.length)]
    return out
  }

  // ---- keys -------------------------------------------------------------------------------

  /** Create an API key. Without explicit values, 40 random hex characters as `wc_rand_hash()` makes. */
  addKey(input: {
    permissions: KeyPermissions
    consumerKey?: string
    consumerSecret?: string
    description?: string
  }): ApiKeyRecord {
    const key: ApiKeyRecord = {
      keyId: this.nextKeyId++,
      consumerKey: input.consumerKey ?? `ck_${randomBytes(20).toString('hex')}`,
      consumerSecret: input.consumerSecret ?? `cs_${randomBytes(20).toString('hex')}`,
      permissions: input.permissions,
      description: input.description ?? 'fake key',
      nonces: new Map(),
    }
    this.keys.set(key.consumerKey, key)
    return key
  }

  // ---- products ---------------------------------------------------------------------------

  /** A product or variation that is not permanently deleted. */
  getProduct(id: number): ProductRecord | undefined {
    return this.products.get(id)
  }

  /** The object whose stock an order or a stock write changes (a variation may defer to its parent). */
  stockOwner(product: ProductRecord): ProductRecord {
    if (product.type === 'variation' && !product.manageStock) {
      const parent = this.products.get(product.parentId)
      if (parent?.manageStock) return parent
    }
    return product
  }

  /** Create a product (or, with `parentId`, a variation). Fires `product.created` unless `silent`. */
  createProduct(
    input: ProductPatch & { parentId?: number; type?: ProductRecord['type'] },
    options: { silent?: boolean } = {},
  ): ProductRecord {
    const now = this.now()
    const parent = input.parentId ? this.products.get(input.parentId) : undefined
    const isVariation = parent !== undefined
    const id = this.nextPostId++
    const name = isVariation
      ? (input.variationAttributes ?? []).map((a) => a.option).join(', ')
      : (input.name ?? 'Product')
    const record: ProductRecord = {
      id,
      type: isVariation ? 'variation' : (input.type ?? 'simple'),
      parentId: parent?.id ?? 0,
      name,
      slug: input.slug ?? slugify(isVariation ? `${parent.name} ${name}` : name),
      status: input.status ?? 'publish',
      description: input.description ?? '',
      shortDescription: input.shortDescription ?? '',
      sku: input.sku ?? '',
      regularPrice: input.regularPrice ?? '',
      salePrice: input.salePrice ?? '',
      manageStock: false,
      stockQuantity: null,
      stockStatus: input.type === 'variable' ? 'outofstock' : 'instock',
      backorders: input.backorders ?? 'no',
      attributes: input.attributes ?? [],
      variationAttributes: input.variationAttributes ?? [],
      variationIds: [],
      totalSales: 0,
      menuOrder: input.menuOrder ?? 0,
      trashMeta: [],
      dateCreated: now,
      dateModified: now,
    }
    this.applyStockFields(record, input)
    this.products.set(id, record)
    if (parent) {
      parent.variationIds.push(id)
      parent.dateModified = now
      this.refreshVariableStatus(parent)
    }
    if (!options.silent) this.emit('product.created', id)
    return record
  }

  /** Apply a partial update (PUT and PATCH are both partial). Fires `product.updated` unless `silent`. */
  updateProduct(
    record: ProductRecord,
    patch: ProductPatch,
    options: { silent?: boolean } = {},
  ): ProductRecord {
    if (patch.name !== undefined && record.type !== 'variation') record.name = patch.name
    if (patch.slug !== undefined) record.slug = patch.slug
    if (patch.status !== undefined) record.status = patch.status
    if (patch.description !== undefined) record.description = patch.description
    if (patch.shortDescription !== undefined) record.shortDescription = patch.shortDescription
    if (patch.sku !== undefined) record.sku = patch.sku
    if (patch.regularPrice !== undefined) record.regularPrice = patch.regularPrice
    if (patch.salePrice !== undefined) record.salePrice = patch.salePrice
    if (patch.backorders !== undefined) record.backorders = patch.backorders
    if (patch.attributes !== undefined) record.attributes = patch.attributes
    if (patch.menuOrder !== undefined) record.menuOrder = patch.menuOrder
    this.applyStockFields(record, patch)
    record.dateModified = this.now()
    const parent = record.parentId ? this.products.get(record.parentId) : undefined
    if (parent) this.refreshVariableStatus(parent)
    if (!options.silent) this.emit('product.updated', record.id)
    return record
  }

  /**
   * Stock rules observed on WooCommerce 10: `stock_quantity` is an absolute overwrite (no
   * compare-and-swap) and only counts while stock is managed; unmanaging clears the quantity;
   * a managed quantity decides `stock_status`; an explicit `stock_status` sticks only when unmanaged.
   */
  private applyStockFields(record: ProductRecord, patch: ProductPatch): void {
    if (patch.manageStock !== undefined) record.manageStock = patch.manageStock
    if (!record.manageStock) {
      record.stockQuantity = null
      if (patch.stockStatus !== undefined && record.type !== 'variable')
        record.stockStatus = patch.stockStatus
    } else if (patch.stockQuantity !== undefined) {
      record.stockQuantity = patch.stockQuantity
    }
    this.refreshStockStatus(record)
  }

  private refreshStockStatus(record: ProductRecord): void {
    if (record.type === 'variable') {
      this.refreshVariableStatus(record)
      return
    }
    if (!record.manageStock || record.stockQuantity === null) return
    if (record.stockQuantity > 0) record.stockStatus = 'instock'
    else record.stockStatus = record.backorders === 'no' ? 'outofstock' : 'onbackorder'
  }

  private refreshVariableStatus(parent: ProductRecord): void {
    if (parent.type !== 'variable') return
    const children = parent.variationIds.map((id) => this.products.get(id)).filter((p) => p !== undefined)
    if (children.length === 0) return
    parent.stockStatus = children.some((c) => c.stockStatus === 'instock')
      ? 'instock'
      : children.some((c) => c.stockStatus === 'onbackorder')
        ? 'onbackorder'
        : 'outofstock'
  }

  /**
   * Atomic stock change (`UPDATE … SET meta_value = meta_value - qty`), as orders do it.
   * Returns `[before, after]`, or null when the object does not manage stock.
   */
  adjustStock(owner: ProductRecord, delta: number): [number, number] | null {
    if (!owner.manageStock || owner.stockQuantity === null) return null
    const before = owner.stockQuantity
    owner.stockQuantity = before + delta
    owner.dateModified = this.now()
    this.refreshStockStatus(owner)
    const parent = owner.parentId ? this.products.get(owner.parentId) : undefined
    if (parent) this.refreshVariableStatus(parent)
    return [before, owner.stockQuantity]
  }

  /** Move to trash (fires `product.deleted` with `{id}` only). */
  trashProduct(record: ProductRecord): void {
    const now = this.now()
    record.trashMeta = [
      { id: this.nextMetaId++, key: '_wp_trash_meta_status', value: record.status },
      { id: this.nextMetaId++, key: '_wp_trash_meta_time', value: String(Math.floor(now.getTime() / 1000)) },
      { id: this.nextMetaId++, key: '_wp_desired_post_slug', value: record.slug },
    ]
    record.status = 'trash'
    record.slug = `${record.slug}__trashed`
    record.dateModified = now
    this.emit('product.deleted', record.id)
  }

  /** Permanent delete: no webhook, as in WooCommerce (#28541). Deletes a parent's variations too. */
  deleteProduct(record: ProductRecord): void {
    for (const vid of record.variationIds) this.products.delete(vid)
    this.products.delete(record.id)
    const parent = record.parentId ? this.products.get(record.parentId) : undefined
    if (parent) parent.variationIds = parent.variationIds.filter((v) => v !== record.id)
  }

  // ---- orders -----------------------------------------------------------------------------

  private address(input: Record<string, string> | undefined, withEmail: boolean): Record<string, string> {
    const out: Record<string, string> = {}
    for (const k of ADDRESS_KEYS) out[k] = input?.[k] ?? ''
    if (withEmail) out['email'] = input?.['email'] ?? ''
    out['phone'] = input?.['phone'] ?? ''
    return out
  }

  private addNote(order: OrderRecord, note: string): NoteRecord {
    const record = { id: this.nextNoteId++, note, customerNote: false, dateCreated: this.now() }
    order.notes.push(record)
    return record
  }

  /**
   * Create an order as the REST API does: lines are added while `pending`; a reducing status
   * (processing, completed, on-hold) reduces stock atomically inside the request; `set_paid` sets
   * `date_paid`. Queues `order.created`, `order.updated`, then `product.updated` per changed stock.
   */
  createOrder(input: OrderInput): OrderRecord {
    const lines: LineItemRecord[] = input.lineItems.map((line) => this.buildLine(line))
    const now = this.now()
    const id = this.nextPostId++
    const order: OrderRecord = {
      id,
      status: 'pending',
      currency: 'USD',
      orderKey: `wc_order_${this.randomToken(13)}`,
      billing: this.address(input.billing, true),
      shipping: this.address(input.shipping, false),
      paymentMethod: input.paymentMethod ?? '',
      paymentMethodTitle: input.paymentMethodTitle ?? '',
      lineItems: lines,
      refunds: [],
      notes: [],
      dateCreated: now,
      dateModified: now,
      datePaid: null,
      dateCompleted: null,
    }
    this.orders.set(id, order)
    const target = input.status ?? (input.setPaid ? 'processing' : 'pending')
    const changed = target !== 'pending' ? this.transition(order, target) : []
    if (input.setPaid && order.datePaid === null && order.paymentMethod !== 'cod') order.datePaid = now
    this.emit('order.created', id)
    this.emit('order.updated', id)
    for (const pid of changed) this.emit('product.updated', pid)
    return order
  }

  private buildLine(input: OrderLineInput): LineItemRecord {
    const product = this.products.get(input.productId)
    if (!product || product.type === 'variation') {
      throw new WooDomainError('woocommerce_rest_invalid_product_id', 'Product ID provided is invalid.', 400)
    }
    let item = product
    if (input.variationId) {
      const variation = this.products.get(input.variationId)
      if (!variation || variation.parentId !== product.id) {
        throw new WooDomainError(
          'woocommerce_rest_invalid_product_id',
          'Product ID provided is invalid.',
          400,
        )
      }
      item = variation
    }
    if (!Number.isInteger(input.quantity) || input.quantity <= 0) {
      throw new WooDomainError(
        'woocommerce_rest_invalid_quantity',
        'Product quantity must be a positive integer.',
        400,
      )
    }
    const isVariation = item.type === 'variation'
    return {
      id: this.nextItemId++,
      productId: product.id,
      variationId: isVariation ? item.id : 0,
      quantity: input.quantity,
      name: isVariation ? `${product.name} - ${item.name}` : product.name,
      sku: item.sku,
      price: Number(item.salePrice || item.regularPrice || '0'),
      parentName: isVariation ? product.name : null,
      attributeMeta: item.variationAttributes.map((a) => ({
        id: this.nextMetaId++,
        key: a.name.toLowerCase(),
        value: a.option,
        displayKey: a.name,
      })),
      reducedStock: 0,
      reducedStockMetaId: 0,
      restockedRefunded: 0,
      restockedMetaId: 0,
    }
  }

  /** Change an order's status with WooCommerce's stock side effects. Queues webhook events. */
  setOrderStatus(order: OrderRecord, status: OrderStatus): void {
    if (status === order.status) return
    const changed = this.transition(order, status)
    this.emit('order.updated', order.id)
    for (const pid of changed) this.emit('product.updated', pid)
  }

  /** Returns the ids of stock owners whose stock changed. */
  private transition(order: OrderRecord, status: OrderStatus): number[] {
    const from = order.status
    const now = this.now()
    let changed: number[] = []
    if (REDUCING_STATUSES.includes(status)) changed = this.reduceStock(order)
    else if (RESTORING_STATUSES.includes(status)) changed = this.restoreStock(order)
    order.status = status
    order.dateModified = now
    if (status === 'completed') {
      order.dateCompleted = now
      if (order.datePaid === null || order.paymentMethod === 'cod') order.datePaid = now
    }
    // Cash on delivery is paid when completed (recorded: `date_paid` stays null while processing).
    if (status === 'processing' && order.datePaid === null && order.paymentMethod !== 'cod')
      order.datePaid = now
    this.addNote(order, `Order status changed from ${STATUS_LABEL[from]} to ${STATUS_LABEL[status]}.`)
    return changed
  }

  private describe(owner: ProductRecord, line: LineItemRecord): string {
    const suffix = line.variationId ? '<span class="description"></span>' : ''
    return `${line.name} (${owner.sku || owner.id})${suffix}`
  }

  private reduceStock(order: OrderRecord): number[] {
    const parts: string[] = []
    const changed: number[] = []
    for (const line of order.lineItems) {
      if (line.reducedStock > 0) continue
      const product = this.products.get(line.variationId || line.productId)
      if (!product) continue
      const owner = this.stockOwner(product)
      const result = this.adjustStock(owner, -line.quantity)
      const parent = this.products.get(line.productId)
      if (parent) parent.totalSales += line.quantity
      if (!result) continue
      line.reducedStock = line.quantity
      line.reducedStockMetaId = this.nextMetaId++
      parts.push(`${this.describe(owner, line)} ${result[0]}&rarr;${result[1]}`)
      if (!changed.includes(owner.id)) changed.push(owner.id)
    }
    if (parts.length > 0) this.addNote(order, `Stock levels reduced: ${parts.join(', ')}`)
    return changed
  }

  private restoreStock(order: OrderRecord): number[] {
    const parts: string[] = []
    const changed: number[] = []
    for (const line of order.lineItems) {
      if (line.reducedStock <= 0) continue
      const product = this.products.get(line.variationId || line.productId)
      const parent = this.products.get(line.productId)
      if (parent) parent.totalSales = Math.max(0, parent.totalSales - line.quantity)
      const owner = product ? this.stockOwner(product) : undefined
      const result = owner ? this.adjustStock(owner, line.reducedStock) : null
      line.reducedStock = 0
      if (!owner || !result) continue
      parts.push(`${this.describe(owner, line)} ${result[0]}&rarr;${result[1]}`)
      if (!changed.includes(owner.id)) changed.push(owner.id)
    }
    if (parts.length > 0) this.addNote(order, `Stock levels increased: ${parts.join(', ')}`)
    return changed
  }

  /**
   * Create a refund. With `restock`, refunded quantities go back to stock (`product.updated` first,
   * then `order.updated`, as recorded). A full refund moves the order to `refunded`.
   */
  refundOrder(
    order: OrderRecord,
    input: {
      amount: string
      reason: string
      restock: boolean
      lines: Array<{ id: number; quantity: number; total: number }>
    },
  ): RefundRecord {
    const refund: RefundRecord = {
      id: this.nextPostId++,
      amount: input.amount,
      reason: input.reason,
      dateCreated: this.now(),
      lines: [],
    }
    const changed: number[] = []
    for (const req of input.lines) {
      const line = order.lineItems.find((l) => l.id === req.id)
      if (!line || req.quantity <= 0) continue
      refund.lines.push({
        id: this.nextItemId++,
        refundedItemId: line.id,
        metaId: this.nextMetaId++,
        quantity: req.quantity,
        total: req.total,
      })
      if (!input.restock) continue
      const product = this.products.get(line.variationId || line.productId)
      const owner = product ? this.stockOwner(product) : undefined
      const result = owner ? this.adjustStock(owner, req.quantity) : null
      if (!owner || !result) continue
      line.reducedStock = Math.max(0, line.reducedStock - req.quantity)
      line.restockedRefunded += req.quantity
      if (line.restockedMetaId === 0) line.restockedMetaId = this.nextMetaId++
      this.addNote(order, `Item #${line.id} stock increased from ${result[0]} to ${result[1]}.`)
      if (!changed.includes(owner.id)) changed.push(owner.id)
    }
    order.refunds.push(refund)
    order.dateModified = this.now()
    const refunded = order.refunds.reduce((sum, r) => sum + Number(r.amount), 0)
    if (refunded >= orderTotal(order) && order.status !== 'refunded') this.transition(order, 'refunded')
    for (const pid of changed) this.emit('product.updated', pid)
    this.emit('order.updated', order.id)
    return refund
  }
}

/** Sum of line totals (no taxes, shipping or discounts in the fake). */
export function orderTotal(order: OrderRecord): number {
  return order.lineItems.reduce((sum, l) => sum + l.price * l.quantity, 0)
}
