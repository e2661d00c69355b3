import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  createHub,
  createKeyring,
  memoryMarketplace,
  memoryStore,
  normalizedProductSchema,
  toNodeHandler,
} from '@hub/core'
import { ToyStore, toyStoreProvider } from './toy-store-provider.js'

/** What the quickstart observed, for the report and the test. */
export interface QuickstartReport {
  rows: Array<{ sku: string; marketplace: number; storeA: number; storeB: number }>
  items: Record<string, number>
  webhookStatuses: number[]
  ms: number
}

/**
 * One seller, two external stores, one marketplace: import two products as requests, approve
 * them, then sell on every side (with a duplicated webhook and one rejected forgery) and let the
 * worker bring every side to the same quantities.
 */
export async function runQuickstart(log: (line: string) => void = () => {}): Promise<QuickstartReport> {
  const started = performance.now()
  const stores = new Map([
    ['a.toy.test', new ToyStore('a.toy.test', 'whsec_a_' + randomBytes(8).toString('hex'))],
    ['b.toy.test', new ToyStore('b.toy.test', 'whsec_b_' + randomBytes(8).toString('hex'))],
  ])
  const marketplace = memoryMarketplace()
  const hub = createHub({
    store: memoryStore(),
    providers: [toyStoreProvider(stores)],
    marketplace,
    keyring: createKeyring({ keys: { demo: randomBytes(32) }, currentKeyId: 'demo' }),
  })
  const scope = { sellerId: 'seller_1' }
  const connections = []
  for (const store of stores.values()) {
    connections.push(
      await hub.connections.create({
        ...scope,
        provider: 'toy',
        externalAccountId: store.domain,
        credentials: { webhookSecret: store.webhookSecret },
      }),
    )
  }
  const [a, b] = [stores.get('a.toy.test')!, stores.get('b.toy.test')!]
  const skus = ['mug', 'tee']
  for (const sku of skus) {
    a.stock.set(`a-${sku}`, 20)
    b.stock.set(`b-${sku}`, 20)
  }

  log('importing 2 products from store A as product requests…')
  await hub.enqueue(
    scope,
    connections[0]!.id,
    'import',
    skus.map((sku) => ({
      operation: 'catalog.submit',
      idempotencyKey: `import:${sku}`,
      entityType: 'product',
      externalId: sku,
      payload: JSON.parse(
        JSON.stringify(
          normalizedProductSchema.parse({
            externalId: sku,
            title: sku === 'mug' ? 'Enamel mug' : 'Cotton tee',
            variants: [
              {
                externalId: `${sku}-1`,
                inventoryItemId: `a-${sku}`,
                sku,
                title: 'Default',
                price: '12.00',
                quantity: 20,
              },
            ],
          }),
        ),
      ),
    })),
  )
  const worker = hub.worker({ concurrency: 4, pollMs: 50 })
  await worker.drain()
  log('approving the requests (an admin would do this in the marketplace)…')
  const internalBySku = new Map<string, string>()
  for (const product of marketplace.products(scope)) {
    const approval = marketplace.approve(scope, product.ref)
    await hub.catalog.approve(scope, approval)
    const sku = product.product.externalId
    internalBySku.set(sku, approval.inventoryItems[`a-${sku}`]!)
    // Store B sells the same SKU: link it to the same marketplace item.
    await hub.store.upsertMapping(scope, {
      connectionId: connections[1]!.id,
      entityType: 'inventory_item',
      externalId: `b-${sku}`,
      internalId: approval.inventoryItems[`a-${sku}`]!,
      status: 'linked',
      baseline: 20,
    })
  }
  await worker.drain()

  const server = createServer(toNodeHandler(hub.webhooks))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/toy`
  const webhookStatuses: number[] = []
  const deliver = async (store: ToyStore, eventId: string, item: string, signature?: string) => {
    const body = JSON.stringify({ eventId, item })
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'x-toy-store': store.domain, 'x-toy-signature': signature ?? store.sign(body) },
      body,
    })
    webhookStatuses.push(res.status)
  }
  await worker.start()
  try {
    log('selling: 3 mugs on store A (webhook delivered twice), 2 tees on store B, 1 mug on the marketplace…')
    a.sell('a-mug', 3)
    await deliver(a, 'evt-1', 'a-mug')
    await deliver(a, 'evt-1', 'a-mug')
    b.sell('b-tee', 2)
    await deliver(b, 'evt-2', 'b-tee')
    marketplace.sell(scope, internalBySku.get('mug')!, 1)
    await hub.inventory.marketplaceChanged(scope, internalBySku.get('mug')!, 'order-1001')
    log('a forged webhook is refused…')
    await deliver(a, 'evt-forged', 'a-mug', 'Zm9yZ2Vk')
    for (let i = 0; i < 400; i++) {
      const open = await hub.store.listItems(scope, { status: ['pending', 'running', 'failed'] })
      if (open.length === 0) break
      await new Promise((r) => setTimeout(r, 10))
    }
  } finally {
    await worker.stop()
    await new Promise((resolve) => server.close(resolve))
  }

  const items: Record<string, number> = {}
  for (const item of await hub.store.listItems(scope)) items[item.status] = (items[item.status] ?? 0) + 1
  const rows = skus.map((sku) => ({
    sku,
    marketplace: marketplace.quantity(scope, internalBySku.get(sku)!),
    storeA: a.stock.get(`a-${sku}`)!,
    storeB: b.stock.get(`b-${sku}`)!,
  }))
  await hub.close()
  return { rows, items, webhookStatuses, ms: Math.round(performance.now() - started) }
}
