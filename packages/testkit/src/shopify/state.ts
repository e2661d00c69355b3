import type { FakeClock } from './clock.js'
import { IdSequence } from './ids.js'

/** Quantity names a level tracks (Shopify's inventory states). */
export const QUANTITY_NAMES = [
  'available',
  'on_hand',
  'committed',
  'incoming',
  'reserved',
  'damaged',
  'quality_control',
  'safety_stock',
] as const

/** One of {@link QUANTITY_NAMES}. */
export type QuantityName = (typeof QUANTITY_NAMES)[number]

/** A product option (e.g. Size) with its values. */
export interface OptionRecord {
  id: string
  name: string
  position: number
  values: { id: string; name: string }[]
}

/** A product image (MediaImage). */
export interface MediaRecord {
  id: string
  url: string
  altText: string | null
  width: number
  height: number
  createdAt: number
}

/** A product as the fake stores it. Ids are decimal strings. */
export interface ProductRecord {
  id: string
  title: string
  handle: string
  descriptionHtml: string
  status: 'ACTIVE' | 'DRAFT' | 'ARCHIVED'
  vendor: string
  productType: string
  tags: string[]
  createdAt: number
  updatedAt: number
  publishedAt: number | null
  options: OptionRecord[]
  media: MediaRecord[]
  variantIds: string[]
}

/** A product variant. */
export interface VariantRecord {
  id: string
  productId: string
  title: string
  sku: string | null
  barcode: string | null
  price: string
  compareAtPrice: string | null
  position: number
  selectedOptions: { name: string; value: string }[]
  inventoryItemId: string
  inventoryPolicy: 'DENY' | 'CONTINUE'
  taxable: boolean
  createdAt: number
  updatedAt: number
}

/** The stock-keeping side of a variant (1:1). */
export interface InventoryItemRecord {
  id: string
  variantId: string
  sku: string | null
  tracked: boolean
  requiresShipping: boolean
  createdAt: number
  updatedAt: number
}

/** A stock location. */
export interface LocationRecord {
  id: string
  name: string
  isActive: boolean
  createdAt: number
}

/** Stock of one inventory item at one location, per quantity name. */
export interface LevelRecord {
  inventoryItemId: string
  locationId: string
  quantities: Record<QuantityName, number>
  createdAt: number
  updatedAt: number
}

/** One line of an order. */
export interface OrderLineRecord {
  id: string
  variantId: string
  productId: string
  quantity: number
  price: string
  title: string
  variantTitle: string
  sku: string | null
}

/** A placed order: its lines moved stock from available to committed. */
export interface OrderRecord {
  id: string
  number: number
  locationId: string
  createdAt: number
  lines: OrderLineRecord[]
}

/** What happened in the shop; the webhook dispatcher turns these into deliveries. */
export type ShopEvent =
  | { kind: 'product'; action: 'create' | 'update'; product: ProductRecord }
  | { kind: 'product'; action: 'delete'; productId: string }
  | { kind: 'inventoryLevel'; level: LevelRecord }
  | { kind: 'order'; order: OrderRecord }
  | { kind: 'uninstalled' }

/** Input of {@link ShopState.createProduct}. */
export interface NewProduct {
  title: string
  handle?: string
  descriptionHtml?: string
  status?: ProductRecord['status']
  vendor?: string
  productType?: string
  tags?: string[]
  /** Option name → values, e.g. `{ Size: ['S', 'M'] }`; variants are one per value combination unless `variants` is given. */
  options?: Record<string, string[]>
  variants?: { title?: string; sku?: string; price?: string; options?: string[]; available?: number }[]
  images?: { url: string; altText?: string }[]
  /** Starting `available` at the default location for every generated variant. */
  available?: number
}

function emptyQuantities(): Record<QuantityName, number> {
  return {
    available: 0,
    on_hand: 0,
    committed: 0,
    incoming: 0,
    reserved: 0,
    damaged: 0,
    quality_control: 0,
    safety_stock: 0,
  }
}

function handleize(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'product'
  )
}

function cartesian(lists: string[][]): string[][] {
  return lists.reduce<string[][]>(
    (acc, list) => acc.flatMap((prefix) => list.map((value) => [...prefix, value])),
    [[]],
  )
}

/**
 * The shop's data: products, variants, inventory items, locations, levels and orders. Every change
 * goes through a method here so the matching {@link ShopEvent} is raised exactly once.
 */
export class ShopState {
  readonly products = new Map<string, ProductRecord>()
  readonly variants = new Map<string, VariantRecord>()
  readonly inventoryItems = new Map<string, InventoryItemRecord>()
  readonly locations = new Map<string, LocationRecord>()
  readonly levels = new Map<string, LevelRecord>()
  readonly orders = new Map<string, OrderRecord>()
  readonly ids: IdSequence
  readonly clock: FakeClock
  /** The location new stock lands in. */
  readonly defaultLocationId: string
  #listeners: ((event: ShopEvent) => void)[] = []
  #orderNumber = 1000

  constructor(clock: FakeClock, idStart: bigint) {
    this.clock = clock
    this.ids = new IdSequence(idStart)
    this.defaultLocationId = this.addLocation('Main warehouse').id
  }

  /** Subscribes to shop events. */
  onEvent(listener: (event: ShopEvent) => void): void {
    this.#listeners.push(listener)
  }

  #emit(event: ShopEvent): void {
    for (const listener of this.#listeners) listener(event)
  }

  /** Adds a location. */
  addLocation(name: string): LocationRecord {
    const location: LocationRecord = {
      id: this.ids.next(),
      name,
      isActive: true,
      createdAt: this.clock.now(),
    }
    this.locations.set(location.id, location)
    return location
  }

  /** Key of a level in {@link levels}. */
  static levelKey(inventoryItemId: string, locationId: string): string {
    return `${inventoryItemId}:${locationId}`
  }

  /** The level of an item at a location, if the item is stocked there. */
  level(inventoryItemId: string, locationId: string): LevelRecord | undefined {
    return this.levels.get(ShopState.levelKey(inventoryItemId, locationId))
  }

  /** Levels of one item, in location order. */
  levelsOf(inventoryItemId: string): LevelRecord[] {
    const out: LevelRecord[] = []
    for (const locationId of this.locations.keys()) {
      const level = this.level(inventoryItemId, locationId)
      if (level) out.push(level)
    }
    return out
  }

  /** Stocks an item at a location (inventoryActivate). */
  activate(inventoryItemId: string, locationId: string, available = 0): LevelRecord {
    const existing = this.level(inventoryItemId, locationId)
    if (existing) return existing
    const now = this.clock.now()
    const quantities = emptyQuantities()
    quantities.available = available
    quantities.on_hand = available
    const level: LevelRecord = { inventoryItemId, locationId, quantities, createdAt: now, updatedAt: now }
    this.levels.set(ShopState.levelKey(inventoryItemId, locationId), level)
    return level
  }

  /** Creates a product with its options, variants, inventory items, media and levels; raises products/create. */
  createProduct(input: NewProduct, options: { silent?: boolean } = {}): ProductRecord {
    const now = this.clock.now()
    const optionEntries = Object.entries(input.options ?? {})
    const product: ProductRecord = {
      id: this.ids.next(),
      title: input.title,
      handle: input.handle ?? handleize(input.title),
      descriptionHtml: input.descriptionHtml ?? '',
      status: input.status ?? 'ACTIVE',
      vendor: input.vendor ?? 'Fake Vendor',
      productType: input.productType ?? '',
      tags: input.tags ?? [],
      createdAt: now,
      updatedAt: now,
      publishedAt: now,
      options: [],
      media: [],
      variantIds: [],
    }
    product.options = (
      optionEntries.length > 0 ? optionEntries : [['Title', ['Default Title']] as const]
    ).map(([name, values], index) => ({
      id: this.ids.next(),
      name,
      position: index + 1,
      values: values.map((value) => ({ id: this.ids.next(), name: value })),
    }))
    product.media = (input.images ?? []).map((image) => ({
      id: this.ids.next(),
      url: image.url,
      altText: image.altText ?? null,
      width: 800,
      height: 800,
      createdAt: now,
    }))
    const combos = input.variants
      ? input.variants.map((variant, index) => variant.options ?? [variant.title ?? `Variant ${index + 1}`])
      : cartesian(product.options.map((option) => option.values.map((value) => value.name)))
    combos.forEach((combo, index) => {
      const spec = input.variants?.[index]
      const variant: VariantRecord = {
        id: this.ids.next(),
        productId: product.id,
        title: spec?.title ?? combo.join(' / '),
        sku: spec?.sku ?? `${product.handle}-${index + 1}`.toUpperCase(),
        barcode: null,
        price: spec?.price ?? '19.99',
        compareAtPrice: null,
        position: index + 1,
        selectedOptions: combo.map((value, i) => ({ name: product.options[i]?.name ?? 'Title', value })),
        inventoryItemId: '',
        inventoryPolicy: 'DENY',
        taxable: true,
        createdAt: now,
        updatedAt: now,
      }
      const item: InventoryItemRecord = {
        id: this.ids.next(),
        variantId: variant.id,
        sku: variant.sku,
        tracked: true,
        requiresShipping: true,
        createdAt: now,
        updatedAt: now,
      }
      variant.inventoryItemId = item.id
      this.variants.set(variant.id, variant)
      this.inventoryItems.set(item.id, item)
      product.variantIds.push(variant.id)
      this.activate(item.id, this.defaultLocationId, spec?.available ?? input.available ?? 0)
    })
    this.products.set(product.id, product)
    if (!options.silent) this.#emit({ kind: 'product', action: 'create', product })
    return product
  }

  /** Changes product fields; raises products/update. */
  updateProduct(
    productId: string,
    patch: Partial<
      Pick<ProductRecord, 'title' | 'descriptionHtml' | 'status' | 'vendor' | 'productType' | 'tags'>
    >,
  ): ProductRecord {
    const product = this.#product(productId)
    Object.assign(product, patch, { updatedAt: this.clock.now() })
    this.#emit({ kind: 'product', action: 'update', product })
    return product
  }

  /** Deletes a product with its variants, items and levels; raises products/delete. */
  deleteProduct(productId: string): void {
    const product = this.#product(productId)
    for (const variantId of product.variantIds) {
      const variant = this.variants.get(variantId)
      if (!variant) continue
      for (const locationId of this.locations.keys())
        this.levels.delete(ShopState.levelKey(variant.inventoryItemId, locationId))
      this.inventoryItems.delete(variant.inventoryItemId)
      this.variants.delete(variantId)
    }
    this.products.delete(productId)
    this.#emit({ kind: 'product', action: 'delete', productId })
  }

  #product(productId: string): ProductRecord {
    const product = this.products.get(productId)
    if (!product) throw new Error(`fake Shopify: no product ${productId}`)
    return product
  }

  /**
   * Changes one quantity of a level by `delta`, keeping Shopify's rule that every state but
   * `incoming` is part of `on_hand` (changing `on_hand` itself moves `available`). Raises
   * inventory_levels/update when `available` changed.
   */
  adjust(level: LevelRecord, name: QuantityName, delta: number): number {
    const q = level.quantities
    if (name === 'on_hand') {
      q.on_hand += delta
      q.available += delta
    } else if (name === 'incoming') {
      q.incoming += delta
    } else {
      q[name] += delta
      q.on_hand += delta
    }
    level.updatedAt = this.clock.now()
    this.#touchVariantOf(level.inventoryItemId)
    if (name !== 'incoming') this.#emit({ kind: 'inventoryLevel', level })
    return q[name]
  }

  #touchVariantOf(inventoryItemId: string): void {
    const item = this.inventoryItems.get(inventoryItemId)
    if (!item) return
    const now = this.clock.now()
    item.updatedAt = now
    const variant = this.variants.get(item.variantId)
    if (variant) variant.updatedAt = now
  }

  /**
   * Places an order: each line moves `quantity` from available to committed at the location
   * (on_hand unchanged until fulfilment), then raises orders/create.
   */
  placeOrder(
    lines: { variantId: string; quantity: number }[],
    locationId = this.defaultLocationId,
  ): OrderRecord {
    const now = this.clock.now()
    this.#orderNumber += 1
    const order: OrderRecord = {
      id: this.ids.next(),
      number: this.#orderNumber,
      locationId,
      createdAt: now,
      lines: [],
    }
    for (const line of lines) {
      const variant = this.variants.get(line.variantId)
      if (!variant) throw new Error(`fake Shopify: no variant ${line.variantId}`)
      const product = this.#product(variant.productId)
      const level =
        this.level(variant.inventoryItemId, locationId) ?? this.activate(variant.inventoryItemId, locationId)
      level.quantities.available -= line.quantity
      level.quantities.committed += line.quantity
      level.updatedAt = now
      this.#touchVariantOf(variant.inventoryItemId)
      order.lines.push({
        id: this.ids.next(),
        variantId: variant.id,
        productId: product.id,
        quantity: line.quantity,
        price: variant.price,
        title: product.title,
        variantTitle: variant.title,
        sku: variant.sku,
      })
      this.#emit({ kind: 'inventoryLevel', level })
    }
    this.orders.set(order.id, order)
    this.#emit({ kind: 'order', order })
    return order
  }

  /** Ships an order: committed and on_hand go down by each line's quantity. */
  fulfillOrder(orderId: string): void {
    const order = this.orders.get(orderId)
    if (!order) throw new Error(`fake Shopify: no order ${orderId}`)
    for (const line of order.lines) {
      const variant = this.variants.get(line.variantId)
      const level = variant && this.level(variant.inventoryItemId, order.locationId)
      if (!level) continue
      level.quantities.committed -= line.quantity
      level.quantities.on_hand -= line.quantity
      level.updatedAt = this.clock.now()
    }
  }

  /** Raises app/uninstalled. */
  emitUninstalled(): void {
    this.#emit({ kind: 'uninstalled' })
  }

  /** Total `available` of a variant over all locations. */
  variantAvailable(variant: VariantRecord): number {
    return this.levelsOf(variant.inventoryItemId).reduce((sum, level) => sum + level.quantities.available, 0)
  }
}
