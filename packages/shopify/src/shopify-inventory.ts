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
import { INVENTORY_ADJUST_MUTATION, INVENTORY_LEVELS_QUERY } from './shopify-operations.js'

/** Gives the inventory port a client for the connection of an execution context. */
export type ClientForContext = (ctx: ExecutionContext) => ShopifyClient

const levelsSchema = z.object({
  inventoryItem: z
    .object({
      id: z.string(),
      tracked: z.boolean(),
      inventoryLevels: z.object({
        nodes: z.array(
          z.object({
            location: z.object({ id: z.string() }),
            quantities: z.array(z.object({ name: z.string(), quantity: z.number().int() })),
          }),
        ),
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
export function createShopifyInventory(clientFor: ClientForContext): ProviderInventory {
  async function readLevels(ctx: ExecutionContext, externalId: string) {
    if (!isNumericId(externalId)) {
      throw new PermanentError(
        'SHOPIFY_INVENTORY_ITEM_INVALID',
        `not a Shopify inventory item id: ${externalId}`,
      )
    }
    const { data } = await clientFor(ctx).request(INVENTORY_LEVELS_QUERY, {
      variables: { id: toGid('InventoryItem', externalId) },
      schema: levelsSchema,
      signal: ctx.signal,
    })
    if (data.inventoryItem === null) {
      throw new PermanentError('SHOPIFY_INVENTORY_ITEM_NOT_FOUND', `inventory item ${externalId} not found`)
    }
    if (!data.inventoryItem.tracked) {
      throw new PermanentError('SHOPIFY_INVENTORY_NOT_TRACKED', `inventory item ${externalId} is not tracked`)
    }
    return data.inventoryItem.inventoryLevels.nodes.map((level) => ({
      locationId: numericIdOf(level.location.id, 'Location') ?? '',
      available: level.quantities.find((q) => q.name === 'available')?.quantity ?? null,
    }))
  }

  function pickLevel(
    ctx: ExecutionContext,
    externalId: string,
    levels: Awaited<ReturnType<typeof readLevels>>,
  ) {
    const wanted = configuredLocation(ctx)
    const level =
      wanted === null
        ? levels.length === 1
          ? levels[0]
          : undefined
        : levels.find((l) => l.locationId === wanted)
    if (level === undefined) {
      throw new PermanentError(
        wanted === null ? 'SHOPIFY_LOCATION_AMBIGUOUS' : 'SHOPIFY_ITEM_NOT_STOCKED',
        wanted === null
          ? `inventory item ${externalId} is stocked at ${levels.length} locations; set settings.locationId`
          : `inventory item ${externalId} is not stocked at location ${wanted}`,
      )
    }
    if (level.available === null) {
      throw new PermanentError('SHOPIFY_INVENTORY_UNREADABLE', `no available quantity for ${externalId}`)
    }
    return { locationId: level.locationId, available: level.available }
  }

  async function read(ctx: ExecutionContext, externalId: string): Promise<InventoryReading> {
    const level = pickLevel(ctx, externalId, await readLevels(ctx, externalId))
    return { quantity: level.available, token: { locationId: level.locationId } }
  }

  return {
    read,
    async push(ctx, { externalId, observed, target, idempotencyKey }) {
      const delta = target - observed.quantity
      if (delta === 0) return { quantity: observed.quantity }
      const fromToken = tokenSchema.safeParse(observed.token)
      const locationId = fromToken.success
        ? fromToken.data.locationId
        : pickLevel(ctx, externalId, await readLevels(ctx, externalId)).locationId
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
