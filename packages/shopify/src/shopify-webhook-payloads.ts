import { z } from 'zod'
import { isNumericId } from './shopify-ids.js'

/**
 * A Shopify numeric id as it comes out of `parseJsonLossless`: a safe integer, or the exact digits
 * of a larger one. Always a decimal string after parsing.
 */
export const shopifyIdSchema = z
  .union([
    z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    z.string().refine(isNumericId, 'numeric id'),
  ])
  .transform((id) => String(id))

/** `inventory_levels/update` and `inventory_levels/connect`. Only `available` is reported. */
export const inventoryLevelPayloadSchema = z.object({
  inventory_item_id: shopifyIdSchema.nullish(),
  location_id: shopifyIdSchema,
  available: z.number().int().nullable().optional(),
  updated_at: z.string().nullish(),
  admin_graphql_api_id: z.string().nullish(),
})
/** @see inventoryLevelPayloadSchema */
export type InventoryLevelPayload = z.infer<typeof inventoryLevelPayloadSchema>

/** `inventory_levels/disconnect`. */
export const inventoryLevelDisconnectPayloadSchema = z.object({
  inventory_item_id: shopifyIdSchema,
  location_id: shopifyIdSchema,
})

/** A variant inside a `products/*` payload (REST shape, snake_case). */
export const webhookVariantSchema = z.object({
  id: shopifyIdSchema,
  title: z.string().nullish(),
  sku: z.string().nullish(),
  barcode: z.string().nullish(),
  price: z.string().nullish(),
  compare_at_price: z.string().nullish(),
  position: z.number().int().nullish(),
  option1: z.string().nullish(),
  option2: z.string().nullish(),
  option3: z.string().nullish(),
  inventory_item_id: shopifyIdSchema.nullish(),
  inventory_quantity: z.number().int().nullish(),
  inventory_management: z.string().nullish(),
  grams: z.number().nullish(),
  updated_at: z.string().nullish(),
})
/** @see webhookVariantSchema */
export type WebhookVariant = z.infer<typeof webhookVariantSchema>

/** `products/create` and `products/update`. */
export const productPayloadSchema = z.object({
  id: shopifyIdSchema,
  title: z.string(),
  handle: z.string().nullish(),
  body_html: z.string().nullish(),
  vendor: z.string().nullish(),
  product_type: z.string().nullish(),
  status: z.string().nullish(),
  tags: z.union([z.string(), z.array(z.string())]).nullish(),
  updated_at: z.string().nullish(),
  variants: z.array(webhookVariantSchema).default([]),
  options: z
    .array(
      z.object({
        name: z.string(),
        position: z.number().int().nullish(),
        values: z.array(z.string()).default([]),
      }),
    )
    .default([]),
  images: z
    .array(z.object({ src: z.string(), alt: z.string().nullish(), position: z.number().int().nullish() }))
    .default([]),
})
/** @see productPayloadSchema */
export type ProductPayload = z.infer<typeof productPayloadSchema>

/** `products/delete`: the id only. */
export const productDeletePayloadSchema = z.object({ id: shopifyIdSchema })

/** `orders/*`: only what routing needs; the full payload is kept as received. */
export const orderPayloadSchema = z.object({
  id: shopifyIdSchema,
  updated_at: z.string().nullish(),
  line_items: z
    .array(
      z.object({ id: shopifyIdSchema, variant_id: shopifyIdSchema.nullish(), quantity: z.number().int() }),
    )
    .default([]),
})

/** `app/uninstalled`: the Shop resource. */
export const shopPayloadSchema = z.object({
  id: shopifyIdSchema,
  myshopify_domain: z.string().nullish(),
  domain: z.string().nullish(),
})

/** `shop/redact`, `customers/redact`, `customers/data_request` (mandatory compliance topics). */
export const compliancePayloadSchema = z.object({
  shop_id: shopifyIdSchema,
  shop_domain: z.string(),
})

/** Any other topic: a JSON object. */
export const objectPayloadSchema = z.record(z.string(), z.unknown())
