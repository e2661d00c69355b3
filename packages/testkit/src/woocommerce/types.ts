/** Internal records of the fake store. Rendered to WooCommerce's REST shapes by `render-*.ts`. */

/** `stock_status` values. */
export type StockStatus = 'instock' | 'outofstock' | 'onbackorder'

/** A parent product's attribute (`id` 0 = a local, non-taxonomy attribute). */
export interface ParentAttribute {
  id: number
  name: string
  position: number
  visible: boolean
  variation: boolean
  options: string[]
}

/** A variation's attribute choice. */
export interface VariationAttribute {
  id: number
  name: string
  option: string
}

/** A meta value as JSON (WordPress stores it serialized). */
export type MetaValue = string | number | boolean | null | MetaValue[] | { [key: string]: MetaValue }

/** A product or a variation (WordPress keeps both as posts sharing one id sequence). */
export interface ProductRecord {
  id: number
  type: 'simple' | 'variable' | 'variation'
  parentId: number
  name: string
  slug: string
  status: 'publish' | 'draft' | 'pending' | 'private' | 'trash'
  description: string
  shortDescription: string
  sku: string
  regularPrice: string
  salePrice: string
  manageStock: boolean
  stockQuantity: number | null
  stockStatus: StockStatus
  backorders: 'no' | 'notify' | 'yes'
  attributes: ParentAttribute[]
  variationAttributes: VariationAttribute[]
  variationIds: number[]
  totalSales: number
  menuOrder: number
  /** Meta WordPress adds when trashing (`_wp_trash_meta_*`), shown in `meta_data`. */
  trashMeta: Array<{ id: number; key: string; value: string }>
  /** Custom meta written through REST `meta_data` (`update_meta_data` by key), shown in `meta_data`. */
  meta: Array<{ id: number; key: string; value: MetaValue }>
  dateCreated: Date
  dateModified: Date
}

/** One order line. `reducedStock` mirrors the `_reduced_stock` item meta. */
export interface LineItemRecord {
  id: number
  productId: number
  variationId: number
  quantity: number
  name: string
  sku: string
  price: number
  parentName: string | null
  attributeMeta: Array<{ id: number; key: string; value: string; displayKey: string }>
  reducedStock: number
  reducedStockMetaId: number
  restockedRefunded: number
  restockedMetaId: number
}

/** A refund of an order. */
export interface RefundRecord {
  id: number
  amount: string
  reason: string
  dateCreated: Date
  lines: Array<{ id: number; refundedItemId: number; metaId: number; quantity: number; total: number }>
}

/** An order note. */
export interface NoteRecord {
  id: number
  note: string
  customerNote: boolean
  dateCreated: Date
}

/** Order statuses the fake knows. */
export type OrderStatus =
  | 'pending'
  | 'processing'
  | 'on-hold'
  | 'completed'
  | 'cancelled'
  | 'refunded'
  | 'failed'
  | 'trash'

/** Billing/shipping address. */
export type Address = Record<string, string>

/** An order. */
export interface OrderRecord {
  id: number
  status: OrderStatus
  currency: string
  orderKey: string
  billing: Address
  shipping: Address
  paymentMethod: string
  paymentMethodTitle: string
  lineItems: LineItemRecord[]
  refunds: RefundRecord[]
  notes: NoteRecord[]
  dateCreated: Date
  dateModified: Date
  datePaid: Date | null
  dateCompleted: Date | null
}

/** Webhook statuses. */
export type WebhookStatus = 'active' | 'paused' | 'disabled'

/** A registered webhook. `failureCount` and `pendingDelivery` are hidden in the REST API. */
export interface WebhookRecord {
  id: number
  name: string
  status: WebhookStatus
  topic: string
  deliveryUrl: string
  secret: string
  dateCreated: Date
  dateModified: Date | null
  failureCount: number
  pendingDelivery: boolean
}

/** Key permissions. */
export type KeyPermissions = 'read' | 'write' | 'read_write'

/** A REST API key. */
export interface ApiKeyRecord {
  keyId: number
  consumerKey: string
  consumerSecret: string
  permissions: KeyPermissions
  description: string
  /** OAuth nonces seen, with their timestamps (seconds), for replay checks. */
  nonces: Map<string, number>
}
