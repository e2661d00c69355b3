import { GraphQLError } from 'graphql'
import { isoSeconds } from './clock.js'
import { type ConnectionArgs, paginate } from './connection.js'
import type { ResolverContext } from './context.js'
import { gid, inventoryLevelGid } from './ids.js'
import {
  type InventoryItemRecord,
  type LevelRecord,
  type LocationRecord,
  type MediaRecord,
  type ProductRecord,
  QUANTITY_NAMES,
  type QuantityName,
  type VariantRecord,
} from './state.js'

/**
 * Views turn records into objects graphql's default resolver can read: plain values for scalars,
 * functions `(args) => …` for fields with arguments or that lead to other objects.
 */
type View = Record<string, unknown>

/** Nested connections page normally, or return everything inside a bulk operation. */
function nested(ctx: ResolverContext) {
  return ctx.mode.bulk ? { bulk: {} } : {}
}

/** A `Product`. */
export function productView(p: ProductRecord, ctx: ResolverContext): View {
  const variants = () => p.variantIds.flatMap((id) => ctx.state.variants.get(id) ?? [])
  return {
    __typename: 'Product',
    id: gid('Product', p.id),
    legacyResourceId: p.id,
    title: p.title,
    handle: p.handle,
    descriptionHtml: p.descriptionHtml,
    bodyHtml: p.descriptionHtml,
    description: p.descriptionHtml.replace(/<[^>]*>/g, ''),
    status: p.status,
    vendor: p.vendor,
    productType: p.productType,
    tags: p.tags,
    get createdAt() {
      return isoSeconds(p.createdAt)
    },
    get updatedAt() {
      return isoSeconds(p.updatedAt)
    },
    get publishedAt() {
      return p.publishedAt === null ? null : isoSeconds(p.publishedAt)
    },
    isGiftCard: false,
    tracksInventory: true,
    hasOnlyDefaultVariant: p.options.length === 1 && p.options[0]?.name === 'Title',
    totalVariants: p.variantIds.length,
    variantsCount: { count: p.variantIds.length, precision: 'EXACT' },
    mediaCount: { count: p.media.length, precision: 'EXACT' },
    totalInventory: () => variants().reduce((sum, v) => sum + ctx.state.variantAvailable(v), 0),
    options: (args: { first?: number | null }) =>
      p.options.slice(0, args.first ?? undefined).map((option) => ({
        __typename: 'ProductOption',
        id: gid('ProductOption', option.id),
        name: option.name,
        position: option.position,
        values: option.values.map((v) => v.name),
        optionValues: option.values.map((v) => ({
          __typename: 'ProductOptionValue',
          id: gid('ProductOptionValue', v.id),
          name: v.name,
          hasVariants: true,
        })),
      })),
    media: (args: ConnectionArgs) => paginate(p.media, args, mediaView, nested(ctx)),
    images: (args: ConnectionArgs) => paginate(p.media, args, imageView, nested(ctx)),
    featuredMedia: () => (p.media[0] ? mediaView(p.media[0]) : null),
    featuredImage: () => (p.media[0] ? imageView(p.media[0]) : null),
    variants: (args: ConnectionArgs) => paginate(variants(), args, (v) => variantView(v, ctx), nested(ctx)),
  }
}

function imageView(m: MediaRecord): View {
  return {
    __typename: 'Image',
    id: gid('MediaImage', m.id),
    url: m.url,
    src: m.url,
    originalSrc: m.url,
    transformedSrc: m.url,
    altText: m.altText,
    width: m.width,
    height: m.height,
  }
}

function mediaView(m: MediaRecord): View {
  return {
    __typename: 'MediaImage',
    id: gid('MediaImage', m.id),
    alt: m.altText,
    mediaContentType: 'IMAGE',
    status: 'READY',
    fileStatus: 'READY',
    mimeType: 'image/jpeg',
    get createdAt() {
      return isoSeconds(m.createdAt)
    },
    get updatedAt() {
      return isoSeconds(m.createdAt)
    },
    image: imageView(m),
    preview: { image: imageView(m), status: 'READY' },
    mediaErrors: [],
    mediaWarnings: [],
    fileErrors: [],
  }
}

/** A `ProductVariant`. */
export function variantView(v: VariantRecord, ctx: ResolverContext): View {
  const product = ctx.state.products.get(v.productId)
  return {
    __typename: 'ProductVariant',
    id: gid('ProductVariant', v.id),
    legacyResourceId: v.id,
    title: v.title,
    displayName: `${product?.title ?? ''} - ${v.title}`,
    sku: v.sku,
    barcode: v.barcode,
    price: v.price,
    compareAtPrice: v.compareAtPrice,
    position: v.position,
    selectedOptions: v.selectedOptions,
    inventoryPolicy: v.inventoryPolicy,
    taxable: v.taxable,
    availableForSale: true,
    get createdAt() {
      return isoSeconds(v.createdAt)
    },
    get updatedAt() {
      return isoSeconds(v.updatedAt)
    },
    inventoryQuantity: () => ctx.state.variantAvailable(v),
    product: () => (product ? productView(product, ctx) : null),
    inventoryItem: () => {
      const item = ctx.state.inventoryItems.get(v.inventoryItemId)
      return item ? inventoryItemView(item, ctx) : null
    },
  }
}

/** An `InventoryItem`. */
export function inventoryItemView(item: InventoryItemRecord, ctx: ResolverContext): View {
  return {
    __typename: 'InventoryItem',
    id: gid('InventoryItem', item.id),
    legacyResourceId: item.id,
    sku: item.sku,
    tracked: item.tracked,
    requiresShipping: item.requiresShipping,
    get createdAt() {
      return isoSeconds(item.createdAt)
    },
    get updatedAt() {
      return isoSeconds(item.updatedAt)
    },
    duplicateSkuCount: 0,
    get locationsCount() {
      return { count: ctx.state.levelsOf(item.id).length, precision: 'EXACT' }
    },
    variant: () => {
      const variant = ctx.state.variants.get(item.variantId)
      return variant ? variantView(variant, ctx) : null
    },
    inventoryLevels: (args: ConnectionArgs) =>
      paginate(levelRows(ctx.state.levelsOf(item.id)), args, (row) => levelView(row.level, ctx), nested(ctx)),
    inventoryLevel: (args: { locationId: string }) => {
      const locationId = /\/Location\/(\d+)$/.exec(args.locationId)?.[1]
      const level = locationId ? ctx.state.level(item.id, locationId) : undefined
      return level ? levelView(level, ctx) : null
    },
  }
}

/** Levels keyed for pagination by location id (unique within one item). */
function levelRows(
  levels: LevelRecord[],
  by: 'location' | 'item' = 'location',
): { id: string; level: LevelRecord }[] {
  return levels.map((level) => ({ id: by === 'location' ? level.locationId : level.inventoryItemId, level }))
}

/** An `InventoryLevel`, with the `?inventory_item_id=` GID quirk. */
export function levelView(level: LevelRecord, ctx: ResolverContext): View {
  return {
    __typename: 'InventoryLevel',
    id: inventoryLevelGid(level.inventoryItemId, level.locationId),
    isActive: true,
    canDeactivate: true,
    get createdAt() {
      return isoSeconds(level.createdAt)
    },
    get updatedAt() {
      return isoSeconds(level.updatedAt)
    },
    scheduledChanges: { edges: [], nodes: [], pageInfo: { hasNextPage: false, hasPreviousPage: false } },
    item: () => {
      const item = ctx.state.inventoryItems.get(level.inventoryItemId)
      return item ? inventoryItemView(item, ctx) : null
    },
    location: () => {
      const location = ctx.state.locations.get(level.locationId)
      return location ? locationView(location, ctx) : null
    },
    quantities: (args: { names: string[] }) =>
      args.names.map((name) => {
        if (!(QUANTITY_NAMES as readonly string[]).includes(name)) {
          throw new GraphQLError(`The quantity name '${name}' is not valid.`, {
            extensions: { code: 'BAD_REQUEST' },
          })
        }
        return {
          __typename: 'InventoryQuantity',
          id: `gid://shopify/InventoryQuantity/${level.locationId}?inventory_item_id=${level.inventoryItemId}&name=${name}`,
          name,
          quantity: level.quantities[name as QuantityName],
          get updatedAt() {
            return isoSeconds(level.updatedAt)
          },
        }
      }),
  }
}

/** A `Location`. */
export function locationView(location: LocationRecord, ctx: ResolverContext): View {
  const levels = () => [...ctx.state.levels.values()].filter((level) => level.locationId === location.id)
  return {
    __typename: 'Location',
    id: gid('Location', location.id),
    legacyResourceId: location.id,
    name: location.name,
    isActive: location.isActive,
    isPrimary: location.id === ctx.state.defaultLocationId,
    fulfillsOnlineOrders: true,
    hasActiveInventory: true,
    shipsInventory: true,
    activatable: false,
    deactivatable: location.id !== ctx.state.defaultLocationId,
    deletable: false,
    addressVerified: true,
    isFulfillmentService: false,
    hasUnfulfilledOrders: false,
    get createdAt() {
      return isoSeconds(location.createdAt)
    },
    get updatedAt() {
      return isoSeconds(location.createdAt)
    },
    address: {
      address1: '1 Test Street',
      city: 'Ottawa',
      countryCode: 'CA',
      country: 'Canada',
      zip: 'K1A 0A1',
      formatted: [],
    },
    inventoryLevels: (args: ConnectionArgs) =>
      paginate(levelRows(levels(), 'item'), args, (row) => levelView(row.level, ctx), nested(ctx)),
    inventoryLevel: (args: { inventoryItemId: string }) => {
      const itemId = /\/InventoryItem\/(\d+)$/.exec(args.inventoryItemId)?.[1]
      const level = itemId ? ctx.state.level(itemId, location.id) : undefined
      return level ? levelView(level, ctx) : null
    },
  }
}
