import type { Json } from '../domain/json.js'
import type { CatalogConflict, EntityMapping, Scope } from '../domain/schemas.js'
import type { EngineDeps } from '../engine/deps.js'
import { NotFoundError, PermanentError } from '../errors.js'
import { enqueueReconciles } from '../inventory/enqueue-reconciles.js'
import { stableHash } from '../util/stable-hash.js'

/** What the marketplace tells the hub when it approves a submission. */
export interface Approval {
  /** The submission reference returned by `submitProduct`. */
  ref: string
  productId: string
  /** Marketplace inventory item id per external inventory item id. */
  inventoryItems: Record<string, string>
}

/**
 * Repair the pending mappings of an approved submission (internal ids set, status linked) and
 * queue a reconcile of each inventory item so quantities converge. Idempotent.
 */
export async function approveSubmission(
  deps: EngineDeps,
  scope: Scope,
  approval: Approval,
): Promise<EntityMapping[]> {
  const pending = await deps.store.findMappings(scope, { pendingRef: approval.ref })
  if (pending.length === 0) throw new NotFoundError('submission', approval.ref)
  const repaired: EntityMapping[] = []
  for (const mapping of pending) {
    const internalId =
      mapping.entityType === 'product' ? approval.productId : approval.inventoryItems[mapping.externalId]
    if (!internalId) {
      deps.logger.warn(
        { ref: approval.ref, externalId: mapping.externalId },
        'approval has no id for mapping',
      )
      continue
    }
    const updated =
      mapping.status === 'linked' && mapping.internalId === internalId
        ? mapping
        : await deps.store.updateMapping(scope, mapping.id, { internalId, status: 'linked' })
    if (!updated) continue
    repaired.push(updated)
    if (updated.entityType === 'inventory_item') {
      await enqueueReconciles(deps, {
        sellerId: scope.sellerId,
        inventoryItemId: internalId,
        cause: `approve:${approval.ref}`,
        kind: 'marketplace',
      })
    }
  }
  return repaired
}

/**
 * Resolve an open conflict. Accepting applies their fields through the marketplace port;
 * either way the mapping's snapshot moves to their content so the same edit does not reopen.
 */
export async function resolveConflict(
  deps: EngineDeps,
  scope: Scope,
  conflictId: string,
  decision: 'accepted' | 'rejected',
): Promise<CatalogConflict> {
  const conflict = await deps.store.getConflict(scope, conflictId)
  if (!conflict) throw new NotFoundError('conflict', conflictId)
  if (conflict.status !== 'open') {
    throw new PermanentError('CONFLICT_RESOLVED', `conflict ${conflictId} is already ${conflict.status}`)
  }
  const [mapping] = await deps.store.findMappings(scope, {
    connectionId: conflict.connectionId,
    entityType: conflict.entityType,
    externalId: conflict.externalId,
  })
  if (decision === 'accepted') {
    if (!deps.marketplace.updateProduct) {
      throw new PermanentError('CAPABILITY_MISSING', 'the marketplace port cannot update products')
    }
    if (!conflict.internalId)
      throw new PermanentError('MAPPING_NOT_LINKED', 'conflict has no marketplace product')
    const fields = Object.fromEntries(conflict.diffs.map((d) => [d.field, d.theirs]))
    await deps.marketplace.updateProduct(scope, conflict.internalId, fields)
  }
  if (mapping) {
    const snapshot = { ...((mapping.data.snapshot ?? {}) as Record<string, Json>) }
    for (const d of conflict.diffs) snapshot[d.field] = d.theirs
    await deps.store.updateMapping(scope, mapping.id, {
      sourceHash: stableHash(snapshot),
      data: { ...mapping.data, snapshot },
    })
  }
  const resolved = await deps.store.resolveConflict(scope, conflictId, decision, deps.clock.now())
  if (!resolved)
    throw new PermanentError('CONFLICT_RESOLVED', `conflict ${conflictId} was resolved concurrently`)
  return resolved
}
