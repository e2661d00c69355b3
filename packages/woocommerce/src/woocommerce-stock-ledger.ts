import type { Json } from '@hub/core'
import type { WooClient } from './woocommerce-client.js'
import { parseWooGmt, toWooGmt } from './woocommerce-dates.js'
import type { WooOrderNote } from './woocommerce-schemas.js'

/**
 * The exactly-once ledger of WooCommerce stock movements made by orders.
 *
 * WooCommerce has no compare-and-swap: between the re-read that checks a push's `observed` value
 * and the `PUT` of its `target`, an order can reduce the stock, and the `PUT` then erases that
 * reduction; a push whose worker lost its lease can even land after another worker gave it up.
 * The stock alone therefore cannot say what was sold. The orders can: WooCommerce writes an order
 * note per stock movement, in the request that moves the stock ("Stock levels reduced: Mug (MUG)
 * 10&rarr;9", "Stock levels increased: …", "Item #4 stock increased from 3 to 4."). Note ids grow
 * with every note, and each note says the stock before and after its movement.
 *
 * So the ledger counts movements by note id, never by time: the state stored on the mapping
 * (`LedgerState`) keeps a cursor `notes`, the highest note id of this stock owner already applied
 * to the marketplace. A reading scans the order notes first and reads the stock after, so every
 * movement it counts (note id above the cursor) happened before the stock it reads; the outside
 * change it reports is the sum of those movements, whatever our writes overwrote, plus what no
 * order explains (a manual edit). That last part is found by replaying the movements from the
 * last known stock: the `stock` of the previous reading when no push landed since, else the
 * `target` of the push whose marker (product meta `_hub_stock_push`, written in the same request
 * as the stock) the product carries, followed by the movements after that push's note watermark.
 * When the replay does not end at the stock read, a movement may have landed between the scan and
 * the read: the reading scans and reads again. A difference that a later scan shows nothing
 * noted to explain is an outside change and counted; while movements keep landing, only the
 * noted ones are counted and the rest is left to the next reading. Order dates (second
 * precision) only narrow which orders are scanned
 * (`modified_after`, with an overlap); they never decide what is counted.
 *
 * The result is `InventoryReading.unseen`, relative to the core's baseline: the core adds its
 * delta to `E − baseline` (so the change applied is exactly the counted one) and stores the new
 * state in the same write as the new baseline, so each movement is counted once however many
 * webhooks, polls or sweeps read it, in whatever order, and whichever of our writes overwrote it.
 */

/** What a push writes next to the stock, as the JSON string value of `_hub_stock_push`. */
export interface PushMarker {
  key: string
  observed: number
  target: number
  /** Highest stock note id of this product seen before the write (0: none). */
  notes: number
  /** Server time (UTC, `YYYY-MM-DDTHH:MM:SS`) before the push read the stock. */
  since: string
}

/** The ledger state the core stores on the mapping (`data.providerState`). */
export interface LedgerState {
  /** Highest stock note id of this owner whose movement the marketplace has received. */
  notes: number
  /** The stock read right after the notes up to `notes` were scanned. */
  stock: number
  /** Key of the push marker the product carried at that reading (null: none). */
  push: string | null
  /** Orders modified after this server time (UTC, `YYYY-MM-DDTHH:MM:SS`) are scanned next. */
  since: string
  /** Note ids the reading that stored this state counted (for explanation). */
  counted: number[]
}

/** One stock movement of one stock owner, from an order note. */
export interface StockMovement {
  noteId: number
  orderId: number
  from: number
  to: number
}

/** The stock owner as the notes name it: by SKU, or `#id` without one. */
export interface NotedOwner {
  id: number
  /** For orders?product=: the parent of a variation, else the id. */
  productId: number
  sku: string | null
}

/** Encode a marker as the meta value. */
export function encodeMarker(marker: PushMarker): string {
  return JSON.stringify(marker)
}

/**
 * Read the marker meta value: the JSON of {@link PushMarker}, or a bare key (older pushes, which
 * carry no ledger data). Anything else is no marker.
 */
export function decodeMarker(value: unknown): { key: string; marker: PushMarker | null } | null {
  if (typeof value !== 'string' || value === '') return null
  if (!value.startsWith('{')) return { key: value, marker: null }
  try {
    const m = JSON.parse(value) as Partial<PushMarker>
    if (typeof m.key !== 'string') return null
    const valid =
      Number.isSafeInteger(m.observed) &&
      Number.isSafeInteger(m.target) &&
      Number.isSafeInteger(m.notes) &&
      typeof m.since === 'string' &&
      parseWooGmt(m.since) !== null
    return { key: m.key, marker: valid ? (m as PushMarker) : null }
  } catch {
    return null
  }
}

/**
 * The ledger state stored on the mapping, or null (none yet, or the state of an older version of
 * this ledger, which kept no cursor).
 */
export function ledgerStateOf(value: Json | undefined): LedgerState | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null
  const { notes, stock, push, since, counted } = value
  if (!Number.isSafeInteger(notes) || !Number.isSafeInteger(stock)) return null
  if (push !== null && typeof push !== 'string') return null
  if (typeof since !== 'string' || parseWooGmt(since) === null) return null
  return {
    notes: notes as number,
    stock: stock as number,
    push,
    since,
    counted: Array.isArray(counted) ? counted.filter((id): id is number => typeof id === 'number') : [],
  }
}

const ARROW = /\(([^()]*)\)(?:<span[^>]*>.*?<\/span>)?\s*(-?\d+)\s*(?:&rarr;|→)\s*(-?\d+)/g
const REFUND = /Item #(\d+) stock increased from (-?\d+) to (-?\d+)/g

/**
 * The movements of `owner` in one note. Understands WooCommerce's English notes: "Stock levels
 * reduced|increased: Name (SKU|#id) a&rarr;b, …", "Adjusted stock: …" and, for refunds,
 * "Item #<line id> stock increased from a to b." (`lineIds` = the order's lines of this owner).
 */
export function movementsIn(
  note: Pick<WooOrderNote, 'id' | 'note'>,
  owner: NotedOwner,
  lineIds: ReadonlySet<number>,
): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = []
  for (const m of note.note.matchAll(ARROW)) {
    const ident = m[1]!.trim()
    if ((owner.sku && ident === owner.sku) || ident === `#${owner.id}`) {
      out.push({ from: Number(m[2]), to: Number(m[3]) })
    }
  }
  for (const m of note.note.matchAll(REFUND)) {
    if (lineIds.has(Number(m[1]))) out.push({ from: Number(m[2]), to: Number(m[3]) })
  }
  return out
}

/**
 * Stock movements of `owner` noted on orders modified at or after `since`, dated at or after
 * `since`, in note order. One request for the order list (by product), one per order with a
 * line of this owner.
 */
export async function scanMovements(
  client: WooClient,
  owner: NotedOwner,
  since: Date,
  signal: AbortSignal,
): Promise<StockMovement[]> {
  const out: StockMovement[] = []
  for await (const page of client.orders({
    modifiedAfter: since,
    status: 'any',
    product: owner.productId,
    signal,
  })) {
    for (const order of page.items) {
      const lineIds = new Set(
        order.line_items.filter((l) => (l.variation_id || l.product_id) === owner.id).map((l) => l.id),
      )
      if (lineIds.size === 0) continue
      for (const note of await client.orderNotes(order.id, signal)) {
        const at = parseWooGmt(note.date_created_gmt)
        if (at !== null && at < since) continue
        for (const move of movementsIn(note, owner, lineIds)) {
          out.push({ noteId: note.id, orderId: order.id, ...move })
        }
      }
    }
  }
  return out.sort((a, b) => a.noteId - b.noteId)
}

/** `since` for a marker: `overlapMs` before a server time (a product's `date_modified_gmt`). */
export function markerSince(modifiedGmt: string | null, overlapMs: number): string {
  const at = parseWooGmt(modifiedGmt)
  return toWooGmt(new Date(at ? at.getTime() - overlapMs : 0))
}

function chains(moves: readonly StockMovement[], start: number): boolean {
  let at = start
  for (const m of moves) {
    if (m.from !== at) return false
    at = m.to
  }
  return true
}

function sum(moves: readonly StockMovement[]): number {
  return moves.reduce((total, m) => total + (m.to - m.from), 0)
}

/** Where the replay of {@link explainStock} starts: the last stock we know for certain. */
export type StockAnchor =
  /** The previous reading's stock; no push landed since, so every later movement shows. */
  | { kind: 'reading'; stock: number }
  /** Our last push landed since: its target, then the movements after its note watermark. */
  | { kind: 'push'; target: number; notes: number }

/**
 * Replay the movements not yet counted (note order) from `anchor` and compare with `current`.
 * From a reading, all of them must chain from its stock to `current`. From a push, the ones
 * before its `PUT` were overwritten and only a suffix of those after its watermark shows: some
 * suffix must chain from its target to `current` (the empty one when `current` is the target).
 * `fits` false means something no order explains moved the stock (or a movement landed between
 * the scan and the read); `expected` is then the stock the orders alone explain.
 */
export function explainStock(
  anchor: StockAnchor,
  moves: readonly StockMovement[],
  current: number,
): { fits: boolean; expected: number } {
  if (anchor.kind === 'reading') {
    const expected = anchor.stock + sum(moves)
    return { fits: chains(moves, anchor.stock) && expected === current, expected }
  }
  const after = moves.filter((m) => m.noteId > anchor.notes)
  let longest: number | null = null
  for (let k = 0; k <= after.length; k++) {
    const shown = after.slice(k)
    if (!chains(shown, anchor.target)) continue
    const end = anchor.target + sum(shown)
    if (end === current) return { fits: true, expected: end }
    longest ??= end
  }
  return { fits: false, expected: longest ?? anchor.target }
}

/** Sum of the stock changes of `moves` (negative for sales). */
export function movedBy(moves: readonly StockMovement[]): number {
  return sum(moves)
}
