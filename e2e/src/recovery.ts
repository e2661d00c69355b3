import type { SyncItem, Worker } from '@hub/core'
import { WOO_ORDERS_POLL } from '@hub/woocommerce'
import { drainUntilQuiet } from './drain.js'
import type { World } from './world.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * After the traffic: what a deployment runs to catch up. Faults stop; the surviving workers stop
 * gracefully (the killed one stays dead: its leases expire); every delivery still on its way
 * arrives; WooCommerce's orders are polled by `modified_after` (it never retries a lost
 * delivery); then the periodic reconcile sweep runs on every connection; workers drain until
 * quiet, reaping the dead worker's leases. Returns the items still open (empty when quiet).
 */
export async function recover(world: World, survivors: Worker[], deadlineMs: number): Promise<SyncItem[]> {
  const { hub, scope, shopify, woo } = world
  const deadline = Date.now() + deadlineMs
  shopify.setWebhookChaos({})
  woo.setFaults({})
  world.wooDeliveries.setMaxDelay(0)
  shopify.faults.failNext(0)
  shopify.faults.loseNextResponses(0)
  woo.failNext(0)
  world.httpFaults.wooLostResponses = 0
  await Promise.all(survivors.map((w) => w.stop({ timeoutMs: 2_000 })))

  // Deliveries still delayed by the stores arrive (Shopify's duplicates may trail by ~1 s).
  while (shopify.webhooks.pending().length > 0 && Date.now() < deadline) {
    await world.flushWebhooks()
    await sleep(50)
  }
  await world.flushWebhooks()
  await world.wooDeliveries.deliverAll()

  const settle = () =>
    drainUntilQuiet({
      hub,
      scope,
      leaseMs: world.leaseMs,
      flush: world.flushWebhooks,
      deadlineMs: Math.max(1_000, deadline - Date.now()),
    })
  await settle()
  await hub.enqueue(scope, world.wooConnectionId, 'reconcile', [
    { operation: WOO_ORDERS_POLL, idempotencyKey: `orders.poll:final:${world.seed}`, entityType: 'order' },
  ])
  await settle()
  for (const connectionId of [world.shopifyConnectionId, world.wooConnectionId]) {
    await hub.inventory.reconcileConnection(scope, connectionId, `final:${world.seed}`)
  }
  return settle()
}
