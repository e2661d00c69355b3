import { describe, expect, it } from 'vitest'
import { wooOrderNoteSchema } from '../src/woocommerce-schemas.js'
import {
  decodeMarker,
  encodeMarker,
  ledgerStateOf,
  movementsIn,
  overwritten,
  type StockMovement,
} from '../src/woocommerce-stock-ledger.js'
import { exchange } from './fixtures.js'

const notes = wooOrderNoteSchema
  .array()
  .parse(JSON.parse(exchange('orders/get-order-notes-after-cancel.json').response.body))
const mug = { id: 18, productId: 18, sku: 'FX-MUG' }
const tee = { id: 25, productId: 23, sku: 'FX-TEE-M-RED' }

function moves(...pairs: Array<[number, number]>): StockMovement[] {
  return pairs.map(([from, to], i) => ({ noteId: i + 1, orderId: 1, from, to }))
}

describe('stock notes', () => {
  it('reads the recorded reduction and restoration notes per product, by SKU', () => {
    const none = new Set<number>()
    const all = notes.flatMap((n) => movementsIn(n, mug, none).map((m) => ({ id: n.id, ...m })))
    expect(all).toEqual([
      { id: 8, from: 4, to: 6 },
      { id: 6, from: 6, to: 4 },
    ])
    const variation = notes.flatMap((n) => movementsIn(n, tee, none))
    expect(variation).toEqual([
      { from: 7, to: 8 },
      { from: 8, to: 7 },
    ])
    expect(notes.flatMap((n) => movementsIn(n, { id: 99, productId: 99, sku: null }, none))).toEqual([])
  })

  it('reads SKU-less products by #id and refund restocks by line id', () => {
    const owner = { id: 40, productId: 40, sku: null }
    expect(
      movementsIn({ id: 1, note: 'Stock levels reduced: Cap (#40) 3&rarr;1' }, owner, new Set()),
    ).toEqual([{ from: 3, to: 1 }])
    expect(movementsIn({ id: 2, note: 'Item #7 stock increased from 1 to 2.' }, owner, new Set([7]))).toEqual(
      [{ from: 1, to: 2 }],
    )
    expect(movementsIn({ id: 3, note: 'Item #8 stock increased from 1 to 2.' }, owner, new Set([7]))).toEqual(
      [],
    )
  })
})

describe('overwritten movements', () => {
  it('a sale between the re-read and the write chains from observed: overwritten', () => {
    expect(overwritten(moves([10, 9]), 10, 12, 12)).toHaveLength(1)
    // The sale brought the stock exactly to our target: still overwritten (the stock should be 8).
    expect(overwritten(moves([10, 9]), 10, 9, 9)).toHaveLength(1)
  })

  it('a sale after the write chains from target: shown in the stock, nothing unseen', () => {
    expect(overwritten(moves([12, 11]), 10, 12, 11)).toEqual([])
    expect(overwritten(moves(), 10, 12, 12)).toEqual([])
  })

  it('splits overwritten and later movements by note order', () => {
    const lost = overwritten(moves([10, 9], [9, 8], [12, 11], [11, 13]), 10, 12, 13)
    expect(lost?.map((m) => m.noteId)).toEqual([1, 2])
    // Values repeat across the two chains: the note order decides.
    expect(overwritten(moves([10, 9], [9, 8]), 10, 9, 8)?.map((m) => m.noteId)).toEqual([1])
  })

  it('a stock no split explains (another writer) reports nothing', () => {
    expect(overwritten(moves([10, 9]), 10, 12, 5)).toBeNull()
    expect(overwritten(moves(), 10, 12, 7)).toBeNull()
  })
})

describe('marker and state', () => {
  it('round-trips the marker; a bare key is an older marker without ledger data', () => {
    const marker = { key: 'push:m:v3', observed: 10, target: 9, notes: 41, since: '2026-11-25T11:20:52' }
    expect(decodeMarker(encodeMarker(marker))).toEqual({ key: 'push:m:v3', marker })
    expect(decodeMarker('push:m:v2')).toEqual({ key: 'push:m:v2', marker: null })
    expect(decodeMarker('{"key":"k","observed":"x"}')).toEqual({ key: 'k', marker: null })
    expect(decodeMarker('{broken')).toBeNull()
    expect(decodeMarker(42)).toBeNull()
  })

  it('reads the stored ledger state or nothing', () => {
    expect(ledgerStateOf({ push: 'k', lost: [3, 'x'] })).toEqual({ push: 'k', lost: [3] })
    expect(ledgerStateOf({ push: 1, lost: [] })).toBeNull()
    expect(ledgerStateOf(undefined)).toBeNull()
  })
})
