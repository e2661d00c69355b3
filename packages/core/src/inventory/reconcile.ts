import { z } from 'zod'
import type { Json } from '../domain/json.js'
import type { EntityMapping } from '../domain/schemas.js'
import type { EngineDeps } from '../engine/deps.js'
import type { CoreOperation } from '../engine/execute-item.js'
import { PermanentError, RetryableError, StaleInventoryError } from '../errors.js'
import type { ExecutionContext, ProviderAdapter } from '../ports/provider.js'
import { enqueueReconciles } from './enqueue-reconciles.js'

/** Entity type of inventory mappings and items. */
export const INVENTORY_ITEM = 'inventory_item'
/** How often one attempt re-reads after a stale compare-and-swap before it gives up for now. */
const MAX_STALE_ROUNDS = 5

/**
 * The side effect in flight on one inventory mapping, stored on the mapping (`data.plan`)
 * before the side effect runs. Every reconcile of the mapping — the item that made the plan on
 * its retry, or any later item of the same serial key — completes it first, so a crash between a
 * write and its bookkeeping never double-counts a delta nor reads our own push as an outside change.
 */
const planSchema = z.object({
  phase: z.enum(['adjust', 'push']),
  key: z.string(),
  /** `adjust`: the delta applied to the marketplace. */
  delta: z.number().int().optional(),
  /** The external quantity the plan was made from. */
  observed: z.number().int(),
  /** `push`: the quantity written to the provider. */
  target: z.number().int().optional(),
  /** `adjust`: the adapter's bookkeeping to store once the delta is counted (see `InventoryReading.unseen`). */
  providerState: z.unknown().optional(),
})
/** The in-flight plan of an inventory mapping. */
export type ReconcilePlan = z.infer<typeof planSchema>

/**
 * `inventory.reconcile` for one connection and one inventory item (ARCHITECTURE.md §5):
 * read the external quantity `E` fresh; `d = E − baseline` (plus changes the provider reports
 * as unseen in `E`) happened outside and is applied to the marketplace quantity `M` once, and
 * fanned out to the seller's other connections; then if `E ≠ M` push `M`; the baseline becomes
 * what both sides now agree on.
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

  mapping = await completePendingPlan(ctx, adapter, mapping, internalId)

  for (let round = 0; round < MAX_STALE_ROUNDS; round++) {
    const reading = await inventory.read(ctx, externalId)
    const external = reading.quantity
    const baseline = mapping.baseline ?? external
    const delta = external - baseline + (reading.unseen?.delta ?? 0)
    let marketplaceQty: number

    if (delta !== 0 && policy.inboundInventory) {
      const plan: ReconcilePlan = {
        phase: 'adjust',
        key: `adjust:${mapping.id}:v${mapping.version}`,
        delta,
        observed: external,
        ...(reading.unseen ? { providerState: reading.unseen.state } : {}),
      }
      mapping = await savePlan(ctx, mapping, plan)
      marketplaceQty = await applyAdjustment(ctx, internalId, plan)
      mapping = await settle(ctx, mapping, external, plan)
      await enqueueReconciles(deps, {
        sellerId: ctx.item.sellerId,
        inventoryItemId: internalId,
        cause: `${mapping.id}:v${mapping.version}`,
        exceptConnectionId: ctx.connection.id,
        runId: ctx.item.runId,
      })
    } else {
      marketplaceQty = (await ctx.marketplace.getInventory(scope, internalId)).quantity
      // A provider's bookkeeping (`unseen.state`) is stored even when the net change is 0: its
      // report then still moves the baseline to `E`, so it is never analysed a second time.
      if (mapping.baseline === null || (delta !== 0 && !policy.inboundInventory) || reading.unseen) {
        mapping = await settle(ctx, mapping, external, null, reading.unseen?.state)
      }
    }

    if (external === marketplaceQty || !policy.outboundInventory) {
      return { result: { external, marketplace: marketplaceQty, pushed: false }, internalId }
    }
    const plan: ReconcilePlan = {
      phase: 'push',
      key: `push:${mapping.id}:v${mapping.version}`,
      observed: external,
      target: marketplaceQty,
    }
    mapping = await savePlan(ctx, mapping, plan)
    try {
      const pushed = await inventory.push(ctx, {
        externalId,
        observed: reading,
        target: marketplaceQty,
        idempotencyKey: plan.key,
      })
      mapping = await settle(ctx, mapping, pushed.quantity, plan)
      return { result: { external: pushed.quantity, marketplace: marketplaceQty, pushed: true }, internalId }
    } catch (error) {
      if (!(error instanceof StaleInventoryError)) throw error
      mapping = await settle(ctx, mapping, mapping.baseline, plan) // the write never applied
      ctx.logger.info({ externalId, round }, 'stale inventory write; re-reading')
    }
  }
  throw new RetryableError('INVENTORY_CONTENDED', `inventory item ${externalId} kept changing; will retry`)
}

/**
 * A plan left on the mapping by an attempt that died mid-way: complete it before anything else.
 * An adjustment is re-sent under the same key (the marketplace applies a key at most once); a
 * push is re-sent under the same idempotency key (a provider with idempotent writes answers the
 * original result; a stale answer means it never applied).
 */
async function completePendingPlan(
  ctx: ExecutionContext,
  adapter: ProviderAdapter,
  mapping: EntityMapping,
  internalId: string,
): Promise<EntityMapping> {
  const parsed = planSchema.safeParse(mapping.data.plan)
  if (!parsed.success) return mapping
  const plan = parsed.data
  ctx.logger.info(
    { externalId: mapping.externalId, phase: plan.phase, key: plan.key },
    'completing a pending plan',
  )
  if (plan.phase === 'adjust') {
    await applyAdjustment(ctx, internalId, plan)
    return settle(ctx, mapping, plan.observed, plan)
  }
  try {
    const pushed = await adapter.inventory!.push(ctx, {
      externalId: mapping.externalId,
      observed: { quantity: plan.observed },
      target: plan.target ?? plan.observed,
      idempotencyKey: plan.key,
    })
    return settle(ctx, mapping, pushed.quantity, plan)
  } catch (error) {
    if (error instanceof StaleInventoryError) return settle(ctx, mapping, mapping.baseline, plan)
    throw error
  }
}

async function applyAdjustment(
  ctx: ExecutionContext,
  internalId: string,
  plan: ReconcilePlan,
): Promise<number> {
  const adjusted = await ctx.marketplace.adjustInventory(
    { sellerId: ctx.item.sellerId },
    {
      inventoryItemId: internalId,
      delta: plan.delta ?? 0,
      idempotencyKey: plan.key,
      reason: `${ctx.connection.provider} change on ${ctx.connection.externalAccountId}`,
    },
  )
  return adjusted.quantity
}

/** Store the plan on the mapping (and, for explainability, on the item) before its side effect. */
async function savePlan(ctx: ExecutionContext, mapping: EntityMapping, plan: ReconcilePlan) {
  await ctx.savePlan({ reconcile: plan as Json })
  return update(ctx, mapping, { data: { ...mapping.data, plan: plan as Json } })
}

/**
 * Record the new baseline and clear the completed plan in one write; an adjustment's provider
 * state is stored in the same write, so what it reported is counted exactly once.
 */
async function settle(
  ctx: ExecutionContext,
  mapping: EntityMapping,
  baseline: number | null,
  plan: ReconcilePlan | null,
  providerState?: Json,
): Promise<EntityMapping> {
  const { plan: _done, ...data } = mapping.data
  const state = plan?.providerState !== undefined ? (plan.providerState as Json) : providerState
  return update(ctx, mapping, {
    baseline,
    data: state !== undefined ? { ...data, providerState: state } : data,
  })
}

async function update(
  ctx: ExecutionContext,
  mapping: EntityMapping,
  patch: { baseline?: number | null; data?: Record<string, Json> },
): Promise<EntityMapping> {
  const updated = await ctx.mappings.update(mapping.id, patch, mapping.version)
  if (!updated) {
    throw new RetryableError('MAPPING_CONTENDED', `mapping ${mapping.id} changed concurrently`)
  }
  return updated
}

/** Engine dependencies type re-exported for the reconcile fan-out. */
export type { EngineDeps }
