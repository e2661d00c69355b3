import { createHash } from 'node:crypto'
import type { ExecutionContext, ExecutionResult, Json, NormalizedProduct, WorkItemSpec } from '@hub/core'
import { z } from 'zod'
import { type ShopifyClient, withPageSizeSplitting } from './shopify-client.js'
import { isNumericId, toGid } from './shopify-ids.js'
import { normalizeGraphqlProduct, ShopifyNormalizeError } from './shopify-normalizers.js'
import {
  PRODUCT_QUERY,
  PRODUCT_VARIANTS_PAGE_QUERY,
  PRODUCTS_PAGE_QUERY,
  SHOP_QUERY,
} from './shopify-operations.js'

/** Checkpoint stream of the page-mode import. */
export const IMPORT_STREAM = 'shopify.catalog.import'

const pageInfoSchema = z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullish() })
const looseNode = z.looseObject({
  id: z.string(),
  variants: z.looseObject({ pageInfo: pageInfoSchema.optional(), nodes: z.array(z.unknown()) }),
})
const productsPageSchema = z.object({
  products: z.object({ pageInfo: pageInfoSchema, nodes: z.array(looseNode) }),
})
const productSchema = z.object({ product: looseNode.nullable() })
const variantsPageSchema = z.object({
  product: z
    .object({ variants: z.object({ pageInfo: pageInfoSchema, nodes: z.array(z.unknown()) }) })
    .nullable(),
})
const shopSchema = z.object({ shop: z.object({ currencyCode: z.string() }) })

/** A `NormalizedProduct` as item payload JSON (dates as ISO strings, as the core revives them). */
export function productToJson(product: NormalizedProduct): Json {
  return JSON.parse(JSON.stringify(product)) as Json
}

/** Stable key for one version of one product, so an unchanged product is never enqueued twice. */
function versionKey(operation: string, product: NormalizedProduct): string {
  const digest = createHash('sha256')
    .update(JSON.stringify(productToJson(product)))
    .digest('hex')
    .slice(0, 24)
  return `${operation}:${product.externalId}:${digest}`
}

/** Options of the catalog operations. */
export interface ShopifyCatalogOptions {
  /** Products per page in page mode; halved automatically when a page costs too much. Default 25. */
  pageSize?: number
}

/** Fill in the variants beyond the first page of a product node, in place. */
async function completeVariants(client: ShopifyClient, node: z.infer<typeof looseNode>, signal: AbortSignal) {
  let pageInfo = node.variants.pageInfo
  while (pageInfo?.hasNextPage && pageInfo.endCursor) {
    const { data } = await client.request(PRODUCT_VARIANTS_PAGE_QUERY, {
      variables: { id: node.id, first: 250, after: pageInfo.endCursor },
      schema: variantsPageSchema,
      signal,
    })
    if (data.product === null) return
    node.variants.nodes.push(...data.product.variants.nodes)
    pageInfo = data.product.variants.pageInfo
  }
}

async function shopCurrency(client: ShopifyClient, signal: AbortSignal): Promise<string> {
  return (await client.request(SHOP_QUERY, { schema: shopSchema, signal })).data.shop.currencyCode
}

/**
 * `catalog.import` in page mode: pages of products (≤ 250, cost-split) normalized and enqueued as
 * the core's `catalog.submit` items; the cursor is checkpointed after each page's items are
 * enqueued, so a crash resumes at the first page not yet handed over.
 */
export async function importCatalogPages(
  ctx: ExecutionContext,
  client: ShopifyClient,
  options: ShopifyCatalogOptions = {},
): Promise<ExecutionResult> {
  const currency = await shopCurrency(client, ctx.signal)
  let cursor = (await ctx.checkpoints.get(IMPORT_STREAM))?.cursor ?? null
  let pageSize = Math.min(250, options.pageSize ?? 25)
  let products = 0
  let skipped = 0
  for (;;) {
    const after = cursor
    const page = await withPageSizeSplitting(pageSize, (first) =>
      client.request(PRODUCTS_PAGE_QUERY, {
        variables: { first, after },
        schema: productsPageSchema,
        signal: ctx.signal,
      }),
    )
    pageSize = page.pageSize
    const { nodes, pageInfo } = page.result.data.products
    const work: WorkItemSpec[] = []
    for (const node of nodes) {
      await completeVariants(client, node, ctx.signal)
      try {
        const product = normalizeGraphqlProduct(node, { currency })
        work.push({
          operation: 'catalog.submit',
          idempotencyKey: versionKey('catalog.submit', product),
          entityType: 'product',
          externalId: product.externalId,
          payload: productToJson(product),
        })
      } catch (error) {
        if (!(error instanceof ShopifyNormalizeError)) throw error
        skipped += 1
        ctx.logger.warn(
          { productId: node.id, code: error.code, reason: error.message },
          'shopify: product skipped',
        )
      }
    }
    if (work.length > 0) await ctx.enqueue(work)
    products += work.length
    cursor = pageInfo.hasNextPage ? (pageInfo.endCursor ?? null) : null
    await ctx.checkpoints.save(IMPORT_STREAM, cursor, ctx.clock.now())
    if (cursor === null) return { result: { products, skipped, pageSize } }
  }
}

/**
 * `catalog.refresh`: re-read one product (a `products/*` webhook only triggers this) and hand the
 * fresh normalized product to the core's `catalog.change`.
 */
export async function refreshProduct(ctx: ExecutionContext, client: ShopifyClient): Promise<ExecutionResult> {
  const externalId = ctx.item.externalId
  if (!externalId || !isNumericId(externalId)) {
    throw new ShopifyNormalizeError('SHOPIFY_PRODUCT_INVALID', `catalog.refresh needs a numeric product id`)
  }
  const { data } = await client.request(PRODUCT_QUERY, {
    variables: { id: toGid('Product', externalId) },
    schema: productSchema,
    signal: ctx.signal,
  })
  if (data.product === null) return { result: { missing: true } }
  await completeVariants(client, data.product, ctx.signal)
  const product = normalizeGraphqlProduct(data.product, { currency: await shopCurrency(client, ctx.signal) })
  await ctx.enqueue([
    {
      operation: 'catalog.change',
      idempotencyKey: versionKey('catalog.change', product),
      entityType: 'product',
      externalId: product.externalId,
      payload: productToJson(product),
    },
  ])
  return { result: { enqueued: true } }
}
