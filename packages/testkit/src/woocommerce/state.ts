import { randomBytes } from 'node:crypto'
import { OrderDesk, type OrderInput, type RefundInput } from './orders.js'
import type { SeededRandom } from './rng.js'
import type {
  ApiKeyRecord,
  KeyPermissions,
  MetaValue,
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
  /** REST `meta_data` entries: each sets the meta of that key (or of that meta id). */
  meta?: Array<{ id?: number; key: string; value: MetaValue }>
}

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
  nextMetaId = 1
  private readonly orderDesk = new OrderDesk(this)
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
      meta: [],
      dateCreated: now,
      dateModified: now,
    }
    this.applyStockFields(record, input)
    this.applyMeta(record, input.meta)
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
    this.applyMeta(record, patch.meta)
    record.dateModified = this.now()
    this.syncParent(record)
    if (!options.silent) this.emit('product.updated', record.id)
    return record
  }

  /**
   * REST `meta_data` as `WC_Data::update_meta_data` applies it: an entry with a known meta `id`
   * replaces that meta, otherwise the first meta of the same key is replaced, otherwise a new one
   * is added (with a fresh meta id). Saved in the same request as the other fields.
   */
  private applyMeta(record: ProductRecord, entries: ProductPatch['meta']): void {
    for (const entry of entries ?? []) {
      const existing =
        (entry.id !== undefined ? record.meta.find((m) => m.id === entry.id) : undefined) ??
        record.meta.find((m) => m.key === entry.key)
      if (existing) {
        existing.key = entry.key
        existing.value = entry.value
      } else record.meta.push({ id: this.nextMetaId++, key: entry.key, value: entry.value })
    }
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
    this.syncParent(owner)
    return [before, owner.stockQuantity]
  }

  /**
   * WooCommerce's deferred parent sync after a variation is saved: the parent's stock status is
   * recomputed and its `date_modified` moves (recorded: cancelling an order that restocked a
   * variation moved the parent's date), but no webhook fires for the parent.
   */
  private syncParent(variation: ProductRecord): void {
    const parent = variation.parentId ? this.products.get(variation.parentId) : undefined
    if (!parent) return
    this.refreshVariableStatus(parent)
    parent.dateModified = variation.dateModified
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

  // ---- orders (see orders.ts) ------------------------------------------------------------

  /** @see OrderDesk.createOrder */
  createOrder(input: OrderInput): OrderRecord {
    return this.orderDesk.createOrder(input)
  }

  /** @see OrderDesk.setOrderStatus */
  setOrderStatus(order: OrderRecord, status: OrderStatus): void {
    this.orderDesk.setOrderStatus(order, status)
  }

  /** @see OrderDesk.refundOrder */
  refundOrder(order: OrderRecord, input: RefundInput): RefundRecord {
    return this.orderDesk.refundOrder(order, input)
  }
}
