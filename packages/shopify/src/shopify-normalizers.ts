import {
  type Json,
  type NormalizedProduct,
  type NormalizedProductInput,
  normalizedProductSchema,
  PermanentError,
} from '@hub/core'
import { z } from 'zod'
import { numericIdOf } from './shopify-ids.js'
import { productPayloadSchema } from './shopify-webhook-payloads.js'

/** A product could not be turned into a `NormalizedProduct` (missing ids, no variants…). */
export class ShopifyNormalizeError extends PermanentError {}

/** A variant as `PRODUCT_FIELDS_FRAGMENT` selects it. */
export const graphqlVariantSchema = z.object({
  id: z.string(),
  title: z.string(),
  sku: z.string().nullish(),
  barcode: z.string().nullish(),
  price: z.string(),
  compareAtPrice: z.string().nullish(),
  position: z.number().int().nullish(),
  inventoryQuantity: z.number().int().nullish(),
  selectedOptions: z.array(z.object({ name: z.string(), value: z.string() })).default([]),
  inventoryItem: z.object({ id: z.string(), tracked: z.boolean().nullish() }),
})
/** @see graphqlVariantSchema */
export type GraphqlVariant = z.infer<typeof graphqlVariantSchema>

/** A product node as `PRODUCT_FIELDS_FRAGMENT` selects it. */
export const graphqlProductSchema = z.object({
  id: z.string(),
  title: z.string(),
  handle: z.string().nullish(),
  descriptionHtml: z.string().nullish(),
  status: z.string(),
  vendor: z.string().nullish(),
  productType: z.string().nullish(),
  tags: z.array(z.string()).default([]),
  updatedAt: z.string().nullish(),
  options: z.array(z.object({ name: z.string(), values: z.array(z.string()).default([]) })).default([]),
  media: z
    .object({
      nodes: z.array(
        z.object({ image: z.object({ url: z.string(), altText: z.string().nullish() }).nullish() }),
      ),
    })
    .nullish(),
  variants: z.object({ nodes: z.array(graphqlVariantSchema) }),
})
/** @see graphqlProductSchema */
export type GraphqlProduct = z.infer<typeof graphqlProductSchema>

/** Options of the normalizers. */
export interface NormalizeOptions {
  /** The shop's currency (ISO 4217), from `shop { currencyCode }`. */
  currency?: string | null
}

const blankToNull = (text: string | null | undefined): string | null => (text ? text : null)

/** Shopify's `ACTIVE|DRAFT|ARCHIVED|UNLISTED` (any case); unlisted products are live, just hidden. */
function status(raw: string | null | undefined): NormalizedProduct['status'] {
  const lower = raw?.toLowerCase()
  return lower === 'draft' || lower === 'archived' ? lower : 'active'
}

/** The placeholder option of a product without options: Shopify's `Title: Default Title`. */
function isPlaceholderOption(options: { name: string; values: string[] }[]): boolean {
  return options.length === 1 && options[0]?.name === 'Title' && options[0].values.join() === 'Default Title'
}

function finish(input: NormalizedProductInput, what: string): NormalizedProduct {
  const result = normalizedProductSchema.safeParse(input)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new ShopifyNormalizeError(
      'SHOPIFY_PRODUCT_INVALID',
      `${what}: ${issue?.path.join('.') || '(root)'} ${issue?.message}`,
    )
  }
  return result.data
}

function requireId(gid: string, type: string, what: string): string {
  const id = numericIdOf(gid, type)
  if (id === null)
    throw new ShopifyNormalizeError('SHOPIFY_PRODUCT_INVALID', `${what}: ${gid} is not a ${type} id`)
  return id
}

/**
 * A GraphQL product node (selected by `PRODUCT_FIELDS_FRAGMENT`) as the core's `NormalizedProduct`.
 * Ids are the numeric parts of the GIDs, the same ids webhooks carry, so mappings match either way.
 */
export function normalizeGraphqlProduct(node: unknown, options: NormalizeOptions = {}): NormalizedProduct {
  const parsed = graphqlProductSchema.safeParse(node)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ShopifyNormalizeError(
      'SHOPIFY_PRODUCT_INVALID',
      `product node: ${issue?.path.join('.') || '(root)'} ${issue?.message}`,
    )
  }
  const product = parsed.data
  const externalId = requireId(product.id, 'Product', 'product')
  const placeholder = isPlaceholderOption(product.options)
  return finish(
    {
      externalId,
      title: product.title,
      handle: blankToNull(product.handle),
      description: blankToNull(product.descriptionHtml),
      status: status(product.status),
      vendor: blankToNull(product.vendor),
      productType: blankToNull(product.productType),
      tags: product.tags,
      options: placeholder ? [] : product.options.map((o) => ({ name: o.name, values: o.values })),
      variants: product.variants.nodes.map((v) => {
        return {
          externalId: requireId(v.id, 'ProductVariant', `product ${externalId}`),
          inventoryItemId: requireId(v.inventoryItem.id, 'InventoryItem', `product ${externalId}`),
          sku: blankToNull(v.sku),
          title: v.title,
          price: v.price,
          compareAtPrice: blankToNull(v.compareAtPrice),
          barcode: blankToNull(v.barcode),
          options: placeholder ? {} : Object.fromEntries(v.selectedOptions.map((o) => [o.name, o.value])),
          quantity: v.inventoryQuantity ?? null,
          manageInventory: v.inventoryItem.tracked ?? true,
          // Weight lives on InventoryItem.measurement, not selected yet: the testkit fake lacks it.
          weightGrams: null,
        }
      }),
      images: (product.media?.nodes ?? []).flatMap((m) =>
        m.image ? [{ url: m.image.url, alt: m.image.altText ?? null }] : [],
      ),
      currency: options.currency ?? null,
      updatedAt: product.updatedAt ? new Date(product.updatedAt) : null,
    },
    `product ${externalId}`,
  )
}

/**
 * A `products/create|update` webhook payload (parsed losslessly) as a `NormalizedProduct`. Recent
 * payloads may carry `inventory_item_id: null` (Shopify's own sample does): such a product cannot
 * be normalized from the webhook and throws {@link ShopifyNormalizeError} with code
 * `SHOPIFY_INVENTORY_ITEM_MISSING`; re-read it with `PRODUCT_QUERY` instead.
 */
export function normalizeWebhookProduct(payload: Json, options: NormalizeOptions = {}): NormalizedProduct {
  const parsed = productPayloadSchema.safeParse(payload)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new ShopifyNormalizeError(
      'SHOPIFY_PRODUCT_INVALID',
      `product payload: ${issue?.path.join('.') || '(root)'} ${issue?.message}`,
    )
  }
  const product = parsed.data
  const placeholder = isPlaceholderOption(product.options)
  const optionNames = [...product.options]
    .sort((a, b) => (a.position ?? 0) - (b.position ?? 0))
    .map((o) => o.name)
  const tags = Array.isArray(product.tags) ? product.tags : (product.tags ?? '').split(',')
  return finish(
    {
      externalId: product.id,
      title: product.title,
      handle: blankToNull(product.handle),
      description: blankToNull(product.body_html),
      status: status(product.status),
      vendor: blankToNull(product.vendor),
      productType: blankToNull(product.product_type),
      tags: tags.map((t) => t.trim()).filter(Boolean),
      options: placeholder ? [] : product.options.map((o) => ({ name: o.name, values: o.values })),
      variants: product.variants.map((v) => {
        if (v.inventory_item_id === null || v.inventory_item_id === undefined) {
          throw new ShopifyNormalizeError(
            'SHOPIFY_INVENTORY_ITEM_MISSING',
            `product ${product.id} variant ${v.id} has no inventory_item_id in the webhook; re-read the product`,
          )
        }
        const values = [v.option1, v.option2, v.option3]
        const variantOptions: Record<string, string> = {}
        optionNames.forEach((name, i) => {
          const value = values[i]
          if (!placeholder && typeof value === 'string') variantOptions[name] = value
        })
        return {
          externalId: v.id,
          inventoryItemId: v.inventory_item_id,
          sku: blankToNull(v.sku),
          title: v.title ?? '',
          price: v.price ?? '',
          compareAtPrice: blankToNull(v.compare_at_price),
          barcode: blankToNull(v.barcode),
          options: variantOptions,
          quantity: v.inventory_quantity ?? null,
          manageInventory:
            v.inventory_management === undefined || v.inventory_management === null
              ? true
              : v.inventory_management === 'shopify',
          weightGrams: typeof v.grams === 'number' ? Math.max(0, v.grams) : null,
        }
      }),
      images: product.images.map((i) => ({ url: i.src, alt: blankToNull(i.alt) })),
      currency: options.currency ?? null,
      updatedAt: product.updated_at ? new Date(product.updated_at) : null,
    },
    `product ${product.id}`,
  )
}
