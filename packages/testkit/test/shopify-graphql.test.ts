import { existsSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { schemaFilePath, VENDORED_ADMIN_VERSIONS } from '../src/shopify/index.js'
import { gql, setup } from './shopify-helpers.js'

describe('fake Shopify GraphQL: validation against the real Admin schema', () => {
  test('an unknown field answers HTTP 200 with Shopify-style errors and no data', async () => {
    const { fake, token } = setup()
    const r = await gql(fake, token, '{ shop { name } product(id: "gid://shopify/Product/1") { id titlex } }')
    expect(r.status).toBe(200)
    expect(r.body.data).toBeUndefined()
    expect(r.body.errors).toEqual([
      {
        message: "Field 'titlex' doesn't exist on type 'Product'",
        locations: [{ line: 1, column: 61 }],
        extensions: { code: 'undefinedField', typeName: 'Product', fieldName: 'titlex' },
      },
    ])
  })

  test('unknown arguments, missing required arguments and leaf selections are all reported', async () => {
    const { fake, token } = setup()
    const r = await gql(fake, token, '{ products(frist: 5) { nodes { id } } inventoryItem { id } shop }')
    const codes = r.body.errors.map((e: { extensions: { code: string } }) => e.extensions.code).sort()
    expect(codes).toEqual(['argumentNotAccepted', 'missingRequiredArguments', 'selectionMismatch'])
    const messages = r.body.errors.map((e: { message: string }) => e.message)
    expect(messages).toContain("Field 'products' doesn't accept argument 'frist'")
    expect(messages).toContain("Field 'inventoryItem' is missing required arguments: id")
  })

  test('@idempotent on the operation instead of the field is rejected by the schema', async () => {
    const { fake, token } = setup()
    const r = await gql(
      fake,
      token,
      'mutation @idempotent(key: "k") { inventoryActivate(inventoryItemId: "gid://shopify/InventoryItem/1", locationId: "gid://shopify/Location/1") { userErrors { message } } }',
    )
    expect(r.status).toBe(200)
    expect(r.body.errors[0].message).toContain('@idempotent')
  })

  test('a syntax error answers 200 with a located error; a missing query answers 400', async () => {
    const { fake, token } = setup()
    const r = await gql(fake, token, '{ shop { name }')
    expect(r.status).toBe(200)
    expect(r.body.errors[0].locations[0].line).toBe(1)
    const missing = await fake.fetch(
      new Request('https://demo.myshopify.com/admin/api/2026-10/graphql.json', {
        method: 'POST',
        headers: { 'x-shopify-access-token': token, 'content-type': 'application/json' },
        body: '{}',
      }),
    )
    expect(missing.status).toBe(400)
    expect(await missing.json()).toEqual({ errors: { query: 'Required parameter missing or invalid' } })
  })

  test('pinned version in the URL; an unserved version falls forward to the oldest served one; junk is 404', async () => {
    const { fake, token } = setup()
    const pinned = await gql(fake, token, '{ shop { name } }', {}, '2026-10')
    expect(pinned.headers.get('x-shopify-api-version')).toBe('2026-10')
    const old = await gql(fake, token, '{ shop { name } }', {}, '2024-01')
    expect(old.status).toBe(200)
    expect(old.headers.get('x-shopify-api-version')).toBe('2026-07')
    const junk = await gql(fake, token, '{ shop { name } }', {}, 'latest')
    expect(junk.status).toBe(404)
  })

  test('variables of the wrong type answer 200 with INVALID_VARIABLE and charge nothing', async () => {
    const { fake, token } = setup()
    const r = await gql(fake, token, 'query($n: Int!) { products(first: $n) { nodes { id } } }', { n: 'ten' })
    expect(r.status).toBe(200)
    expect(r.body.data).toBeUndefined()
    expect(r.body.errors[0].extensions.code).toBe('INVALID_VARIABLE')
    expect(r.body.errors[0].message).toContain('$n')
    expect(r.body.extensions.cost.throttleStatus.currentlyAvailable).toBe(2000)
  })

  test('the vendored schemas are found next to the module (src) for every served version', () => {
    for (const version of VENDORED_ADMIN_VERSIONS) {
      const path = schemaFilePath(version)
      expect(path).toMatch(new RegExp(`shopify[\\/]schema[\\/]admin_${version}\\.json\\.gz$`))
      expect(existsSync(path)).toBe(true)
    }
  })

  test('a missing or unknown access token answers 401', async () => {
    const { fake } = setup()
    const r = await gql(fake, 'shpat_nope', '{ shop { name } }')
    expect(r.status).toBe(401)
    expect(r.body.errors).toContain('Invalid API key or access token')
  })
})

describe('fake Shopify GraphQL: reads over the shop state', () => {
  test('products page with cursors, first ≤ 250 and an updated_at filter', async () => {
    const { fake, token, clock } = setup()
    const products = fake.seedProducts(5, 3)
    const q = `query($after: String) { products(first: 2, after: $after) { edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } }`
    const seen: string[] = []
    let after: string | null = null
    for (let page = 0; page < 5; page += 1) {
      const r = await gql(fake, token, q, { after })
      const conn = r.body.data.products
      seen.push(...conn.edges.map((e: { node: { id: string } }) => e.node.id))
      if (!conn.pageInfo.hasNextPage) break
      after = conn.pageInfo.endCursor
    }
    expect(seen).toEqual(products.map((p) => `gid://shopify/Product/${p.id}`))

    const tooBig = await gql(fake, token, '{ products(first: 251) { nodes { id } } }')
    expect(tooBig.body.errors[0].message).toContain('250')

    clock.advance(60_000)
    const cutoff = new Date(clock.now() - 1000).toISOString()
    fake.updateProduct(products[3]?.id ?? '', { title: 'Changed' })
    const filtered = await gql(
      fake,
      token,
      `{ products(first: 10, query: "updated_at:>'${cutoff}'") { nodes { id title updatedAt } } }`,
    )
    expect(filtered.body.data.products.nodes).toEqual([
      {
        id: `gid://shopify/Product/${products[3]?.id}`,
        title: 'Changed',
        updatedAt: new Date(clock.now()).toISOString().replace('.000', ''),
      },
    ])
  })

  test('last/before page backwards; reverse flips the order; no first or last is an error', async () => {
    const { fake, token } = setup()
    const ids = fake.seedProducts(5).map((p) => `gid://shopify/Product/${p.id}`)
    const tail = await gql(
      fake,
      token,
      '{ products(last: 2) { nodes { id } pageInfo { hasPreviousPage startCursor } } }',
    )
    expect(tail.body.data.products.nodes.map((n: { id: string }) => n.id)).toEqual(ids.slice(3))
    expect(tail.body.data.products.pageInfo.hasPreviousPage).toBe(true)
    const before = await gql(
      fake,
      token,
      'query($c: String) { products(last: 2, before: $c) { nodes { id } } }',
      {
        c: tail.body.data.products.pageInfo.startCursor,
      },
    )
    expect(before.body.data.products.nodes.map((n: { id: string }) => n.id)).toEqual(ids.slice(1, 3))
    const reversed = await gql(fake, token, '{ products(first: 2, reverse: true) { nodes { id } } }')
    expect(reversed.body.data.products.nodes.map((n: { id: string }) => n.id)).toEqual([ids[4], ids[3]])
    const none = await gql(fake, token, '{ products { nodes { id } } }')
    expect(none.body.errors[0].message).toBe('you must provide one of first or last')
  })

  test('product by id with options, media, variants, inventory levels and quantities', async () => {
    const { fake, token } = setup()
    const [product] = fake.seedProducts(1, 2, { available: 4 })
    const r = await gql(
      fake,
      token,
      `query($id: ID!) { product(id: $id) { id title handle status tags options { name values } media(first: 5) { nodes { ... on MediaImage { image { url altText } } } }
        variants(first: 10) { nodes { id sku price selectedOptions { name value } inventoryQuantity
          inventoryItem { id tracked inventoryLevels(first: 5) { nodes { id location { id } quantities(names: ["available", "on_hand", "committed"]) { name quantity } } } } } } } }`,
      { id: `gid://shopify/Product/${product?.id}` },
    )
    const p = r.body.data.product
    expect(p.status).toBe('ACTIVE')
    expect(p.options).toEqual([{ name: 'Size', values: ['Size 1', 'Size 2'] }])
    expect(p.media.nodes[0].image.url).toContain('product-1.jpg')
    const variant = p.variants.nodes[0]
    expect(variant.inventoryQuantity).toBe(4)
    const level = variant.inventoryItem.inventoryLevels.nodes[0]
    const itemId = variant.inventoryItem.id.split('/').pop()
    const locationId = level.location.id.split('/').pop()
    expect(level.id).toBe(`gid://shopify/InventoryLevel/${locationId}?inventory_item_id=${itemId}`)
    expect(level.quantities).toEqual([
      { name: 'available', quantity: 4 },
      { name: 'on_hand', quantity: 4 },
      { name: 'committed', quantity: 0 },
    ])
  })

  test('an order moves stock from available to committed; on_hand is unchanged', async () => {
    const { fake, token } = setup()
    const [product] = fake.seedProducts(1, 1, { available: 10 })
    const variantId = product?.variantIds[0] ?? ''
    const itemId = fake.state.variants.get(variantId)?.inventoryItemId ?? ''
    fake.placeOrder([{ variantId, quantity: 3 }])
    const r = await gql(
      fake,
      token,
      `query($id: ID!, $loc: ID!) { inventoryItem(id: $id) { inventoryLevel(locationId: $loc) { quantities(names: ["available", "committed", "on_hand"]) { name quantity } } } }`,
      {
        id: `gid://shopify/InventoryItem/${itemId}`,
        loc: `gid://shopify/Location/${fake.state.defaultLocationId}`,
      },
    )
    expect(r.body.data.inventoryItem.inventoryLevel.quantities).toEqual([
      { name: 'available', quantity: 7 },
      { name: 'committed', quantity: 3 },
      { name: 'on_hand', quantity: 10 },
    ])
  })

  test('productVariants, inventoryItems and locations connections', async () => {
    const { fake, token } = setup()
    fake.seedProducts(2, 3)
    const second = fake.addLocation('Second')
    const r = await gql(
      fake,
      token,
      '{ productVariants(first: 10, query: "sku:PRODUCT-2-2") { nodes { sku product { title } } } inventoryItems(first: 250) { nodes { id } } locations(first: 5) { nodes { id name isActive } } }',
    )
    expect(r.body.data.productVariants.nodes).toEqual([
      { sku: 'PRODUCT-2-2', product: { title: 'Product 2' } },
    ])
    expect(r.body.data.inventoryItems.nodes).toHaveLength(6)
    expect(r.body.data.locations.nodes.map((l: { name: string }) => l.name)).toEqual([
      'Main warehouse',
      'Second',
    ])
    expect(r.body.data.locations.nodes[1].id).toBe(`gid://shopify/Location/${second}`)
  })

  test('ids above 2^53 come back as exact GIDs', async () => {
    const { fake, token } = setup({ idStart: 788032119674292922n })
    const [product] = fake.seedProducts(1, 1)
    const id = product?.id ?? ''
    expect(BigInt(id) > 2n ** 53n).toBe(true)
    expect(id.startsWith('7880321196742929')).toBe(true)
    const r = await gql(fake, token, '{ products(first: 1) { nodes { id legacyResourceId } } }')
    expect(r.text).toContain(`"gid://shopify/Product/${id}"`)
    expect(r.body.data.products.nodes[0]).toEqual({ id: `gid://shopify/Product/${id}`, legacyResourceId: id })
  })
})
