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
  explainStock,
  type LedgerState,
  ledgerStateOf,
  markerSince,
  movedBy,
  type NotedOwner,
  type StockAnchor,
  type StockMovement,
  scanMovements,
} from './woocommerce-stock-ledger.js'

/** Builds the REST client of the connection an item runs for. */
export type ClientForContext = (ctx: ExecutionContext) => WooClient

/**
 * How far before a known server time the order scans start (WooCommerce dates have seconds). The
 * window only narrows the scan; what is counted is decided by note ids.
 */
export const LEDGER_OVERLAP_MS = 2_000

/** Scan-then-read rounds of one reading before an unexplained stock is taken as an outside change. */
export const LEDGER_READ_ROUNDS = 3

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
 * it): an order landing there is overwritten, and a push whose lease expired may land after
 * another worker gave it up. So `read` counts order movements by their stock notes, above a
 * cursor of note ids, not from the stock, and reports the difference as
 * `InventoryReading.unseen`, with the ledger state the core stores on the mapping in the same
 * write as the baseline: each movement is counted exactly once and re-pushed.
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

  type Fresh = Awaited<ReturnType<typeof readFresh>>

  /** Stock movements of `owner` noted after `cursor`, on orders modified after `since`. */
  async function movesAfter(ctx: ExecutionContext, owner: NotedOwner, since: string, cursor: number) {
    const from = parseWooGmt(since) ?? new Date(0)
    return (await scanMovements(clientFor(ctx), owner, from, ctx.signal)).filter((m) => m.noteId > cursor)
  }

  function stateOf(
    fresh: Fresh,
    cursor: number,
    moves: readonly StockMovement[],
    since: string,
  ): LedgerState {
    const next = markerSince(fresh.modifiedGmt, LEDGER_OVERLAP_MS)
    return {
      notes: moves.reduce((max, m) => Math.max(max, m.noteId), cursor),
      stock: fresh.quantity,
      push: fresh.lastPush?.key ?? null,
      since: next > since ? next : since,
      counted: moves.map((m) => m.noteId),
    }
  }

  /**
   * The first reading of a stock owner (or one whose state an older ledger stored): no cursor
   * yet, so nothing is counted from the notes; the cursor starts at the notes seen before the
   * stock was read, checked by a second scan (a movement between the scan and the read would
   * otherwise be counted again later).
   */
  async function initialise(ctx: ExecutionContext, externalId: string, first: Fresh) {
    let probe = first
    for (let round = 1; ; round++) {
      const since = markerSince(probe.modifiedGmt, LEDGER_OVERLAP_MS)
      const seen = await movesAfter(ctx, probe.owner, since, 0)
      const fresh = await readFresh(ctx, externalId)
      const cursor = seen.reduce((max, m) => Math.max(max, m.noteId), 0)
      const later = await movesAfter(ctx, fresh.owner, since, cursor)
      if (later.length === 0 || round >= LEDGER_READ_ROUNDS) {
        return { fresh, state: { ...stateOf(fresh, cursor, [], since), since } }
      }
      probe = fresh
    }
  }

  /** How a reading's stock is explained by the movements it scanned. */
  interface Round {
    fresh: Fresh
    /** Every movement in the scan window (counted or not), note order. */
    moves: StockMovement[]
    fits: boolean
    /** The stock the orders explain, from the first anchor (when it does not fit). */
    expected: number | null
  }

  function explainRound(state: LedgerState, fresh: Fresh, moves: StockMovement[]): Round {
    const key = fresh.lastPush?.key ?? null
    const marker = fresh.lastPush?.marker ?? null
    const anchors: Array<{ anchor: StockAnchor; moves: StockMovement[] }> = []
    const uncounted = moves.filter((m) => m.noteId > state.notes)
    if (key === state.push)
      anchors.push({ anchor: { kind: 'reading', stock: state.stock }, moves: uncounted })
    // Our push landed since (or again, a retry of the same key): its target, then what showed.
    if (marker) anchors.push({ anchor: { kind: 'push', target: marker.target, notes: marker.notes }, moves })
    // An older push marker without ledger data cannot be replayed: the stock is trusted as it is.
    if (anchors.length === 0) return { fresh, moves, fits: true, expected: null }
    let expected: number | null = null
    for (const { anchor, moves: replayed } of anchors) {
      const explained = explainStock(anchor, replayed, fresh.quantity)
      if (explained.fits) return { fresh, moves, fits: true, expected: explained.expected }
      expected ??= explained.expected
    }
    return { fresh, moves, fits: false, expected }
  }

  const maxNote = (moves: readonly StockMovement[], from = 0) =>
    moves.reduce((max, m) => Math.max(max, m.noteId), from)

  /**
   * Read the stock and the movements the ledger has not counted (see `woocommerce-stock-ledger.ts`):
   * the notes are scanned BEFORE the stock is read, so every counted movement happened before
   * the stock read. When the replay does not end at the stock read, the next round's scan tells
   * whether anything moved meanwhile: if not, the difference is an outside change (a manual edit)
   * and is counted; if things kept moving for every round, only the noted movements are counted
   * and the anchor becomes the stock they explain, so the next reading finds the rest.
   * `unseen` makes the core's `E − baseline + unseen.delta` the counted change.
   */
  async function readCounted(ctx: ExecutionContext, externalId: string) {
    const mapping = await ctx.mappings.get('inventory_item', externalId)
    const state = ledgerStateOf(mapping?.data.providerState)
    const baseline = mapping?.baseline ?? null
    let probe = await readFresh(ctx, externalId)
    if (!state) {
      const { fresh, state: initial } = await initialise(ctx, externalId, probe)
      // Nothing counted from the notes: the stock change reads as it is (delta 0).
      return { fresh, unseen: { delta: 0, state: initial as unknown as Json } }
    }
    let previous: Round | null = null
    let outcome: { round: Round; mode: 'fits' | 'unexplained' | 'deferred' } | null = null
    for (let round = 1; outcome === null; round++) {
      const moves = await movesAfter(ctx, probe.owner, state.since, 0)
      if (previous && maxNote(moves) === maxNote(previous.moves)) {
        outcome = { round: previous, mode: 'unexplained' } // nothing moved since its scan
      } else if (previous && round > LEDGER_READ_ROUNDS) {
        outcome = { round: previous, mode: 'deferred' }
      } else {
        const fresh = await readFresh(ctx, externalId)
        const explained = explainRound(state, fresh, moves)
        if (explained.fits) outcome = { round: explained, mode: 'fits' }
        previous = explained
        probe = fresh
      }
    }
    const { round, mode } = outcome
    const { fresh } = round
    const counted = round.moves.filter((m) => m.noteId > state.notes)
    const unexplained = mode === 'unexplained' ? fresh.quantity - (round.expected ?? fresh.quantity) : 0
    if (mode !== 'fits') {
      ctx.logger.info(
        { externalId, push: fresh.lastPush?.key ?? null, counted: counted.length, unexplained, mode },
        mode === 'unexplained'
          ? 'woocommerce stock moved in a way no order explains (a manual edit?); counting the difference as an outside change'
          : 'woocommerce stock kept moving during the reading; counting the noted movements, the rest next time',
      )
    }
    const outside = movedBy(counted) + unexplained
    const next =
      mode === 'deferred'
        ? {
            notes: maxNote(counted, state.notes),
            // A replay from the reading needs the stock the counted movements explain; a replay
            // from the push keeps its anchor (the same push, not yet settled by a fitting reading).
            stock:
              (fresh.lastPush?.key ?? null) === state.push ? (round.expected ?? state.stock) : state.stock,
            push: state.push,
            since: state.since,
            counted: counted.map((m) => m.noteId),
          }
        : stateOf(fresh, state.notes, counted, state.since)
    const delta = baseline === null ? 0 : outside - (fresh.quantity - baseline)
    const same = next.notes === state.notes && next.stock === state.stock && next.push === state.push
    if (delta === 0 && same) return { fresh, unseen: undefined }
    if (counted.length > 0 || unexplained !== 0) {
      ctx.recordExcerpt({ ledger: externalId, counted: next.counted, moved: outside, delta })
    }
    return { fresh, unseen: { delta, state: next as unknown as Json } }
  }

  return {
    async read(ctx, externalId): Promise<InventoryReading> {
      const { fresh, unseen } = await readCounted(ctx, externalId)
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
