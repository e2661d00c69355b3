import { z } from 'zod'

/** A variant as every provider normalizes it. Prices are decimal strings (no float money). */
export const normalizedVariantSchema = z.object({
  externalId: z.string().min(1),
  /** Provider inventory item id, as webhooks carry it (Shopify numeric InventoryItem id, Woo product/variation id). */
  inventoryItemId: z.string().min(1),
  sku: z.string().nullable(),
  title: z.string(),
  price: z.string().regex(/^-?\d+(\.\d+)?$/, 'decimal string'),
  compareAtPrice: z.string().nullable().default(null),
  barcode: z.string().nullable().default(null),
  /** Option name → value, e.g. `{ Size: 'M' }`. */
  options: z.record(z.string(), z.string()).default({}),
  quantity: z.number().int().nullable().default(null),
  manageInventory: z.boolean().default(true),
  weightGrams: z.number().nonnegative().nullable().default(null),
})
/** @see normalizedVariantSchema */
export type NormalizedVariant = z.infer<typeof normalizedVariantSchema>

/** The provider-neutral product every import produces and the marketplace port receives. */
export const normalizedProductSchema = z.object({
  externalId: z.string().min(1),
  title: z.string().min(1),
  handle: z.string().nullable().default(null),
  description: z.string().nullable().default(null),
  status: z.enum(['active', 'draft', 'archived']).default('active'),
  vendor: z.string().nullable().default(null),
  productType: z.string().nullable().default(null),
  tags: z.array(z.string()).default([]),
  options: z.array(z.object({ name: z.string(), values: z.array(z.string()) })).default([]),
  variants: z.array(normalizedVariantSchema).min(1),
  images: z.array(z.object({ url: z.string().url(), alt: z.string().nullable().default(null) })).default([]),
  currency: z.string().length(3).nullable().default(null),
  updatedAt: z.date().nullable().default(null),
})
/** @see normalizedProductSchema */
export type NormalizedProduct = z.infer<typeof normalizedProductSchema>
/** Input type of {@link normalizedProductSchema} (defaults optional). */
export type NormalizedProductInput = z.input<typeof normalizedProductSchema>
