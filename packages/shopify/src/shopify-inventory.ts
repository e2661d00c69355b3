import { createHash } from 'node:crypto'
import {
  type ExecutionContext,
  type InventoryReading,
  PermanentError,
  type ProviderInventory,
  RetryableError,
  StaleInventoryError,
} from '@hub/core'
import { z } from 'zod'
import { type ShopifyClient, throwOnUserErrors, userErrorsSchema } from './shopify-client.js'
import { ShopifyUserError } from './shopify-errors.js'
import { isNumericId, numericIdOf, toGid } from './shopify-ids.js'
import {
  INVENTORY_ADJUST_MUTATION,
  INVENTORY_LEVEL_QUERY,
  INVENTORY_LEVELS_QUERY,
} from './shopify-operations.js'

/** Gives the inventory port a client for the connection of an execution context. */
export type ClientForContext = (ctx: ExecutionContext) => ShopifyClient

const quantitiesSchema = z.array(z.object({ name: z.string(), quantity: z.number().int() }))
const itemFields = { id: z.string(), tracked: z.boolean() }
const levelSchema = z.object({
  inventoryItem: z
    .object({ ...itemFields, inventoryLevel: z.object({ quantities: quantitiesSchema }).nullable() })
    .nullable(),
})
const levelsSchema = z.object({
  inventoryItem: z
    .object({
      ...itemFields,
      inventoryLevels: z.object({
        nodes: z.array(z.object({ location: z.object({ id: z.string() }), quantities: quantitiesSchema })),
      }),
    })
    .nullable(),
})

const adjustSchema = z.object({
  inventoryAdjustQuantities: z
    .object({
      inventoryAdjustmentGroup: z
        .object({
          changes: z.array(
            z.object({
              name: z.string(),
              quantityAfterChange: z.number().int().nullish(),
              item: z.object({ id: z.string() }).nullish(),
            }),
          ),
        })
        .nullable(),
      userErrors: userErrorsSchema,
    })
    .nullable(),
})

const tokenSchema = z.object({ locationId: z.string().refine(isNumericId) })

/** The location a connection keeps stock at: `settings.locationId` (numeric id or Location GID). */
function configuredLocation(ctx: ExecutionContext): string | null {
  const raw = ctx.connection.settings['locationId']
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return String(raw)
  if (typeof raw !== 'string') return null
  return isNumericId(raw) ? raw : numericIdOf(raw, 'Location')
}

/**
 * The Shopify side of the core's inventory reconcile: fresh reads of `available` at the
 * connection's location, and deltas through `inventoryAdjustQuantities` with
 * `changeFromQuantity` (compare-and-swap) and `@idempotent`. A stale compare throws the core's
 * `StaleInventoryError`, so the reconcile re-reads and recomputes; it never retries blindly.
 */
/** `available` out of a level's quantities; Shopify always returns the names asked for. */
function available(quantities: z.infer<typeof quantitiesSchema>, externalId: string): number {
  const quantity = quantities.find((q) => q.name === 'available')?.quantity
  if (quantity === undefined) {
    throw new PermanentError('SHOPIFY_INVENTORY_UNREADABLE', `no available quantity for ${externalId}`)
  }
  return quantity
}

function checkItem(item: { tracked: boolean } | null, externalId: string): void {
  if (item === null) {
    throw new PermanentError('SHOPIFY_INVENTORY_ITEM_NOT_FOUND', `inventory item ${externalId} not found`)
  }
  if (!item.tracked) {
    throw new PermanentError('SHOPIFY_INVENTORY_NOT_TRACKED', `inventory item ${externalId} is not tracked`)
  }
}

/**
 * The Shopify side of the core's inventory reconcile: fresh reads of `available` at the
 * connection's location, and deltas through `inventoryAdjustQuantities` with
 * `changeFromQuantity` (compare-and-swap) and `@idempotent`. A stale compare throws the core's
 * `StaleInventoryError`, so the reconcile re-reads and recomputes; it never retries blindly.
 *
 * The location is `settings.locationId` of the connection; without it, an item stocked at exactly
 * one location uses that one (remembered per item, so later reads are the cheap one-level query).
 */
export function createShopifyInventory(clientFor: ClientForContext): ProviderInventory {
  const discovered = new Map<string, string>()
  const memoKey = (ctx: ExecutionContext, externalId: string) => `${ctx.connection.id}:${externalId}`

  function requireItemId(externalId: string): void {
    if (!isNumericId(externalId)) {
      throw new PermanentError(
        'SHOPIFY_INVENTORY_ITEM_INVALID',
        `not a Shopify inventory item id: ${externalId}`,
      )
    }
  }

  /** Read every level (first 10) to find the one location the item is stocked at. */
  async function readDiscovering(ctx: ExecutionContext, externalId: string) {
    const { data } = await clientFor(ctx).request(INVENTORY_LEVELS_QUERY, {
      variables: { id: toGid('InventoryItem', externalId) },
      schema: levelsSchema,
      signal: ctx.signal,
    })
    checkItem(data.inventoryItem, externalId)
    const levels = data.inventoryItem?.inventoryLevels.nodes ?? []
    const level = levels.length === 1 ? levels[0] : undefined
    const locationId = level ? numericIdOf(level.location.id, 'Location') : null
    if (!level || locationId === null) {
      throw new PermanentError(
        'SHOPIFY_LOCATION_AMBIGUOUS',
        `inventory item ${externalId} is stocked at ${levels.length} locations; set settings.locationId`,
      )
    }
    discovered.set(memoKey(ctx, externalId), locationId)
    return { locationId, quantity: available(level.quantities, externalId) }
  }

  async function readAt(ctx: ExecutionContext, externalId: string, locationId: string) {
    const { data } = await clientFor(ctx).request(INVENTORY_LEVEL_QUERY, {
      variables: { id: toGid('InventoryItem', externalId), locationId: toGid('Location', locationId) },
      schema: levelSchema,
      signal: ctx.signal,
    })
    checkItem(data.inventoryItem, externalId)
    const level = data.inventoryItem?.inventoryLevel
    if (!level) {
      throw new PermanentError(
        'SHOPIFY_ITEM_NOT_STOCKED',
        `inventory item ${externalId} is not stocked at ${locationId}`,
      )
    }
    return { locationId, quantity: available(level.quantities, externalId) }
  }

  async function readLevel(ctx: ExecutionContext, externalId: string) {
    requireItemId(externalId)
    const locationId = configuredLocation(ctx) ?? discovered.get(memoKey(ctx, externalId))
    return locationId === undefined ? readDiscovering(ctx, externalId) : readAt(ctx, externalId, locationId)
  }

  async function read(ctx: ExecutionContext, externalId: string): Promise<InventoryReading> {
    const level = await readLevel(ctx, externalId)
    return { quantity: level.quantity, token: { locationId: level.locationId } }
  }

  return {
    read,
    async push(ctx, { externalId, observed, target, idempotencyKey }) {
      requireItemId(externalId)
      const delta = target - observed.quantity
      if (delta === 0) return { quantity: observed.quantity }
      const fromToken = tokenSchema.safeParse(observed.token)
      const locationId = fromToken.success
        ? fromToken.data.locationId
        : (await readLevel(ctx, externalId)).locationId
      // Same logical write → same key and same variables: a retry gets Shopify's original answer.
      const key = createHash('sha256')
        .update(JSON.stringify([idempotencyKey, externalId, locationId, observed.quantity, target]))
        .digest('hex')
      const { data } = await clientFor(ctx).request(INVENTORY_ADJUST_MUTATION, {
        variables: {
          idempotencyKey: key,
          input: {
            name: 'available',
            reason: 'correction',
            referenceDocumentUri: `gid://commerce-hub/SyncItem/${encodeURIComponent(ctx.item.id)}`,
            changes: [
              {
                inventoryItemId: toGid('InventoryItem', externalId),
                locationId: toGid('Location', locationId),
                delta,
                changeFromQuantity: observed.quantity,
              },
            ],
          },
        },
        schema: adjustSchema,
        signal: ctx.signal,
      })
      const payload = data.inventoryAdjustQuantities
      if (payload === null)
        throw new RetryableError('SHOPIFY_RESPONSE_INVALID', 'inventoryAdjustQuantities returned null')
      try {
        throwOnUserErrors('inventoryAdjustQuantities', payload.userErrors)
      } catch (error) {
        if (!(error instanceof ShopifyUserError)) throw error
        if (error.code === 'CHANGE_FROM_QUANTITY_STALE')
          throw new StaleInventoryError(error.message, { cause: error })
        if (error.code === 'IDEMPOTENCY_CONCURRENT_REQUEST') {
          throw new RetryableError(error.code, error.message, { retryAfterMs: 1000, cause: error })
        }
        throw error
      }
      const after = payload.inventoryAdjustmentGroup?.changes.find(
        (c) => c.name === 'available',
      )?.quantityAfterChange
      return { quantity: after ?? target }
    },
  }
}
