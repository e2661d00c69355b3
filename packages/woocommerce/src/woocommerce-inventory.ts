import {
  type ExecutionContext,
  type InventoryReading,
  type Json,
  PermanentError,
  type ProviderInventory,
  StaleInventoryError,
} from '@hub/core'
import { STOCK_PUSH_META, type WooClient } from './woocommerce-client.js'
import { parseWooGmt } from './woocommerce-dates.js'
import {
  decodeMarker,
  encodeMarker,
  type LedgerState,
  ledgerStateOf,
  markerSince,
  type NotedOwner,
  overwritten,
  scanMovements,
} from './woocommerce-stock-ledger.js'

/** Builds the REST client of the connection an item runs for. */
export type ClientForContext = (ctx: ExecutionContext) => WooClient

/** How far before the read a push's ledger window starts (WooCommerce dates have seconds). */
export const LEDGER_OVERLAP_MS = 2_000

/** What the push stores on the item before it writes (next to the engine's own plan fields). */
export interface WooPushPlan {
  externalId: string
  observed: number
  target: number
  key: string
}

function parseId(externalId: string): number {
  if (!/^[1-9]\d{0,15}$/.test(externalId)) {
    throw new PermanentError(
      'WOO_INVENTORY_ID_INVALID',
      `"${externalId}" is not a WooCommerce product or variation id`,
    )
  }
  return Number(externalId)
}

function planOf(payload: Json | null): WooPushPlan | null {
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return null
  const plan = payload.wooPush
  if (!plan || typeof plan !== 'object' || Array.isArray(plan)) return null
  const { externalId, observed, target, key } = plan
  if (typeof externalId !== 'string' || typeof key !== 'string') return null
  if (typeof observed !== 'number' || typeof target !== 'number') return null
  return { externalId, observed, target, key }
}

/** The reading's token, as `read` made it (null when absent, e.g. a plan completed after a crash). */
function tokenOf(
  token: Json | undefined,
  id: number,
): { modifiedGmt: string | null; owner: NotedOwner } | null {
  if (!token || typeof token !== 'object' || Array.isArray(token)) return null
  const { parentId, modifiedGmt, sku } = token
  if (typeof modifiedGmt !== 'string' || (parentId !== null && typeof parentId !== 'number')) return null
  if (sku !== null && typeof sku !== 'string') return null
  return { modifiedGmt, owner: { id, productId: parentId ?? id, sku } }
}

/**
 * WooCommerce inventory as core's {@link ProviderInventory}. WooCommerce has no compare-and-swap:
 * a `stock_quantity` write is an absolute overwrite. So a push is a stored plan:
 *
 * 1. save `{observed, target}` on the item (`ctx.savePlan`) BEFORE writing;
 * 2. take the ledger watermark (the highest stock note id of this product, see
 *    `woocommerce-stock-ledger.ts`), then re-read the quantity fresh;
 * 3. our marker `_hub_stock_push` names this push → the write landed (a retry after a lost
 *    response): no write, the baseline is `target` and any later move is counted by the engine;
 *    `current == observed` → write `target`, with the marker (key, observed, target, watermark)
 *    in the same request;
 *    anything else, even `current == target` without our marker (an order that sold exactly the
 *    difference) → `StaleInventoryError`: the engine re-reads, counts the change and re-plans.
 *
 * The window between the re-read and the write stays open (WooCommerce offers nothing to close
 * it): an order landing there is overwritten. `read` finds such orders from their stock notes
 * and reports them as `InventoryReading.unseen`, with the ledger state the core stores on the
 * mapping in the same write as the baseline, so each is counted exactly once and re-pushed.
 * Whether real WooCommerce round-trips underscore meta through REST is UNCONFIRMED (not
 * recorded); the fake keeps it as `WC_Data::update_meta_data` does.
 */
export function createWooInventory(clientFor: ClientForContext): ProviderInventory {
  async function readFresh(ctx: ExecutionContext, externalId: string) {
    const product = await clientFor(ctx).getProduct(parseId(externalId), ctx.signal)
    if (product.manage_stock === 'parent') {
      throw new PermanentError(
        'WOO_STOCK_MANAGED_BY_PARENT',
        `variation ${externalId} sells from the stock of product ${product.parent_id}; map that id instead`,
      )
    }
    if (product.manage_stock !== true || product.stock_quantity === null) {
      throw new PermanentError('WOO_STOCK_UNMANAGED', `product ${externalId} does not manage its stock`)
    }
    const parentId = product.type === 'variation' && product.parent_id > 0 ? product.parent_id : null
    return {
      quantity: product.stock_quantity,
      parentId,
      modifiedGmt: product.date_modified_gmt,
      lastPush: decodeMarker(product.meta_data.find((m) => m.key === STOCK_PUSH_META)?.value),
      owner: { id: product.id, productId: parentId ?? product.id, sku: product.sku || null },
    }
  }

  /**
   * Movements the last push overwrote and that the ledger has not counted yet (see
   * `woocommerce-stock-ledger.ts`), as `unseen`; undefined when there is nothing to analyse.
   */
  async function unseenOf(
    ctx: ExecutionContext,
    externalId: string,
    fresh: Awaited<ReturnType<typeof readFresh>>,
  ): Promise<InventoryReading['unseen']> {
    const marker = fresh.lastPush?.marker
    if (!marker) return undefined
    const mapping = await ctx.mappings.get('inventory_item', externalId)
    const counted = ledgerStateOf(mapping?.data.providerState)
    if (counted?.push === marker.key) return undefined
    const since = parseWooGmt(marker.since) ?? new Date(0)
    const moves = (await scanMovements(clientFor(ctx), fresh.owner, since, ctx.signal)).filter(
      (m) => m.noteId > marker.notes,
    )
    const lost = overwritten(moves, marker.observed, marker.target, fresh.quantity)
    if (lost === null) {
      ctx.logger.info(
        { externalId, push: marker.key, moves: moves.length },
        'woocommerce stock moved in a way no order explains (a manual edit?); reading it as an outside change',
      )
    }
    const state: LedgerState = { push: marker.key, lost: (lost ?? []).map((m) => m.noteId) }
    const delta = (lost ?? []).reduce((sum, m) => sum + (m.to - m.from), 0)
    if (delta !== 0) {
      ctx.recordExcerpt({ unseen: externalId, push: marker.key, delta, notes: state.lost })
    }
    return { delta, state: state as unknown as Json }
  }

  return {
    async read(ctx, externalId): Promise<InventoryReading> {
      const fresh = await readFresh(ctx, externalId)
      const unseen = await unseenOf(ctx, externalId, fresh)
      return {
        quantity: fresh.quantity,
        token: { parentId: fresh.parentId, modifiedGmt: fresh.modifiedGmt, sku: fresh.owner.sku },
        ...(unseen ? { unseen } : {}),
      }
    },

    async push(ctx, input) {
      if (!Number.isSafeInteger(input.target)) {
        throw new PermanentError('WOO_INVENTORY_TARGET_INVALID', `target ${input.target} is not an integer`)
      }
      const plan: WooPushPlan = {
        externalId: input.externalId,
        observed: input.observed.quantity,
        target: input.target,
        key: input.idempotencyKey,
      }
      const saved = planOf(ctx.item.diagnosticPayload)
      if (!saved || JSON.stringify(saved) !== JSON.stringify(plan)) {
        const base = ctx.item.diagnosticPayload
        const rest = base && typeof base === 'object' && !Array.isArray(base) ? base : {}
        await ctx.savePlan({ ...rest, wooPush: { ...plan } })
      }
      // The ledger watermark, taken BEFORE the re-read: stock notes above it happened after
      // the re-read (or moved the stock away from `observed`, which makes this push stale).
      const read =
        tokenOf(input.observed.token, parseId(input.externalId)) ?? (await readFresh(ctx, input.externalId))
      const since = markerSince(read.modifiedGmt, LEDGER_OVERLAP_MS)
      const owner = read.owner
      const seen = await scanMovements(clientFor(ctx), owner, parseWooGmt(since) ?? new Date(0), ctx.signal)
      const notes = seen.reduce((max, m) => Math.max(max, m.noteId), 0)
      const current = await readFresh(ctx, input.externalId)
      if (current.lastPush?.key === plan.key) {
        // Our write landed (its marker is there; a retry after a lost response). If the stock
        // moved since, the baseline is still what we wrote: the engine counts the later change.
        ctx.recordExcerpt({
          push: input.externalId,
          observed: plan.observed,
          target: plan.target,
          wrote: false,
          landed: true,
        })
        return { quantity: plan.target }
      }
      // Without our marker, a stock already at `target` got there by another change (an order
      // that happened to sell exactly the difference): stale too, so the engine counts it.
      if (current.quantity !== plan.observed) {
        throw new StaleInventoryError(
          `stock of ${input.externalId} is ${current.quantity}, planned from ${plan.observed}; re-planning`,
        )
      }
      const written = await clientFor(ctx).setStock(
        { id: parseId(input.externalId), parentId: current.parentId },
        plan.target,
        {
          signal: ctx.signal,
          marker: encodeMarker({ key: plan.key, observed: plan.observed, target: plan.target, notes, since }),
        },
      )
      ctx.recordExcerpt({
        push: input.externalId,
        observed: plan.observed,
        target: plan.target,
        wrote: true,
        stored: written.stock_quantity,
      })
      if (written.manage_stock !== true || written.stock_quantity === null) {
        throw new PermanentError('WOO_STOCK_UNMANAGED', `product ${input.externalId} ignored the stock write`)
      }
      return { quantity: written.stock_quantity }
    },
  }
}
