import { createHash } from 'node:crypto'
import {
  type ExecutionContext,
  type ExecutionResult,
  type Json,
  type NormalizedProduct,
  PermanentError,
  RetryableError,
  type WorkItemSpec,
} from '@hub/core'
import { z } from 'zod'
import { groupBulkRecords, jsonlLines, startBulkQuery, waitForBulkOperation } from './shopify-bulk.js'
import { type ShopifyClient, withPageSizeSplitting } from './shopify-client.js'
import { isNumericId, numericIdOf, toGid } from './shopify-ids.js'
import { normalizeGraphqlProduct, ShopifyNormalizeError } from './shopify-normalizers.js'
import {
  BULK_PRODUCTS_QUERY,
  PRODUCT_QUERY,
  PRODUCT_VARIANTS_PAGE_QUERY,
  PRODUCTS_PAGE_QUERY,
  PRODUCTS_PROBE_QUERY,
  SHOP_QUERY,
} from './shopify-operations.js'

/** Checkpoint stream of the page-mode import. */
export const IMPORT_STREAM = 'shopify.catalog.import'
/** Checkpoint stream of the bulk import: `{operationId, line}` as JSON. */
export const BULK_IMPORT_STREAM = 'shopify.catalog.bulk'
/** Shops with more products than this import through a bulk operation (in `auto` mode). */
export const BULK_THRESHOLD = 250

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
  /**
   * `pages` (cursor pages), `bulk` (a bulk operation streamed as JSONL) or `auto`: pages up to
   * {@link BULK_THRESHOLD} products, bulk above. Default `auto`.
   */
  importMode?: 'auto' | 'pages' | 'bulk'
  /** Bulk mode: between status polls. Default 2 s. */
  bulkPollIntervalMs?: number
  /** Bulk mode: products per `enqueue` call (and per checkpoint). Default 100. */
  bulkBatchSize?: number
  /** Downloads the bulk result file (a signed URL, no token). Default: global `fetch`. */
  fetch?: typeof fetch
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

/** Checkpointed bulk progress. */
const bulkCheckpointSchema = z.object({ operationId: z.string(), line: z.number().int().nonnegative() })

/**
 * `catalog.import`: resumes whichever mode has a checkpoint, else picks pages or bulk by shop size
 * (`importMode`).
 */
export async function importCatalog(
  ctx: ExecutionContext,
  client: ShopifyClient,
  options: ShopifyCatalogOptions = {},
): Promise<ExecutionResult> {
  const mode = options.importMode ?? 'auto'
  if (mode === 'pages') return importCatalogPages(ctx, client, options)
  if (mode === 'bulk') return importCatalogBulk(ctx, client, options)
  if ((await ctx.checkpoints.get(BULK_IMPORT_STREAM))?.cursor) return importCatalogBulk(ctx, client, options)
  if ((await ctx.checkpoints.get(IMPORT_STREAM))?.cursor) return importCatalogPages(ctx, client, options)
  const probe = await client.request(PRODUCTS_PROBE_QUERY, {
    variables: { first: BULK_THRESHOLD },
    schema: z.object({ products: z.object({ pageInfo: z.object({ hasNextPage: z.boolean() }) }) }),
    signal: ctx.signal,
  })
  return probe.data.products.pageInfo.hasNextPage
    ? importCatalogBulk(ctx, client, options)
    : importCatalogPages(ctx, client, options)
}

/** A bulk root record and its child lines, in the shape `normalizeGraphqlProduct` reads. */
function bulkProductNode(root: Record<string, unknown>, children: Record<string, unknown>[]): unknown {
  const variants = children.filter((c) => numericIdOf(c['id'], 'ProductVariant') !== null)
  const media = children.filter((c) => c['__typename'] === 'MediaImage' || (c['image'] && !c['price']))
  return { ...root, variants: { nodes: variants }, media: { nodes: media } }
}

/**
 * `catalog.import` through a bulk operation (large shops): start it (or resume the one in the
 * checkpoint), poll until done, then stream the JSONL file — grouped, so one product at a time is
 * in memory — enqueueing `catalog.submit` in batches and checkpointing the line after each batch.
 * A crash resumes from the last checkpointed line of the same file; an expired file restarts.
 */
export async function importCatalogBulk(
  ctx: ExecutionContext,
  client: ShopifyClient,
  options: ShopifyCatalogOptions = {},
): Promise<ExecutionResult> {
  const saved = (await ctx.checkpoints.get(BULK_IMPORT_STREAM))?.cursor
  const parsed = saved ? bulkCheckpointSchema.safeParse(JSON.parse(saved)) : null
  let checkpoint = parsed?.success ? parsed.data : null
  const save = (value: z.infer<typeof bulkCheckpointSchema> | null) =>
    ctx.checkpoints.save(BULK_IMPORT_STREAM, value ? JSON.stringify(value) : null, ctx.clock.now())
  if (checkpoint === null) {
    checkpoint = { operationId: await startBulkQuery(client, BULK_PRODUCTS_QUERY, ctx.signal), line: 0 }
    await save(checkpoint)
  }
  const op = await waitForBulkOperation(client, checkpoint.operationId, {
    clock: ctx.clock,
    signal: ctx.signal,
    ...(options.bulkPollIntervalMs !== undefined ? { intervalMs: options.bulkPollIntervalMs } : {}),
  })
  if (op.status !== 'COMPLETED') {
    await save(null)
    const reason = `bulk operation ${op.id} ended ${op.status}${op.errorCode ? ` (${op.errorCode})` : ''}`
    if (op.status === 'EXPIRED') throw new RetryableError('SHOPIFY_BULK_EXPIRED', reason)
    throw new PermanentError('SHOPIFY_BULK_FAILED', reason)
  }
  const currency = await shopCurrency(client, ctx.signal)
  let products = 0
  let skipped = 0
  let refreshed = 0
  if (op.url) {
    const response = await (options.fetch ?? fetch)(op.url, { signal: ctx.signal })
    if (!response.ok || !response.body) {
      await save(null) // the signed URL expired or vanished: start a new export next attempt
      throw new RetryableError('SHOPIFY_BULK_DOWNLOAD', `bulk result download answered ${response.status}`)
    }
    const orphans = new Set<string>()
    const batchSize = options.bulkBatchSize ?? 100
    let batch: WorkItemSpec[] = []
    let resumeLine = checkpoint.line
    const flush = async () => {
      if (batch.length > 0) await ctx.enqueue(batch)
      products += batch.length
      batch = []
      await save({ operationId: op.id, line: resumeLine })
    }
    const records = groupBulkRecords(jsonlLines(response.body), {
      fromLine: checkpoint.line,
      onOrphan: ({ parentId }) => orphans.add(parentId),
    })
    for await (const record of records) {
      try {
        const product = normalizeGraphqlProduct(bulkProductNode(record.root, record.children), { currency })
        batch.push({
          operation: 'catalog.submit',
          idempotencyKey: versionKey('catalog.submit', product),
          entityType: 'product',
          externalId: product.externalId,
          payload: productToJson(product),
        })
      } catch (error) {
        if (!(error instanceof ShopifyNormalizeError)) throw error
        skipped += 1
        ctx.logger.warn({ productId: record.root['id'], code: error.code }, 'shopify: product skipped')
      }
      resumeLine = record.nextLine
      if (batch.length >= batchSize) await flush()
    }
    await flush()
    // Lines that did not follow their product: re-read those products one by one.
    const refreshes = [...orphans].flatMap((gid) => {
      const id = numericIdOf(gid, 'Product')
      return id
        ? [
            {
              operation: 'catalog.refresh',
              idempotencyKey: `catalog.refresh:bulk:${op.id}:${id}`,
              entityType: 'product',
              externalId: id,
            },
          ]
        : []
    })
    if (refreshes.length > 0) await ctx.enqueue(refreshes)
    refreshed = refreshes.length
  }
  await save(null)
  return { result: { mode: 'bulk', products, skipped, refreshed, operationId: op.id } }
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
    if (cursor === null) return { result: { mode: 'pages', products, skipped, pageSize } }
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
