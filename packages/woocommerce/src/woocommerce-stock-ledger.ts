import type { Json } from '@hub/core'
import type { WooClient } from './woocommerce-client.js'
import { parseWooGmt, toWooGmt } from './woocommerce-dates.js'
import type { WooOrderNote } from './woocommerce-schemas.js'

/**
 * The exactly-once ledger of WooCommerce stock movements that our own writes overwrote.
 *
 * WooCommerce has no compare-and-swap: between the re-read that checks a push's `observed` value
 * and the `PUT` of its `target`, an order can reduce the stock, and the `PUT` then erases that
 * reduction. The stock no longer shows the sale, so `E − baseline` cannot count it. The order
 * does record it: WooCommerce writes an order note per stock movement ("Stock levels reduced:
 * Mug (MUG) 10&rarr;9", "Stock levels increased: …", "Item #4 stock increased from 3 to 4.").
 * Note ids grow with time, and each note says the stock before and after the movement.
 *
 * Every push leaves a marker (product meta `_hub_stock_push`, {@link PushMarker}) written in the
 * same request as the stock: its key, `observed`, `target`, a note watermark `notes` (the highest
 * stock note id of this product seen before the write) and `since` (a server time before the push
 * began). The movements of this product with a note id above `notes` (and dated at or after
 * `since`) happened after the push read the stock: some before the write landed (overwritten),
 * the rest after (shown in the stock). The overwritten ones form a chain starting at `observed`,
 * the others a chain starting at `target` and ending at the current stock; {@link overwritten}
 * finds that split. Two splits that both fit differ only by movements that cancel out, so the
 * counted total is the same either way. When no split fits (a manual edit or another writer
 * moved the stock too), nothing is reported: the stock change is then read as it is, as before.
 *
 * The result is `InventoryReading.unseen`: the core adds its delta to the external change and
 * stores its state (`{ push, lost }`) on the mapping in the same write as the new baseline, so
 * the movements overwritten by one push are counted once; a reading whose push is already in
 * the stored state is not analysed again. Duplicated, reordered or dropped order webhooks do not
 * matter: any later reconcile (a webhook, the `modified_after` poll) reads the same notes.
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
  /** Key of the push whose overwritten movements were counted. */
  push: string
  /** Note ids counted as overwritten by that push (for explanation). */
  lost: number[]
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

/** The ledger state stored on the mapping, or null. */
export function ledgerStateOf(value: Json | undefined): LedgerState | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null
  const { push, lost } = value
  if (typeof push !== 'string' || !Array.isArray(lost)) return null
  return { push, lost: lost.filter((id): id is number => typeof id === 'number') }
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

/**
 * The movements a push overwrote, given the movements after its read (note order), its
 * `observed` and `target`, and the stock now: the prefix chaining from `observed` such that the
 * rest chains from `target` to `current`. Null when no split explains the stock (another writer).
 */
export function overwritten(
  moves: readonly StockMovement[],
  observed: number,
  target: number,
  current: number,
): StockMovement[] | null {
  for (let k = 0; k <= moves.length; k++) {
    const prefix = moves.slice(0, k)
    if (!chains(prefix, observed)) return null // a longer prefix cannot chain either
    const rest = moves.slice(k)
    const end = rest.length > 0 ? rest[rest.length - 1]!.to : target
    if (end === current && chains(rest, target)) return prefix
  }
  return null
}
