import { GraphQLError, type GraphQLResolveInfo } from 'graphql'
import { bulkOperationView } from './bulk.js'
import { type ConnectionArgs, compareIds, paginate } from './connection.js'
import type { ResolverContext } from './context.js'
import { gid, parseGid, parseInventoryLevelGid } from './ids.js'
import { inventoryAdjustQuantities, inventorySetQuantities } from './inventory-mutations.js'
import { loadAdminSchema, VENDORED_ADMIN_VERSIONS, type VendoredAdminVersion } from './schema-loader.js'
import { matchesDate, matchesId, matchesText, parseSearchQuery, type SearchTerm } from './search-query.js'
import type { InventoryItemRecord, ProductRecord, VariantRecord } from './state.js'
import { inventoryItemView, levelView, locationView, productView, variantView } from './views.js'
import { subscriptionView } from './webhook-subscriptions.js'

type Resolver = (args: never, ctx: ResolverContext, info: GraphQLResolveInfo) => unknown

interface ListArgs extends ConnectionArgs {
  query?: string | null
  sortKey?: string | null
}

function productMatches(p: ProductRecord, term: SearchTerm, ctx: ResolverContext): boolean {
  switch (term.field) {
    case 'updated_at':
      return matchesDate(p.updatedAt, term)
    case 'created_at':
      return matchesDate(p.createdAt, term)
    case 'status':
      return term.value.split(',').some((s) => s.trim().toUpperCase() === p.status)
    case 'title':
      return matchesText(p.title, term)
    case 'handle':
      return matchesText(p.handle, term)
    case 'vendor':
      return matchesText(p.vendor, term)
    case 'product_type':
      return matchesText(p.productType, term)
    case 'id':
      return matchesId(p.id, term)
    case 'sku':
      return p.variantIds.some((id) => matchesText(ctx.state.variants.get(id)?.sku ?? null, term))
    default:
      return true
  }
}

function sortBy<T extends { id: string }>(
  items: T[],
  key: string | null | undefined,
  pick: Record<string, (item: T) => number | string>,
): T[] {
  const by = key ? pick[key] : undefined
  if (!by) return items
  return [...items].sort((a, b) => {
    const x = by(a)
    const y = by(b)
    return x < y ? -1 : x > y ? 1 : compareIds(a.id, b.id)
  })
}

function variantMatches(v: VariantRecord, term: SearchTerm): boolean {
  switch (term.field) {
    case 'sku':
      return matchesText(v.sku, term)
    case 'product_id':
      return matchesId(v.productId, term)
    case 'updated_at':
      return matchesDate(v.updatedAt, term)
    case 'id':
      return matchesId(v.id, term)
    default:
      return true
  }
}

function itemMatches(i: InventoryItemRecord, term: SearchTerm): boolean {
  switch (term.field) {
    case 'sku':
      return matchesText(i.sku, term)
    case 'updated_at':
      return matchesDate(i.updatedAt, term)
    case 'id':
      return matchesId(i.id, term)
    default:
      return true
  }
}

function nodeById(id: string, ctx: ResolverContext): unknown {
  const type = /^gid:\/\/shopify\/([A-Za-z]+)\//.exec(id)?.[1]
  switch (type) {
    case 'Product':
      return queryRoot.product({ id }, ctx)
    case 'ProductVariant':
      return queryRoot.productVariant({ id }, ctx)
    case 'InventoryItem':
      return queryRoot.inventoryItem({ id }, ctx)
    case 'InventoryLevel':
      return queryRoot.inventoryLevel({ id }, ctx)
    case 'Location':
      return queryRoot.location({ id }, ctx)
    case 'BulkOperation':
      return queryRoot.bulkOperation({ id }, ctx)
    default:
      return null
  }
}

/** Query root fields the fake answers from its state (any other schema field resolves to null). */
export const queryRoot = {
  shop: (_args: Record<string, never>, ctx: ResolverContext) => ({
    __typename: 'Shop',
    id: gid('Shop', ctx.shop.id),
    name: ctx.shop.name,
    email: ctx.shop.email,
    contactEmail: ctx.shop.email,
    myshopifyDomain: ctx.shop.domain,
    url: `https://${ctx.shop.domain}`,
    currencyCode: 'USD',
    ianaTimezone: 'UTC',
    timezoneAbbreviation: 'UTC',
    weightUnit: 'KILOGRAMS',
    enabledPresentmentCurrencies: ['USD'],
    plan: { displayName: 'Basic', partnerDevelopment: false, shopifyPlus: false, publicDisplayName: 'Basic' },
  }),
  product: (args: { id: string }, ctx: ResolverContext) => {
    const id = parseGid(args.id, 'Product')
    const product = id ? ctx.state.products.get(id) : undefined
    return product ? productView(product, ctx) : null
  },
  products: (args: ListArgs, ctx: ResolverContext) => {
    const terms = parseSearchQuery(args.query)
    const items = [...ctx.state.products.values()].filter((p) =>
      terms.every((t) => productMatches(p, t, ctx)),
    )
    const sorted = sortBy(items, args.sortKey, {
      UPDATED_AT: (p) => p.updatedAt,
      CREATED_AT: (p) => p.createdAt,
      TITLE: (p) => p.title,
    })
    return paginate(sorted, args, (p) => productView(p, ctx), ctx.mode)
  },
  productVariant: (args: { id: string }, ctx: ResolverContext) => {
    const id = parseGid(args.id, 'ProductVariant')
    const variant = id ? ctx.state.variants.get(id) : undefined
    return variant ? variantView(variant, ctx) : null
  },
  productVariants: (args: ListArgs, ctx: ResolverContext) => {
    const terms = parseSearchQuery(args.query)
    const items = [...ctx.state.variants.values()].filter((v) => terms.every((t) => variantMatches(v, t)))
    return paginate(items, args, (v) => variantView(v, ctx), ctx.mode)
  },
  inventoryItem: (args: { id: string }, ctx: ResolverContext) => {
    const id = parseGid(args.id, 'InventoryItem')
    if (!id) throw new GraphQLError('Invalid id', { extensions: { code: 'BAD_REQUEST' } })
    const item = ctx.state.inventoryItems.get(id)
    return item ? inventoryItemView(item, ctx) : null
  },
  inventoryItems: (args: ListArgs, ctx: ResolverContext) => {
    const terms = parseSearchQuery(args.query)
    const items = [...ctx.state.inventoryItems.values()].filter((i) => terms.every((t) => itemMatches(i, t)))
    return paginate(items, args, (i) => inventoryItemView(i, ctx), ctx.mode)
  },
  inventoryLevel: (args: { id: string }, ctx: ResolverContext) => {
    const parsed = parseInventoryLevelGid(args.id)
    const level = parsed ? ctx.state.level(parsed.inventoryItemId, parsed.locationId) : undefined
    return level ? levelView(level, ctx) : null
  },
  location: (args: { id?: string | null }, ctx: ResolverContext) => {
    const id = args.id ? parseGid(args.id, 'Location') : ctx.state.defaultLocationId
    const location = id ? ctx.state.locations.get(id) : undefined
    return location ? locationView(location, ctx) : null
  },
  locations: (args: ListArgs & { includeInactive?: boolean | null }, ctx: ResolverContext) => {
    const items = [...ctx.state.locations.values()].filter((l) => l.isActive || args.includeInactive)
    return paginate(items, args, (l) => locationView(l, ctx), ctx.mode)
  },
  currentBulkOperation: (args: { type?: string | null }, ctx: ResolverContext) => {
    if (args.type === 'MUTATION') return null
    const op = ctx.bulk.current()
    return op ? bulkOperationView(ctx.bulk.observe(op)) : null
  },
  bulkOperation: (args: { id: string }, ctx: ResolverContext) => {
    const op = ctx.bulk.byGid(args.id)
    return op ? bulkOperationView(ctx.bulk.observe(op)) : null
  },
  node: (args: { id: string }, ctx: ResolverContext) => nodeById(args.id, ctx),
  nodes: (args: { ids: string[] }, ctx: ResolverContext) => args.ids.map((id) => nodeById(id, ctx)),
  publicApiVersions: () =>
    VENDORED_ADMIN_VERSIONS.map((handle) => ({ handle, displayName: handle, supported: true })),
} satisfies Record<string, Resolver>

/** Mutation root fields the fake implements. */
export const mutationRoot = {
  inventoryAdjustQuantities,
  inventorySetQuantities,
  inventoryActivate: (
    args: { inventoryItemId: string; locationId: string; available?: number | null },
    ctx: ResolverContext,
  ) => {
    const itemId = parseGid(args.inventoryItemId, 'InventoryItem')
    const locationId = parseGid(args.locationId, 'Location')
    if (
      !itemId ||
      !ctx.state.inventoryItems.has(itemId) ||
      !locationId ||
      !ctx.state.locations.has(locationId)
    ) {
      return {
        inventoryLevel: null,
        userErrors: [
          { field: ['inventoryItemId'], message: 'Inventory item or location not found', code: null },
        ],
      }
    }
    return {
      inventoryLevel: levelView(ctx.state.activate(itemId, locationId, args.available ?? 0), ctx),
      userErrors: [],
    }
  },
  bulkOperationRunQuery: (args: { query: string; groupObjects: boolean }, ctx: ResolverContext) => {
    const schema = loadAdminSchema(ctx.apiVersion as VendoredAdminVersion)
    const { op, userErrors } = ctx.bulk.run(schema, args.query, args.groupObjects, ctx.origin)
    return { bulkOperation: op ? bulkOperationView(op) : null, userErrors }
  },
  webhookSubscriptionCreate: (
    args: {
      topic: string
      webhookSubscription: { uri?: string | null; callbackUrl?: string | null; name?: string | null }
    },
    ctx: ResolverContext,
  ) => {
    const { sub, userErrors } = ctx.subscriptions.create(args.topic, args.webhookSubscription)
    return { webhookSubscription: sub ? subscriptionView(sub, ctx.apiVersion) : null, userErrors }
  },
  webhookSubscriptionDelete: (args: { id: string }, ctx: ResolverContext) => {
    const id = parseGid(args.id, 'WebhookSubscription')
    const deleted = id ? ctx.subscriptions.delete(id) : false
    return {
      deletedWebhookSubscriptionId: deleted ? args.id : null,
      userErrors: deleted ? [] : [{ field: ['id'], message: 'Webhook subscription does not exist' }],
    }
  },
} satisfies Record<string, Resolver>
