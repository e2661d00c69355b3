import { WooDomainError } from './domain-error.js'
import type { WooState } from './state.js'
import type {
  LineItemRecord,
  NoteRecord,
  OrderRecord,
  OrderStatus,
  ProductRecord,
  RefundRecord,
} from './types.js'

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

/** Input of a refund: lines by order-item id; `restock` puts the quantities back. */
export interface RefundInput {
  amount: string
  reason: string
  restock: boolean
  lines: Array<{ id: number; quantity: number; total: number }>
}

/**
 * Orders and their stock effects, as WooCommerce applies them: lines added while `pending`, stock
 * reduced atomically on a reducing status and restored on cancel/pending, refunds with restock.
 */
export class OrderDesk {
  private nextNoteId = 1

  constructor(private readonly state: WooState) {}

  private address(input: Record<string, string> | undefined, withEmail: boolean): Record<string, string> {
    const out: Record<string, string> = {}
    for (const k of ADDRESS_KEYS) out[k] = input?.[k] ?? ''
    if (withEmail) out['email'] = input?.['email'] ?? ''
    out['phone'] = input?.['phone'] ?? ''
    return out
  }

  private addNote(order: OrderRecord, note: string): NoteRecord {
    const record = { id: this.nextNoteId++, note, customerNote: false, dateCreated: this.state.now() }
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
    const now = this.state.now()
    const id = this.state.nextPostId++
    const order: OrderRecord = {
      id,
      status: 'pending',
      currency: 'USD',
      orderKey: `wc_order_${this.state.randomToken(13)}`,
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
    this.state.orders.set(id, order)
    const target = input.status ?? (input.setPaid ? 'processing' : 'pending')
    const changed = target !== 'pending' ? this.transition(order, target) : []
    if (input.setPaid && order.datePaid === null && order.paymentMethod !== 'cod') order.datePaid = now
    this.state.emit('order.created', id)
    this.state.emit('order.updated', id)
    for (const pid of changed) this.state.emit('product.updated', pid)
    return order
  }

  private buildLine(input: OrderLineInput): LineItemRecord {
    const product = this.state.products.get(input.productId)
    if (!product || product.type === 'variation') {
      throw new WooDomainError('woocommerce_rest_invalid_product_id', 'Product ID provided is invalid.', 400)
    }
    let item = product
    if (input.variationId) {
      const variation = this.state.products.get(input.variationId)
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
      id: this.state.nextItemId++,
      productId: product.id,
      variationId: isVariation ? item.id : 0,
      quantity: input.quantity,
      name: isVariation ? `${product.name} - ${item.name}` : product.name,
      sku: item.sku,
      price: Number(item.salePrice || item.regularPrice || '0'),
      parentName: isVariation ? product.name : null,
      attributeMeta: item.variationAttributes.map((a) => ({
        id: this.state.nextMetaId++,
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
    this.state.emit('order.updated', order.id)
    for (const pid of changed) this.state.emit('product.updated', pid)
  }

  /** Returns the ids of stock owners whose stock changed. */
  private transition(order: OrderRecord, status: OrderStatus): number[] {
    const from = order.status
    const now = this.state.now()
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
    // `WC_Product::get_formatted_name()`: "Name (SKU)", or "Name (#id)" without a SKU.
    return `${line.name} (${owner.sku || `#${owner.id}`})${suffix}`
  }

  private reduceStock(order: OrderRecord): number[] {
    const parts: string[] = []
    const changed: number[] = []
    for (const line of order.lineItems) {
      if (line.reducedStock > 0) continue
      const product = this.state.products.get(line.variationId || line.productId)
      if (!product) continue
      const owner = this.state.stockOwner(product)
      const result = this.state.adjustStock(owner, -line.quantity)
      const parent = this.state.products.get(line.productId)
      if (parent) parent.totalSales += line.quantity
      if (!result) continue
      line.reducedStock = line.quantity
      line.reducedStockMetaId = this.state.nextMetaId++
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
      const product = this.state.products.get(line.variationId || line.productId)
      const parent = this.state.products.get(line.productId)
      if (parent) parent.totalSales = Math.max(0, parent.totalSales - line.quantity)
      const owner = product ? this.state.stockOwner(product) : undefined
      const result = owner ? this.state.adjustStock(owner, line.reducedStock) : null
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
  refundOrder(order: OrderRecord, input: RefundInput): RefundRecord {
    const refund: RefundRecord = {
      id: this.state.nextPostId++,
      amount: input.amount,
      reason: input.reason,
      dateCreated: this.state.now(),
      lines: [],
    }
    const changed: number[] = []
    for (const req of input.lines) {
      const line = order.lineItems.find((l) => l.id === req.id)
      if (!line || req.quantity <= 0) continue
      refund.lines.push({
        id: this.state.nextItemId++,
        refundedItemId: line.id,
        metaId: this.state.nextMetaId++,
        quantity: req.quantity,
        total: req.total,
      })
      if (!input.restock) continue
      const product = this.state.products.get(line.variationId || line.productId)
      const owner = product ? this.state.stockOwner(product) : undefined
      const result = owner ? this.state.adjustStock(owner, req.quantity) : null
      if (!owner || !result) continue
      line.reducedStock = Math.max(0, line.reducedStock - req.quantity)
      line.restockedRefunded += req.quantity
      if (line.restockedMetaId === 0) line.restockedMetaId = this.state.nextMetaId++
      this.addNote(order, `Item #${line.id} stock increased from ${result[0]} to ${result[1]}.`)
      if (!changed.includes(owner.id)) changed.push(owner.id)
    }
    order.refunds.push(refund)
    order.dateModified = this.state.now()
    const refunded = order.refunds.reduce((sum, r) => sum + Number(r.amount), 0)
    if (refunded >= orderTotal(order) && order.status !== 'refunded') this.transition(order, 'refunded')
    for (const pid of changed) this.state.emit('product.updated', pid)
    this.state.emit('order.updated', order.id)
    return refund
  }
}

/** Sum of line totals (no taxes, shipping or discounts in the fake). */
export function orderTotal(order: OrderRecord): number {
  return order.lineItems.reduce((sum, l) => sum + l.price * l.quantity, 0)
}
