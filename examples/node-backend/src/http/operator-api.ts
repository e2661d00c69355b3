import { randomUUID } from 'node:crypto'
import {
  type Connection,
  conflictStatusSchema,
  type Hub,
  itemStatusSchema,
  NotFoundError,
  runKindSchema,
  type Scope,
  webhookEventStatusSchema,
} from '@hub/core'
import type { HostActions } from '../host-actions.js'
import type { SqlMarketplace } from '../marketplace/index.js'
import { HttpError } from './http-json.js'
import { enumListParam, enumParam, limitParam, oneOf, textParam } from './query-params.js'
import { createRouter, type Params, type Router } from './router.js'

/** One operator request, already scoped to the seller the caller acts for. */
export interface OperatorRequest {
  scope: Scope
  params: Params
  query: URLSearchParams
  body(): Promise<Record<string, unknown>>
}

/** An operator endpoint: returns the JSON body of a 200 answer, or throws a typed error. */
export type OperatorHandler = (request: OperatorRequest) => Promise<unknown>

/** What the operator API works on. */
export interface OperatorDeps {
  hub: Hub
  marketplace: SqlMarketplace
  actions: HostActions
}

/** A connection as the API shows it: never the (encrypted) credentials, only whether there are any. */
export function connectionView(connection: Connection) {
  const { credentials, ...rest } = connection
  return { ...rest, hasCredentials: credentials !== null }
}

const requestStatus = oneOf(['pending', 'approved', 'rejected'] as const)

/**
 * The operator endpoints (all JSON, all under `/api`, all scoped to the caller's seller):
 * connections, runs, items by status, dead letters, conflicts, webhook events; replay of an
 * item, a run or a connection's dead items; conflict resolution; product-request review;
 * marketplace stock and sales.
 */
export function operatorRoutes({ hub, marketplace, actions }: OperatorDeps): Router<OperatorHandler> {
  const router = createRouter<OperatorHandler>()
  const get = (pattern: string, handler: OperatorHandler) => router.add('GET', pattern, handler)
  const post = (pattern: string, handler: OperatorHandler) => router.add('POST', pattern, handler)

  get('/api/connections', async ({ scope }) => ({
    connections: (await hub.connections.list(scope)).map(connectionView),
  }))
  get('/api/connections/:id', async ({ scope, params }) => {
    const connection = await hub.connections.get(scope, params.id!)
    if (!connection) throw new NotFoundError('connection', params.id!)
    return { connection: connectionView(connection) }
  })
  post('/api/connections/:id/replay-dead', async ({ scope, params }) => ({
    items: await hub.replay.deadItems(scope, params.id!),
  }))
  post('/api/connections/:id/reconcile', async ({ scope, params, body }) => {
    const { sweepId } = await body()
    const id = typeof sweepId === 'string' && sweepId ? sweepId : randomUUID()
    return { sweepId: id, items: await hub.inventory.reconcileConnection(scope, params.id!, id) }
  })

  get('/api/runs', async ({ scope, query }) => ({
    runs: await hub.store.listRuns(scope, {
      ...optional('connectionId', textParam(query, 'connectionId')),
      ...optional('kind', enumParam(query, 'kind', runKindSchema)),
      ...optional('limit', limitParam(query)),
    }),
  }))
  get('/api/runs/:id', async ({ scope, params }) => {
    const run = await hub.store.getRun(scope, params.id!)
    if (!run) throw new NotFoundError('run', params.id!)
    return { run, items: await hub.store.listItems(scope, { runId: run.id, limit: 500 }) }
  })
  post('/api/runs/:id/replay', async ({ scope, params }) => {
    if (!(await hub.store.getRun(scope, params.id!))) throw new NotFoundError('run', params.id!)
    return { items: await hub.replay.run(scope, params.id!) }
  })

  get('/api/items', async ({ scope, query }) => ({
    items: await hub.store.listItems(scope, {
      ...optional('status', enumListParam(query, 'status', itemStatusSchema)),
      ...optional('connectionId', textParam(query, 'connectionId')),
      ...optional('runId', textParam(query, 'runId')),
      ...optional('operation', textParam(query, 'operation')),
      ...optional('after', textParam(query, 'after')),
      limit: limitParam(query) ?? 100,
    }),
  }))
  get('/api/items/:id', async ({ scope, params }) => {
    const item = await hub.store.getItem(scope, params.id!)
    if (!item) throw new NotFoundError('item', params.id!)
    return { item, attempts: await hub.store.listAttempts(scope, item.id) }
  })
  post('/api/items/:id/replay', async ({ scope, params }) => {
    if (!(await hub.store.getItem(scope, params.id!))) throw new NotFoundError('item', params.id!)
    return { items: await hub.replay.item(scope, params.id!) }
  })
  get('/api/dead-letters', async ({ scope, query }) => ({
    items: await hub.store.listItems(scope, {
      status: 'dead',
      ...optional('connectionId', textParam(query, 'connectionId')),
      limit: limitParam(query) ?? 100,
    }),
  }))

  get('/api/conflicts', async ({ scope, query }) => ({
    conflicts: await hub.catalog.conflicts(scope, {
      ...optional('status', enumParam(query, 'status', conflictStatusSchema)),
      ...optional('connectionId', textParam(query, 'connectionId')),
    }),
  }))
  post('/api/conflicts/:id/resolve', async ({ scope, params, body }) => {
    const { decision } = await body()
    if (decision !== 'accepted' && decision !== 'rejected') {
      throw new HttpError(400, 'BODY_INVALID', 'decision must be "accepted" or "rejected"')
    }
    return { conflict: await hub.catalog.resolveConflict(scope, params.id!, decision) }
  })

  get('/api/webhook-events', async ({ scope, query }) => ({
    events: await hub.store.listWebhookEvents(scope, {
      ...optional('connectionId', textParam(query, 'connectionId')),
      ...optional('status', enumParam(query, 'status', webhookEventStatusSchema)),
      ...optional('limit', limitParam(query)),
    }),
  }))

  get('/api/product-requests', async ({ scope, query }) => ({
    requests: await marketplace.listRequests(scope, {
      ...optional('status', enumParam(query, 'status', requestStatus)),
      ...optional('limit', limitParam(query)),
    }),
  }))
  post('/api/product-requests/:ref/approve', async ({ scope, params }) =>
    actions.approveRequest(scope, params.ref!),
  )
  post('/api/product-requests/:ref/reject', async ({ scope, params, body }) => {
    const { reason } = await body()
    return {
      request: await actions.rejectRequest(scope, params.ref!, typeof reason === 'string' ? reason : null),
    }
  })

  get('/api/products/:id', async ({ scope, params }) => {
    const product = await marketplace.getProduct(scope, params.id!)
    if (!product) throw new NotFoundError('product', params.id!)
    return { product }
  })
  get('/api/inventory/:id', async ({ scope, params }) => {
    const item = await marketplace.getInventoryItem(scope, params.id!)
    if (!item) throw new NotFoundError('inventory item', params.id!)
    return { inventoryItem: item, ledger: await marketplace.ledger(scope, item.id) }
  })
  post('/api/inventory/:id/sales', async ({ scope, params, body }) => {
    const { quantity, orderId } = await body()
    if (typeof quantity !== 'number' || typeof orderId !== 'string') {
      throw new HttpError(400, 'BODY_INVALID', 'a sale needs { quantity: number, orderId: string }')
    }
    return actions.sell(scope, { inventoryItemId: params.id!, quantity, orderId })
  })

  post('/api/sweep', async ({ scope }) => hub.sweep(scope))
  return router
}

/** `{ [key]: value }` when the value is set, else `{}` (keeps filters free of `undefined`). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V })
}
