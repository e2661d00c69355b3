import { describe, expect, it } from 'vitest'
import { wooOrderNoteSchema } from '../src/woocommerce-schemas.js'
import {
  decodeMarker,
  encodeMarker,
  explainStock,
  ledgerStateOf,
  movedBy,
  movementsIn,
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

describe('explaining the stock from the uncounted movements', () => {
  const push = (target: number, notes = 0) => ({ kind: 'push' as const, target, notes })
  const reading = (stock: number) => ({ kind: 'reading' as const, stock })

  it('counts every movement by note, shown in the stock or overwritten by our write', () => {
    expect(movedBy(moves([10, 9], [9, 7], [12, 13]))).toBe(-2)
    expect(movedBy(moves())).toBe(0)
  })

  it('from a reading: the movements chain from its stock to the stock read', () => {
    expect(explainStock(reading(10), moves([10, 9], [9, 7]), 7)).toEqual({ fits: true, expected: 7 })
    expect(explainStock(reading(10), moves(), 10)).toEqual({ fits: true, expected: 10 })
    // A movement the scan has not seen (landed between the scan and the read), or a manual edit.
    expect(explainStock(reading(10), moves([10, 9]), 8)).toEqual({ fits: false, expected: 9 })
  })

  it('from a push: a sale before its write is overwritten, one after it shows', () => {
    // Overwritten (the stock is our target), shown (it chains from the target), or both.
    expect(explainStock(push(12), moves([10, 9]), 12).fits).toBe(true)
    expect(explainStock(push(12), moves([12, 11]), 11).fits).toBe(true)
    expect(explainStock(push(12), moves([10, 9], [9, 8], [12, 11], [11, 13]), 13).fits).toBe(true)
    // The sale brought the stock exactly to our target before the write: overwritten, fits.
    expect(explainStock(push(9), moves([10, 9]), 9).fits).toBe(true)
  })

  it('from a push: only movements after its watermark can show', () => {
    expect(explainStock(push(9, 1), moves([9, 8]), 8)).toEqual({ fits: false, expected: 9 })
    expect(explainStock(push(9, 0), moves([9, 8]), 8)).toEqual({ fits: true, expected: 8 })
  })

  it('a stock no movement explains (another writer) does not fit; expected follows the orders', () => {
    expect(explainStock(push(12), moves([10, 9]), 5)).toEqual({ fits: false, expected: 12 })
    expect(explainStock(push(12), moves([12, 11]), 7)).toEqual({ fits: false, expected: 11 })
    expect(explainStock(push(12), moves(), 7)).toEqual({ fits: false, expected: 12 })
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

  it('reads the stored ledger state or nothing (an older state without a cursor is none)', () => {
    const state = { notes: 7, stock: 9, push: 'k', since: '2026-11-25T11:20:52', counted: [6, 'x', 7] }
    expect(ledgerStateOf(state)).toEqual({ ...state, counted: [6, 7] })
    expect(ledgerStateOf({ ...state, push: null })).toEqual({ ...state, push: null, counted: [6, 7] })
    expect(ledgerStateOf({ push: 'k', lost: [3] })).toBeNull()
    expect(ledgerStateOf({ ...state, since: 'yesterday' })).toBeNull()
    expect(ledgerStateOf({ ...state, notes: 1.5 })).toBeNull()
    expect(ledgerStateOf(undefined)).toBeNull()
  })
})
