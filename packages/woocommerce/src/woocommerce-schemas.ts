import { z } from 'zod'

/**
 * zod schemas of the wc/v3 resources the SDK reads, checked against recordings from a real
 * WooCommerce 10.0.2 store. They keep only the fields the SDK uses and tolerate the rest.
 */

/** A quantity as WooCommerce sends it: an integer, `null` when unmanaged (tolerates numeric strings). */
const quantitySchema = z
  .union([z.number(), z.string(), z.null()])
  .optional()
  .transform((v): number | null => {
    if (v === null || v === undefined || v === '') return null
    const n = typeof v === 'number' ? v : Number(v)
    return Number.isFinite(n) ? Math.trunc(n) : null
  })

/** WooCommerce dates: `YYYY-MM-DDTHH:MM:SS` without a zone; the `_gmt` ones are UTC. */
const wooDateSchema = z.string().nullable().optional().default(null)

const imageSchema = z.object({
  id: z.union([z.number(), z.string()]).optional(),
  src: z.string(),
  name: z.string().optional().default(''),
  alt: z.string().optional().default(''),
})

const termSchema = z.object({ id: z.number(), name: z.string(), slug: z.string().optional() })

/** A product attribute: `options` on products, `option` on variations. */
const attributeSchema = z.object({
  id: z.number().optional().default(0),
  name: z.string(),
  slug: z.string().optional(),
  position: z.number().optional(),
  visible: z.boolean().optional(),
  variation: z.boolean().optional(),
  options: z.array(z.string()).optional(),
  option: z.string().optional(),
})

/**
 * A product or a variation (both routes). `manage_stock` is `"parent"` on a variation whose
 * parent manages its stock (then `stock_quantity` is the parent's).
 */
export const wooProductSchema = z.object({
  id: z.number().int(),
  name: z.string().optional().default(''),
  slug: z.string().optional().default(''),
  permalink: z.string().optional(),
  type: z.string().optional().default('simple'),
  status: z.string().optional().default('publish'),
  parent_id: z.number().int().optional().default(0),
  description: z.string().optional().default(''),
  short_description: z.string().optional().default(''),
  sku: z.string().optional().default(''),
  global_unique_id: z.string().optional().default(''),
  price: z.string().optional().default(''),
  regular_price: z.string().optional().default(''),
  sale_price: z.string().optional().default(''),
  manage_stock: z
    .union([z.boolean(), z.literal('parent')])
    .optional()
    .default(false),
  stock_quantity: quantitySchema,
  stock_status: z.string().optional().default('instock'),
  weight: z.string().optional().default(''),
  date_created_gmt: wooDateSchema,
  date_modified_gmt: wooDateSchema,
  images: z.array(imageSchema).optional().default([]),
  image: imageSchema.nullable().optional().default(null),
  attributes: z.array(attributeSchema).optional().default([]),
  variations: z.array(z.number().int()).optional().default([]),
  categories: z.array(termSchema).optional().default([]),
  tags: z.array(termSchema).optional().default([]),
  meta_data: z
    .array(z.object({ key: z.string(), value: z.unknown() }))
    .optional()
    .default([]),
})
/** @see wooProductSchema */
export type WooProduct = z.infer<typeof wooProductSchema>

/** The payload of `product.deleted` (and of any delete topic): only the id. */
export const wooDeletedSchema = z.object({ id: z.number().int() })

/** One order line. `variation_id` is 0 for simple products. */
export const wooLineItemSchema = z.object({
  id: z.number().int(),
  product_id: z.number().int(),
  variation_id: z.number().int().optional().default(0),
  quantity: z.number(),
  sku: z.string().nullable().optional().default(null),
  name: z.string().optional().default(''),
})
/** @see wooLineItemSchema */
export type WooLineItem = z.infer<typeof wooLineItemSchema>

/** An order, as the REST API and `order.*` webhooks send it. */
export const wooOrderSchema = z.object({
  id: z.number().int(),
  number: z.string().optional(),
  status: z.string(),
  currency: z.string().optional(),
  date_created_gmt: wooDateSchema,
  date_modified_gmt: wooDateSchema,
  date_paid_gmt: wooDateSchema,
  line_items: z.array(wooLineItemSchema).optional().default([]),
  refunds: z
    .array(z.object({ id: z.number().int(), total: z.string().optional(), reason: z.string().optional() }))
    .optional()
    .default([]),
})
/** @see wooOrderSchema */
export type WooOrder = z.infer<typeof wooOrderSchema>

/** An order refund (`/orders/<id>/refunds`); restocked lines have negative quantities. */
export const wooRefundSchema = z.object({
  id: z.number().int(),
  amount: z.string().optional(),
  date_created_gmt: wooDateSchema,
  line_items: z.array(wooLineItemSchema).optional().default([]),
})
/** @see wooRefundSchema */
export type WooRefund = z.infer<typeof wooRefundSchema>

/** An order note (stock changes are recorded as notes). */
export const wooOrderNoteSchema = z.object({
  id: z.number().int(),
  note: z.string(),
  author: z.string().optional(),
  date_created_gmt: wooDateSchema,
  customer_note: z.boolean().optional(),
})
/** @see wooOrderNoteSchema */
export type WooOrderNote = z.infer<typeof wooOrderNoteSchema>

/** Webhook status. WooCommerce sets `disabled` itself after repeated failed deliveries. */
export const wooWebhookStatusSchema = z.enum(['active', 'paused', 'disabled'])
/** @see wooWebhookStatusSchema */
export type WooWebhookStatus = z.infer<typeof wooWebhookStatusSchema>

/** A webhook as `/wc/v3/webhooks` returns it (the secret is write-only and never returned). */
export const wooWebhookSchema = z.object({
  id: z.number().int(),
  name: z.string().optional().default(''),
  status: wooWebhookStatusSchema,
  topic: z.string(),
  resource: z.string().optional(),
  event: z.string().optional(),
  hooks: z.array(z.string()).optional().default([]),
  delivery_url: z.string(),
  date_created_gmt: wooDateSchema,
  date_modified_gmt: wooDateSchema,
})
/** @see wooWebhookSchema */
export type WooWebhook = z.infer<typeof wooWebhookSchema>

/** A WordPress REST error body: `{code, message, data: {status, ...}}`. */
export const wpErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  data: z
    .object({
      status: z.number().int().optional(),
      params: z.record(z.string(), z.unknown()).optional(),
    })
    .nullable()
    .optional(),
})
/** @see wpErrorSchema */
export type WpError = z.infer<typeof wpErrorSchema>

/** One entry of a batch response: the object, or `{id, error}` for an item that failed. */
export const wooBatchEntrySchema = z.union([
  z.object({ id: z.number().int(), error: wpErrorSchema }),
  wooProductSchema,
])

/**
 * A batch response. PHP renders an empty result as `[]` (recorded for `{}` requests), otherwise
 * `{create?, update?, delete?}`.
 */
export const wooBatchResponseSchema = z.union([
  z.array(z.never()).transform(() => ({ create: [], update: [], delete: [] })),
  z.object({
    create: z.array(wooBatchEntrySchema).optional().default([]),
    update: z.array(wooBatchEntrySchema).optional().default([]),
    delete: z.array(wooBatchEntrySchema).optional().default([]),
  }),
])
