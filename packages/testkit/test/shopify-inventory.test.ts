import { describe, expect, test } from 'vitest'
import { IDEMPOTENT_REQUIRED_MESSAGE } from '../src/shopify/index.js'
import { gql, setup } from './shopify-helpers.js'

const ADJUST = `mutation Adjust($input: InventoryAdjustQuantitiesInput!, $key: String!) {
  inventoryAdjustQuantities(input: $input) @idempotent(key: $key) {
    inventoryAdjustmentGroup { id reason changes { name delta quantityAfterChange item { id } location { id } } }
    userErrors { field message code }
  }
}`

const SET = `mutation Set($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) @idempotent(key: "set-1") {
    inventoryAdjustmentGroup { changes { name delta quantityAfterChange } }
    userErrors { field message code }
  }
}`

function shop(available = 10) {
  const ctx = setup()
  const [product] = ctx.fake.seedProducts(1, 1, { available })
  const variant = ctx.fake.state.variants.get(product?.variantIds[0] ?? '')
  const itemGid = `gid://shopify/InventoryItem/${variant?.inventoryItemId}`
  const locationGid = `gid://shopify/Location/${ctx.fake.state.defaultLocationId}`
  return { ...ctx, itemGid, locationGid }
}

function adjustInput(itemGid: string, locationGid: string, delta: number, changeFromQuantity: number | null) {
  return {
    name: 'available',
    reason: 'correction',
    changes: [{ inventoryItemId: itemGid, locationId: locationGid, delta, changeFromQuantity }],
  }
}

describe('fake Shopify inventory writes: compare-and-swap', () => {
  test('a delta with the right changeFromQuantity applies', async () => {
    const { fake, token, itemGid, locationGid } = shop(10)
    const r = await gql(fake, token, ADJUST, { input: adjustInput(itemGid, locationGid, -3, 10), key: 'k1' })
    const payload = r.body.data.inventoryAdjustQuantities
    expect(payload.userErrors).toEqual([])
    expect(payload.inventoryAdjustmentGroup.changes).toEqual([
      {
        name: 'available',
        delta: -3,
        quantityAfterChange: 7,
        item: { id: itemGid },
        location: { id: locationGid },
      },
    ])
    expect(fake.getAvailable(itemGid)).toBe(7)
    expect(fake.getQuantities(itemGid).on_hand).toBe(7)
  })

  test('a stale changeFromQuantity answers CHANGE_FROM_QUANTITY_STALE and changes nothing', async () => {
    const { fake, token, itemGid, locationGid } = shop(10)
    fake.setAvailable(itemGid, 8) // a sale nobody told us about
    const r = await gql(fake, token, ADJUST, { input: adjustInput(itemGid, locationGid, -3, 10), key: 'k2' })
    const payload = r.body.data.inventoryAdjustQuantities
    expect(payload.inventoryAdjustmentGroup).toBeNull()
    expect(payload.userErrors).toEqual([
      {
        field: ['input', 'changes', '0', 'changeFromQuantity'],
        message: expect.any(String),
        code: 'CHANGE_FROM_QUANTITY_STALE',
      },
    ])
    expect(fake.getAvailable(itemGid)).toBe(8)
  })

  test('changeFromQuantity: null skips the check; leaving it out is INVALID_FIELD_ARGUMENTS', async () => {
    const { fake, token, itemGid, locationGid } = shop(10)
    const skip = await gql(fake, token, ADJUST, {
      input: adjustInput(itemGid, locationGid, 2, null),
      key: 'k3',
    })
    expect(skip.body.data.inventoryAdjustQuantities.userErrors).toEqual([])
    expect(fake.getAvailable(itemGid)).toBe(12)
    const input = {
      name: 'available',
      reason: 'correction',
      changes: [{ inventoryItemId: itemGid, locationId: locationGid, delta: 1 }],
    }
    const omitted = await gql(fake, token, ADJUST, { input, key: 'k4' })
    expect(omitted.body.errors[0].extensions.code).toBe('INVALID_FIELD_ARGUMENTS')
    expect(omitted.body.data.inventoryAdjustQuantities).toBeNull()
    expect(fake.getAvailable(itemGid)).toBe(12)
  })

  test('inventorySetQuantities sets absolutely, with CAS', async () => {
    const { fake, token, itemGid, locationGid } = shop(10)
    const stale = await gql(fake, token, SET, {
      input: {
        name: 'available',
        reason: 'correction',
        quantities: [
          { inventoryItemId: itemGid, locationId: locationGid, quantity: 4, changeFromQuantity: 9 },
        ],
      },
    })
    expect(stale.body.data.inventorySetQuantities.userErrors[0].code).toBe('CHANGE_FROM_QUANTITY_STALE')
    const { fake: fake2, token: token2, itemGid: item2, locationGid: loc2 } = shop(10)
    const ok = await gql(fake2, token2, SET, {
      input: {
        name: 'available',
        reason: 'correction',
        quantities: [{ inventoryItemId: item2, locationId: loc2, quantity: 4, changeFromQuantity: 10 }],
      },
    })
    expect(ok.body.data.inventorySetQuantities.inventoryAdjustmentGroup.changes).toEqual([
      { name: 'available', delta: -6, quantityAfterChange: 4 },
    ])
    expect(fake2.getAvailable(item2)).toBe(4)
  })

  test('an item not stocked at the location is refused until activated', async () => {
    const { fake, token, itemGid } = shop(10)
    const second = `gid://shopify/Location/${fake.addLocation('Second')}`
    const r = await gql(fake, token, ADJUST, { input: adjustInput(itemGid, second, 5, null), key: 'k6' })
    expect(r.body.data.inventoryAdjustQuantities.userErrors).toEqual([
      {
        field: ['input', 'changes', '0', 'locationId'],
        message: expect.any(String),
        code: 'INVALID_LOCATION',
      },
    ])
    await gql(
      fake,
      token,
      'mutation($i: ID!, $l: ID!) { inventoryActivate(inventoryItemId: $i, locationId: $l) { inventoryLevel { id } } }',
      {
        i: itemGid,
        l: second,
      },
    )
    const ok = await gql(fake, token, ADJUST, { input: adjustInput(itemGid, second, 5, 0), key: 'k7' })
    expect(ok.body.data.inventoryAdjustQuantities.userErrors).toEqual([])
    expect(fake.getAvailable(itemGid, second)).toBe(5)
    expect(fake.getAvailable(itemGid)).toBe(10)
  })

  test('unknown items and bad reasons are userErrors with Shopify codes', async () => {
    const { fake, token, locationGid } = shop(10)
    const input = { ...adjustInput('gid://shopify/InventoryItem/1', locationGid, 1, null), reason: 'because' }
    const r = await gql(fake, token, ADJUST, { input, key: 'k5' })
    expect(r.body.data.inventoryAdjustQuantities.userErrors.map((e: { code: string }) => e.code)).toEqual([
      'INVALID_REASON',
      'INVALID_INVENTORY_ITEM',
    ])
  })
})

describe('fake Shopify inventory writes: @idempotent (2026-04+ rules)', () => {
  test('missing directive → BAD_REQUEST with Shopify’s text, nothing applied', async () => {
    const { fake, token, itemGid, locationGid } = shop(10)
    const r = await gql(
      fake,
      token,
      'mutation($input: InventoryAdjustQuantitiesInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code } } }',
      { input: adjustInput(itemGid, locationGid, -1, 10) },
    )
    expect(r.status).toBe(200)
    expect(r.body.errors).toEqual([
      expect.objectContaining({
        message: IDEMPOTENT_REQUIRED_MESSAGE,
        path: ['inventoryAdjustQuantities'],
        extensions: { code: 'BAD_REQUEST' },
      }),
    ])
    expect(IDEMPOTENT_REQUIRED_MESSAGE).toBe(
      'The @idempotent directive is required for this mutation but was not provided.',
    )
    expect(fake.getAvailable(itemGid)).toBe(10)
  })

  test('same key + same variables → the original result, applied once', async () => {
    const { fake, token, itemGid, locationGid } = shop(10)
    const vars = { input: adjustInput(itemGid, locationGid, -2, 10), key: 'order-77-line-1' }
    const first = await gql(fake, token, ADJUST, vars)
    const second = await gql(fake, token, ADJUST, vars)
    expect(second.body.data).toEqual(first.body.data)
    expect(second.body.data.inventoryAdjustQuantities.userErrors).toEqual([])
    expect(fake.getAvailable(itemGid)).toBe(8)
    expect(fake.idempotency.replays).toBe(1)
  })

  test('same key + other variables → IDEMPOTENCY_KEY_PARAMETER_MISMATCH', async () => {
    const { fake, token, itemGid, locationGid } = shop(10)
    await gql(fake, token, ADJUST, { input: adjustInput(itemGid, locationGid, -2, 10), key: 'k' })
    const r = await gql(fake, token, ADJUST, { input: adjustInput(itemGid, locationGid, -5, 8), key: 'k' })
    expect(r.body.data.inventoryAdjustQuantities).toEqual({
      inventoryAdjustmentGroup: null,
      userErrors: [{ field: null, message: expect.any(String), code: 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH' }],
    })
    expect(fake.getAvailable(itemGid)).toBe(8)
  })

  test('a lost response (simulated timeout) retried with the same key applies the delta once', async () => {
    const { fake, token, itemGid, locationGid } = shop(10)
    const vars = { input: adjustInput(itemGid, locationGid, -4, 10), key: 'item-123-attempt' }
    fake.faults.loseNextResponses(1)
    const lost = await gql(fake, token, ADJUST, vars)
    expect(lost.status).toBe(504)
    expect(fake.getAvailable(itemGid)).toBe(6)
    const retry = await gql(fake, token, ADJUST, vars)
    expect(
      retry.body.data.inventoryAdjustQuantities.inventoryAdjustmentGroup.changes[0].quantityAfterChange,
    ).toBe(6)
    expect(fake.getAvailable(itemGid)).toBe(6)
  })

  test('2026-07 and 2026-10 both enforce it (every served version is ≥ 2026-04)', async () => {
    const { fake, token, itemGid, locationGid } = shop(10)
    const q =
      'mutation($input: InventoryAdjustQuantitiesInput!) { inventoryAdjustQuantities(input: $input) { userErrors { code } } }'
    const r = await gql(fake, token, q, { input: adjustInput(itemGid, locationGid, -1, 10) }, '2026-07')
    expect(r.body.errors[0].extensions.code).toBe('BAD_REQUEST')
  })
})
