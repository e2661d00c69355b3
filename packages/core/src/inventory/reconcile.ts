import { z } from 'zod'
import type { EntityMapping } from '../domain/schemas.js'
import type { EngineDeps } from '../engine/deps.js'
import type { CoreOperation } from '../engine/execute-item.js'
import { PermanentError, RetryableError, StaleInventoryError } from '../errors.js'
import type { ExecutionContext, InventoryReading, ProviderAdapter } from '../ports/provider.js'
import { enqueueReconciles } from './enqueue-reconciles.js'

/** Entity type of inventory mappings and items. */
export const INVENTORY_ITEM = 'inventory_item'
/** How often one attempt re-reads after a stale compare-and-swap before it gives up for now. */
const MAX_STALE_ROUNDS = 5

/**
 * The plan saved on the item before each side effect, so a retry after a crash neither
 * double-applies a marketplace delta nor mistakes our own push for an external change.
 */
const planSchema = z.object({
  phase: z.enum(['adjust', 'push']),
  /** Mapping version the plan was made against; a newer version means the plan completed. */
  mappingVersion: z.number().int(),
  key: z.string(),
  delta: z.number().int().optional(),
  observed: z.number().int(),
  target: z.number().int().optional(),
})
type ReconcilePlan = z.infer<typeof planSchema>

/**
 * `inventory.reconcile` for one connection and one inventory item (ARCHITECTURE.md §5):
 * read the external quantity `E` fresh; `d = E − baseline` happened outside and is applied to the
 * marketplace quantity `M` (idempotently) and fanned out to the seller's other connections; then
 * if `E ≠ M` push `M`; the baseline becomes what both sides now agree on.
 */
export const reconcileInventory: CoreOperation = async (ctx, { deps, adapter }) => {
  const inventory = adapter.inventory
  if (!inventory) {
    throw new PermanentError('CAPABILITY_MISSING', `provider "${adapter.provider}" has no inventory port`)
  }
  const externalId = ctx.item.externalId
  if (!externalId) throw new PermanentError('ITEM_INVALID', 'inventory.reconcile needs an externalId')
  let mapping = await ctx.mappings.get(INVENTORY_ITEM, externalId)
  if (!mapping) throw new PermanentError('MAPPING_MISSING', `inventory item ${externalId} is not mapped`)
  if (!mapping.internalId || mapping.status !== 'linked') {
    throw new PermanentError('MAPPING_NOT_LINKED', `inventory item ${externalId} awaits marketplace approval`)
  }
  const internalId = mapping.internalId
  const scope = { sellerId: ctx.item.sellerId }
  const policy = ctx.connection.policy

  mapping = await finishPendingPlan(ctx, adapter, mapping, internalId)

  for (let round = 0; round < MAX_STALE_ROUNDS; round++) {
    const reading = await inventory.read(ctx, externalId)
    const external = reading.quantity
    const baseline = mapping.baseline ?? external
    const delta = external - baseline
    let marketplaceQty: number

    if (delta !== 0 && policy.inboundInventory) {
      const key = `reconcile:${ctx.item.id}:v${mapping.version}`
      await ctx.savePlan({ phase: 'adjust', mappingVersion: mapping.version, key, delta, observed: external })
      const adjusted = await ctx.marketplace.adjustInventory(scope, {
        inventoryItemId: internalId,
        delta,
        idempotencyKey: key,
        reason: `${ctx.connection.provider} change on ${ctx.connection.externalAccountId}`,
      })
      marketplaceQty = adjusted.quantity
      mapping = await setBaseline(ctx, mapping, external)
      await enqueueReconciles(deps, {
        sellerId: ctx.item.sellerId,
        inventoryItemId: internalId,
        cause: `${ctx.item.id}:v${mapping.version}`,
        exceptConnectionId: ctx.connection.id,
        runId: ctx.item.runId,
      })
    } else {
      marketplaceQty = (await ctx.marketplace.getInventory(scope, internalId)).quantity
      if (mapping.baseline === null || (delta !== 0 && !policy.inboundInventory)) {
        mapping = await setBaseline(ctx, mapping, external)
      }
    }

    if (external === marketplaceQty || !policy.outboundInventory) {
      return { result: { external, marketplace: marketplaceQty, pushed: false }, internalId }
    }
    try {
      mapping = await push(ctx, adapter, mapping, reading, marketplaceQty)
      return { result: { external: marketplaceQty, marketplace: marketplaceQty, pushed: true }, internalId }
    } catch (error) {
      if (!(error instanceof StaleInventoryError)) throw error
      ctx.logger.info({ externalId, round }, 'stale inventory write; re-reading')
    }
  }
  throw new RetryableError('INVENTORY_CONTENDED', `inventory item ${externalId} kept changing; will retry`)
}

/** Push `target` with an idempotency key that is stable across retries of the same plan. */
async function push(
  ctx: ExecutionContext,
  adapter: ProviderAdapter,
  mapping: EntityMapping,
  observed: InventoryReading,
  target: number,
): Promise<EntityMapping> {
  const key = `push:${ctx.item.id}:v${mapping.version}`
  await ctx.savePlan({
    phase: 'push',
    mappingVersion: mapping.version,
    key,
    observed: observed.quantity,
    target,
  })
  const pushed = await adapter.inventory!.push(ctx, {
    externalId: mapping.externalId,
    observed,
    target,
    idempotencyKey: key,
  })
  return setBaseline(ctx, mapping, pushed.quantity)
}

/**
 * A previous attempt saved a plan and may have died mid-way. If the mapping has not moved since,
 * complete the plan first: re-send the marketplace adjustment under the same key (applied at
 * most once), or re-send the push under the same idempotency key (a provider with idempotent
 * writes answers the original result; otherwise it throws stale and we start over).
 */
async function finishPendingPlan(
  ctx: ExecutionContext,
  adapter: ProviderAdapter,
  mapping: EntityMapping,
  internalId: string,
): Promise<EntityMapping> {
  const parsed = planSchema.safeParse(ctx.item.diagnosticPayload)
  if (!parsed.success) return mapping
  const plan: ReconcilePlan = parsed.data
  if (plan.mappingVersion !== mapping.version) return mapping
  if (plan.phase === 'adjust' && plan.delta !== undefined) {
    await ctx.marketplace.adjustInventory(
      { sellerId: ctx.item.sellerId },
      {
        inventoryItemId: internalId,
        delta: plan.delta,
        idempotencyKey: plan.key,
        reason: 'reconcile (resumed)',
      },
    )
    return setBaseline(ctx, mapping, plan.observed)
  }
  if (plan.phase === 'push' && plan.target !== undefined) {
    try {
      const pushed = await adapter.inventory!.push(ctx, {
        externalId: mapping.externalId,
        observed: { quantity: plan.observed },
        target: plan.target,
        idempotencyKey: plan.key,
      })
      return setBaseline(ctx, mapping, pushed.quantity)
    } catch (error) {
      if (error instanceof StaleInventoryError) return mapping
      throw error
    }
  }
  return mapping
}

async function setBaseline(
  ctx: ExecutionContext,
  mapping: EntityMapping,
  baseline: number,
): Promise<EntityMapping> {
  const updated = await ctx.mappings.update(mapping.id, { baseline }, mapping.version)
  if (!updated) {
    throw new RetryableError('MAPPING_CONTENDED', `mapping ${mapping.id} changed concurrently`)
  }
  return updated
}

/** Exposed for tests and hosts that want the reconcile plan shape. */
/** Engine dependencies type re-exported for the reconcile fan-out. */
export type { EngineDeps, ReconcilePlan }
