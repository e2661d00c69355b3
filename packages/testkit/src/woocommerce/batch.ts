import { RestError, restResponse } from './rest-response.js'
import { ALLOW, isObject, objects, phpIntval, type RouteContext } from './route-kit.js'

/** WooCommerce's default `woocommerce_rest_batch_items_limit`. */
const BATCH_LIMIT = 100

/** One item of a batch body. */
export type BatchEntry = Record<string, unknown>

/**
 * Non-transactional batch: creates, then updates, then (forced) deletes, one after the other;
 * errors per item, 200 overall. Operations may be async (a webhook create pings).
 */
export async function batch(
  ctx: RouteContext,
  ops: {
    create: (body: BatchEntry) => unknown
    update: (id: number, body: BatchEntry) => unknown
    remove: (id: number) => unknown
  },
): Promise<Response> {
  const body = ctx.body
  const creates = Array.isArray(body['create']) ? (body['create'] as unknown[]) : null
  const updates = Array.isArray(body['update']) ? objects(body['update']) : null
  const deletes = Array.isArray(body['delete']) ? (body['delete'] as unknown[]) : null
  const count = (creates?.length ?? 0) + (updates?.length ?? 0) + (deletes?.length ?? 0)
  if (count > BATCH_LIMIT) {
    throw new RestError(
      'woocommerce_rest_request_entity_too_large',
      `Unable to accept more than ${BATCH_LIMIT} items for this request.`,
      413,
    ).withAllow(ALLOW.batch)
  }
  const itemError = (id: number, error: unknown): unknown => {
    if (error instanceof RestError) return { id, error: error.toJSON() }
    throw error
  }
  const out: Record<string, unknown[]> = {}
  if (creates) {
    out['create'] = []
    for (const item of creates) {
      try {
        if (!isObject(item)) throw new RestError('rest_invalid_param', 'Invalid parameter(s): create', 400)
        out['create'].push(await ops.create(item))
      } catch (error) {
        out['create'].push(itemError(0, error))
      }
    }
  }
  if (updates) {
    out['update'] = []
    for (const item of updates) {
      const id = phpIntval(item['id'])
      try {
        out['update'].push(await ops.update(id, item))
      } catch (error) {
        out['update'].push(itemError(id, error))
      }
    }
  }
  if (deletes) {
    out['delete'] = []
    for (const raw of deletes) {
      const id = phpIntval(isObject(raw) ? raw['id'] : raw)
      try {
        out['delete'].push(await ops.remove(id))
      } catch (error) {
        out['delete'].push(itemError(id, error))
      }
    }
  }
  // PHP encodes an empty associative array as `[]`, as recorded for an empty batch.
  return restResponse(ctx.origin, 200, Object.keys(out).length === 0 ? [] : out, { allow: ALLOW.batch })
}
