import { expect, it } from 'vitest'
import { runQuickstart } from '../src/run-quickstart.js'

it('the quickstart converges every side to initial − all units sold', async () => {
  const report = await runQuickstart()
  // mug: 20 − 3 (store A) − 1 (marketplace); tee: 20 − 2 (store B)
  expect(report.rows).toEqual([
    { sku: 'mug', marketplace: 16, storeA: 16, storeB: 16 },
    { sku: 'tee', marketplace: 18, storeA: 18, storeB: 18 },
  ])
  expect(report.webhookStatuses).toEqual([200, 200, 200, 401])
  expect(Object.keys(report.items).sort()).toEqual(['succeeded'])
})
