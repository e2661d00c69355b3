import type { Json } from '../domain/json.js'
import type { CoreOperation } from '../engine/execute-item.js'
import { PermanentError } from '../errors.js'
import type { ExecutionResult } from '../ports/provider.js'
import { stableHash } from '../util/stable-hash.js'
import { diffContent, productContent } from './diff.js'
import { type NormalizedProduct, normalizedProductSchema } from './normalized-product.js'

/** Entity type of product mappings. */
export const PRODUCT = 'product'

function productFrom(payload: Json): NormalizedProduct {
  const parsed = normalizedProductSchema.safeParse(reviveDates(payload))
  if (!parsed.success) {
    throw new PermanentError(
      'PRODUCT_INVALID',
      `normalized product is invalid: ${parsed.error.issues[0]?.message}`,
    )
  }
  return parsed.data
}

function reviveDates(payload: Json): unknown {
  if (
    payload &&
    typeof payload === 'object' &&
    !Array.isArray(payload) &&
    typeof payload.updatedAt === 'string'
  ) {
    return { ...payload, updatedAt: new Date(payload.updatedAt) }
  }
  return payload
}

/**
 * `catalog.submit`: hand an imported product to the marketplace for approval and record pending
 * mappings for the product and each variant's inventory item. The inventory baseline starts at
 * the imported quantity, so sales made before approval still count at the first reconcile.
 */
export const submitProduct: CoreOperation = async (ctx): Promise<ExecutionResult> => {
  const product = productFrom(ctx.item.payload)
  const sourceHash = stableHash(productContent(product))
  const existing = await ctx.mappings.get(PRODUCT, product.externalId)
  if (existing && existing.status !== 'unlinked' && existing.sourceHash === sourceHash) {
    return { result: { ref: existing.pendingRef, status: existing.status, unchanged: true } }
  }
  const submission = await ctx.marketplace.submitProduct(
    { sellerId: ctx.item.sellerId },
    {
      connectionId: ctx.connection.id,
      product,
      idempotencyKey: `submit:${ctx.connection.id}:${product.externalId}`,
    },
  )
  const approved = submission.status === 'approved'
  const productMapping = await ctx.mappings.upsert({
    entityType: PRODUCT,
    externalId: product.externalId,
    internalId: approved ? (submission.productId ?? null) : null,
    pendingRef: submission.ref,
    status: approved ? 'linked' : 'pending',
    sourceHash,
    data: { snapshot: productContent(product) },
  })
  for (const variant of product.variants) {
    if (!variant.manageInventory) continue
    const internal = approved ? (submission.inventoryItems?.[variant.inventoryItemId] ?? null) : null
    await ctx.mappings.upsert({
      entityType: 'inventory_item',
      externalId: variant.inventoryItemId,
      internalId: internal,
      pendingRef: submission.ref,
      status: internal ? 'linked' : 'pending',
      baseline: variant.quantity,
      data: { productExternalId: product.externalId, variantExternalId: variant.externalId },
    })
  }
  return {
    result: { ref: submission.ref, status: submission.status },
    internalId: productMapping.internalId,
    targetHash: sourceHash,
  }
}

/**
 * `catalog.change`: a later edit of an imported product. Before approval the pending snapshot
 * is refreshed; after approval nothing is overwritten: a changed hash opens a conflict with
 * field diffs for a person to resolve. A product never imported is submitted.
 */
export const changeProduct: CoreOperation = async (ctx, core): Promise<ExecutionResult | undefined> => {
  const product = productFrom(ctx.item.payload)
  const content = productContent(product)
  const sourceHash = stableHash(content)
  const mapping = await ctx.mappings.get(PRODUCT, product.externalId)
  if (!mapping || mapping.status === 'unlinked') return submitProduct(ctx, core)
  if (mapping.sourceHash === sourceHash) return { result: { unchanged: true } }
  if (mapping.status === 'pending') {
    await ctx.mappings.update(mapping.id, { sourceHash, data: { ...mapping.data, snapshot: content } })
    return { result: { refreshedPending: true } }
  }
  const base = (mapping.data.snapshot ?? {}) as Record<string, Json>
  const diffs = diffContent(base, content)
  if (diffs.length === 0) {
    await ctx.mappings.update(mapping.id, { sourceHash })
    return { result: { unchanged: true } }
  }
  const { conflict, created } = await core.deps.store.createConflict(
    { sellerId: ctx.item.sellerId },
    {
      connectionId: ctx.connection.id,
      mappingId: mapping.id,
      entityType: PRODUCT,
      externalId: product.externalId,
      internalId: mapping.internalId,
      diffs,
      sourceHash,
      targetHash: mapping.sourceHash,
    },
  )
  return { result: { conflictId: conflict.id, created, fields: diffs.map((d) => d.field) } }
}
