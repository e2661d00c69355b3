import { describe, expect, it } from 'vitest'
import type { SqlExecutor } from '../src/driver.js'
import { wakeSignal } from '../src/store/wake-signal.js'

/** An executor whose queries stay in flight until the test settles them. */
function heldExecutor() {
  const sent: Array<{ text: string; params: readonly unknown[] | undefined; settle: (ok: boolean) => void }> =
    []
  const db: SqlExecutor = {
    query: <R extends object>(text: string, params?: readonly unknown[]) =>
      new Promise<R[]>((resolve, reject) => {
        sent.push({ text, params, settle: (ok) => (ok ? resolve([]) : reject(new Error('connection lost'))) })
      }),
    exec: async () => {},
  }
  return { db, sent }
}

const tick = () => new Promise((r) => setTimeout(r, 0))

describe('wakeSignal', () => {
  it('wakes local listeners at once and folds calls made during a NOTIFY into one more', async () => {
    const { db, sent } = heldExecutor()
    let local = 0
    const wake = wakeSignal(db, 'hub_wake', () => local++)
    wake()
    wake()
    wake()
    expect(local).toBe(3)
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatchObject({ text: "SELECT pg_notify($1, '')", params: ['hub_wake'] })
    sent[0]!.settle(true)
    await tick()
    // The two calls made while the first NOTIFY was in flight: one more, started after it.
    expect(sent).toHaveLength(2)
    sent[1]!.settle(true)
    await tick()
    expect(sent).toHaveLength(2)
    wake()
    expect(sent).toHaveLength(3)
  })

  it('drops a failed NOTIFY without throwing and keeps signalling', async () => {
    const { db, sent } = heldExecutor()
    const wake = wakeSignal(db, 'hub_wake', () => {})
    wake()
    sent[0]!.settle(false)
    await tick()
    wake()
    expect(sent).toHaveLength(2)
  })
})
