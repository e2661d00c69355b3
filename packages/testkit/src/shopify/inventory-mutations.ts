import { GraphQLError, type GraphQLResolveInfo } from 'graphql'
import { isoSeconds } from './clock.js'
import type { ResolverContext } from './context.js'
import { idempotencyKey, idempotencyRequired, requireIdempotencyKey } from './idempotency.js'
import { gid, parseGid } from './ids.js'
import type { LevelRecord, QuantityName } from './state.js'
import { inventoryItemView, locationView } from './views.js'

/** Reasons Shopify accepts on inventory writes. */
export const INVENTORY_REASONS: ReadonlySet<string> = new Set([
  'correction',
  'cycle_count_available',
  'damaged',
  'movement_created',
  'movement_updated',
  'movement_received',
  'movement_canceled',
  'other',
  'promotion',
  'quality_control',
  'received',
  'reservation_created',
  'reservation_updated',
  'reservation_deleted',
  'restock',
  'safety_stock',
  'shrinkage',
])

const ADJUSTABLE_NAMES: ReadonlySet<string> = new Set([
  'available',
  'on_hand',
  'damaged',
  'incoming',
  'quality_control',
  'reserved',
  'safety_stock',
])

const QUANTITY_LIMIT = 1_000_000_000

interface UserError {
  field: string[] | null
  message: string
  code: string
}

interface ChangeInput {
  inventoryItemId: string
  locationId: string
  delta: number
  changeFromQuantity?: number | null
  ledgerDocumentUri?: string | null
}

interface AdjustInput {
  name: string
  reason: string
  referenceDocumentUri?: string | null
  changes: ChangeInput[]
}

interface QuantityInput {
  inventoryItemId: string
  locationId: string
  quantity: number
  changeFromQuantity?: number | null
}

interface SetInput {
  name: string
  reason: string
  referenceDocumentUri?: string | null
  quantities: QuantityInput[]
}

type Payload = { inventoryAdjustmentGroup: Record<string, unknown> | null; userErrors: UserError[] }

/** Message of a stale compare-and-swap (wording is the fake's; the code is Shopify's). */
export const STALE_MESSAGE =
  'The quantity has changed since it was read: changeFromQuantity does not match the current quantity.'

function failed(userErrors: UserError[]): Payload {
  return { inventoryAdjustmentGroup: null, userErrors }
}

function mismatch(): Payload {
  return failed([
    {
      field: null,
      message: 'The idempotency key was already used with different parameters.',
      code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH',
    },
  ])
}

/** Reads the directive key: required from 2026-04, optional before (then no replay protection). */
function keyFor(info: GraphQLResolveInfo, ctx: ResolverContext): string | undefined {
  return idempotencyRequired(ctx.apiVersion)
    ? requireIdempotencyKey(info, ctx.variables)
    : idempotencyKey(info, ctx.variables)
}

function requireChangeFrom(entries: object[], what: string): void {
  entries.forEach((entry, index) => {
    if (!('changeFromQuantity' in entry)) {
      throw new GraphQLError(
        `${what}[${index}].changeFromQuantity must be provided (an integer to compare, or null to skip the check).`,
        { extensions: { code: 'INVALID_FIELD_ARGUMENTS' } },
      )
    }
  })
}

function resolveLevel(
  ctx: ResolverContext,
  entry: { inventoryItemId: string; locationId: string },
  field: string[],
): { level: LevelRecord } | { error: UserError } {
  const itemId = parseGid(entry.inventoryItemId, 'InventoryItem')
  if (!itemId || !ctx.state.inventoryItems.has(itemId)) {
    return {
      error: {
        field: [...field, 'inventoryItemId'],
        message: 'The specified inventory item could not be found.',
        code: 'INVALID_INVENTORY_ITEM',
      },
    }
  }
  const locationId = parseGid(entry.locationId, 'Location')
  if (!locationId || !ctx.state.locations.has(locationId)) {
    return {
      error: {
        field: [...field, 'locationId'],
        message: 'The specified location could not be found.',
        code: 'INVALID_LOCATION',
      },
    }
  }
  const level = ctx.state.level(itemId, locationId)
  if (!level) {
    return {
      error: {
        field: [...field, 'locationId'],
        message: 'The inventory item is not stocked at the location.',
        code: 'INVALID_LOCATION',
      },
    }
  }
  return { level }
}

function group(
  ctx: ResolverContext,
  input: { reason: string; referenceDocumentUri?: string | null },
  changes: {
    name: string
    delta: number
    after: number
    level: LevelRecord
    ledgerDocumentUri: string | null
  }[],
): Record<string, unknown> {
  return {
    __typename: 'InventoryAdjustmentGroup',
    id: gid('InventoryAdjustmentGroup', ctx.state.ids.next()),
    createdAt: isoSeconds(ctx.state.clock.now()),
    reason: input.reason,
    referenceDocumentUri: input.referenceDocumentUri ?? null,
    app: null,
    staffMember: null,
    changes: changes.map((change) => ({
      name: change.name,
      delta: change.delta,
      quantityAfterChange: change.after,
      ledgerDocumentUri: change.ledgerDocumentUri,
      item: () => {
        const item = ctx.state.inventoryItems.get(change.level.inventoryItemId)
        return item ? inventoryItemView(item, ctx) : null
      },
      location: () => {
        const location = ctx.state.locations.get(change.level.locationId)
        return location ? locationView(location, ctx) : null
      },
    })),
  }
}

function adjust(input: AdjustInput, ctx: ResolverContext): Payload {
  const errors: UserError[] = []
  if (!INVENTORY_REASONS.has(input.reason)) {
    errors.push({
      field: ['input', 'reason'],
      message: 'The specified reason is invalid.',
      code: 'INVALID_REASON',
    })
  }
  if (!ADJUSTABLE_NAMES.has(input.name)) {
    errors.push({
      field: ['input', 'name'],
      message: 'The specified quantity name is invalid.',
      code: 'INVALID_QUANTITY_NAME',
    })
  }
  const planned: { level: LevelRecord; change: ChangeInput }[] = []
  input.changes.forEach((change, index) => {
    const field = ['input', 'changes', String(index)]
    const found = resolveLevel(ctx, change, field)
    if ('error' in found) {
      errors.push(found.error)
      return
    }
    const ledger = change.ledgerDocumentUri ?? null
    if (input.name === 'available' && ledger !== null) {
      errors.push({
        field: [...field, 'ledgerDocumentUri'],
        message: 'A ledger document URI is not allowed for the available quantity.',
        code: 'INVALID_AVAILABLE_DOCUMENT',
      })
    } else if (input.name !== 'available' && ledger === null) {
      errors.push({
        field: [...field, 'ledgerDocumentUri'],
        message: 'A ledger document URI is required for this quantity name.',
        code: 'INVALID_QUANTITY_DOCUMENT',
      })
    } else if (ledger?.startsWith('gid://shopify/')) {
      errors.push({
        field: [...field, 'ledgerDocumentUri'],
        message: 'The ledger document URI must not be a Shopify resource.',
        code: 'INTERNAL_LEDGER_DOCUMENT',
      })
    }
    const current = found.level.quantities[input.name as QuantityName] ?? 0
    if (change.changeFromQuantity != null && change.changeFromQuantity !== current) {
      errors.push({
        field: [...field, 'changeFromQuantity'],
        message: STALE_MESSAGE,
        code: 'CHANGE_FROM_QUANTITY_STALE',
      })
    }
    if (current + change.delta > QUANTITY_LIMIT) {
      errors.push({
        field: [...field, 'delta'],
        message: 'The quantity would be too high.',
        code: 'INVALID_QUANTITY_TOO_HIGH',
      })
    } else if (current + change.delta < -QUANTITY_LIMIT) {
      errors.push({
        field: [...field, 'delta'],
        message: 'The quantity would be too low.',
        code: 'INVALID_QUANTITY_TOO_LOW',
      })
    }
    planned.push({ level: found.level, change })
  })
  if (errors.length > 0) return failed(errors)
  const applied = planned.map(({ level, change }) => ({
    name: input.name,
    delta: change.delta,
    after: ctx.state.adjust(level, input.name as QuantityName, change.delta),
    level,
    ledgerDocumentUri: change.ledgerDocumentUri ?? null,
  }))
  return { inventoryAdjustmentGroup: group(ctx, input, applied), userErrors: [] }
}

function set(input: SetInput, ctx: ResolverContext): Payload {
  const errors: UserError[] = []
  if (!INVENTORY_REASONS.has(input.reason)) {
    errors.push({
      field: ['input', 'reason'],
      message: 'The specified reason is invalid.',
      code: 'INVALID_REASON',
    })
  }
  if (input.name !== 'available' && input.name !== 'on_hand') {
    errors.push({
      field: ['input', 'name'],
      message: "The quantity name must be 'available' or 'on_hand'.",
      code: 'INVALID_NAME',
    })
  }
  const seen = new Set<string>()
  const planned: { level: LevelRecord; quantity: number }[] = []
  input.quantities.forEach((entry, index) => {
    const field = ['input', 'quantities', String(index)]
    const pair = `${entry.inventoryItemId}|${entry.locationId}`
    if (seen.has(pair)) {
      errors.push({
        field,
        message: 'The same inventory item and location pair appears twice.',
        code: 'NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR',
      })
      return
    }
    seen.add(pair)
    const found = resolveLevel(ctx, entry, field)
    if ('error' in found) {
      errors.push(found.error)
      return
    }
    if (entry.quantity > QUANTITY_LIMIT) {
      errors.push({
        field: [...field, 'quantity'],
        message: 'The quantity is too high.',
        code: 'INVALID_QUANTITY_TOO_HIGH',
      })
    } else if (entry.quantity < -QUANTITY_LIMIT) {
      errors.push({
        field: [...field, 'quantity'],
        message: 'The quantity is too low.',
        code: 'INVALID_QUANTITY_TOO_LOW',
      })
    }
    const name = input.name === 'on_hand' ? 'on_hand' : 'available'
    const current = found.level.quantities[name]
    if (entry.changeFromQuantity != null && entry.changeFromQuantity !== current) {
      errors.push({
        field: [...field, 'changeFromQuantity'],
        message: STALE_MESSAGE,
        code: 'CHANGE_FROM_QUANTITY_STALE',
      })
    }
    planned.push({ level: found.level, quantity: entry.quantity })
  })
  if (errors.length > 0) return failed(errors)
  const name = input.name as QuantityName
  const applied = planned.map(({ level, quantity }) => {
    const delta = quantity - level.quantities[name]
    return { name, delta, after: ctx.state.adjust(level, name, delta), level, ledgerDocumentUri: null }
  })
  return { inventoryAdjustmentGroup: group(ctx, input, applied), userErrors: [] }
}

/** `inventoryAdjustQuantities` with `changeFromQuantity` compare-and-swap and `@idempotent`. */
export function inventoryAdjustQuantities(
  args: { input: AdjustInput },
  ctx: ResolverContext,
  info: GraphQLResolveInfo,
): Payload {
  const key = keyFor(info, ctx)
  if (idempotencyRequired(ctx.apiVersion)) requireChangeFrom(args.input.changes, 'input.changes')
  if (key === undefined) return adjust(args.input, ctx)
  return ctx.idempotency.run('inventoryAdjustQuantities', key, args, () => adjust(args.input, ctx), mismatch)
}

/** `inventorySetQuantities` with mandatory `changeFromQuantity` (2026-04+) and `@idempotent`. */
export function inventorySetQuantities(
  args: { input: SetInput },
  ctx: ResolverContext,
  info: GraphQLResolveInfo,
): Payload {
  const key = keyFor(info, ctx)
  if (idempotencyRequired(ctx.apiVersion)) requireChangeFrom(args.input.quantities, 'input.quantities')
  if (key === undefined) return set(args.input, ctx)
  return ctx.idempotency.run('inventorySetQuantities', key, args, () => set(args.input, ctx), mismatch)
}
