import type { Json } from '../domain/json.js'
import type { FieldDiff } from '../domain/schemas.js'
import { canonicalJson } from '../util/stable-hash.js'
import type { NormalizedProduct } from './normalized-product.js'

/** Fields compared for catalog conflicts; ids and timestamps are not content. */
const CONTENT_FIELDS = [
  'title',
  'handle',
  'description',
  'status',
  'vendor',
  'productType',
  'tags',
  'options',
  'images',
] as const

/** The comparable content of a product, as JSON (variants keyed by external id). */
export function productContent(product: NormalizedProduct): Record<string, Json> {
  const out: Record<string, Json> = {}
  for (const field of CONTENT_FIELDS) out[field] = toJson(product[field])
  for (const v of product.variants) {
    out[`variants.${v.externalId}`] = toJson({
      sku: v.sku,
      title: v.title,
      price: v.price,
      compareAtPrice: v.compareAtPrice,
      barcode: v.barcode,
      options: v.options,
      weightGrams: v.weightGrams,
    })
  }
  return out
}

/**
 * Three-way field diff: `base` is what was last imported, `theirs` the provider's new content,
 * `ours` the marketplace's current content (or `base` when the marketplace cannot tell). Fields
 * that did not change on their side are not conflicts.
 */
export function diffContent(
  base: Record<string, Json>,
  theirs: Record<string, Json>,
  ours: Record<string, Json> = base,
): FieldDiff[] {
  const fields = new Set([...Object.keys(base), ...Object.keys(theirs)])
  const diffs: FieldDiff[] = []
  for (const field of [...fields].sort()) {
    const b = base[field] ?? null
    const t = theirs[field] ?? null
    if (canonicalJson(b) === canonicalJson(t)) continue
    diffs.push({ field, base: b, theirs: t, ours: ours[field] ?? null })
  }
  return diffs
}

function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null)) as Json
}
