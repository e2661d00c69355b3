import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { fixtureUrl, gql, setup } from './shopify-helpers.js'

const RUN = `mutation($q: String!) { bulkOperationRunQuery(query: $q, groupObjects: false) { bulkOperation { id status } userErrors { field message code } } }`
const POLL = '{ currentBulkOperation { id status objectCount rootObjectCount fileSize url errorCode } }'
const BULK_QUERY = `{ products { edges { node { id title updatedAt variants { edges { node { id sku inventoryItem { id } } } } } } } }`

type Line = { id: string; __parentId?: string }

function parseJsonl(text: string): Line[] {
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Line)
}

/** Index of the first child line that sits right after its own parent line, or -1. */
function firstAdjacentChild(lines: Line[]): number {
  return lines.findIndex(
    (line, i) => i > 0 && line.__parentId !== undefined && lines[i - 1]?.id === line.__parentId,
  )
}

describe('fake Shopify bulk operations', () => {
  test('CREATED → RUNNING → COMPLETED over polls, then an ungrouped JSONL file', async () => {
    const { fake, token } = setup({ bulk: { pollsToComplete: 3 } })
    fake.seedProducts(4, 3)
    const run = await gql(fake, token, RUN, { q: BULK_QUERY })
    expect(run.body.data.bulkOperationRunQuery.userErrors).toEqual([])
    expect(run.body.data.bulkOperationRunQuery.bulkOperation.status).toBe('CREATED')
    const statuses: string[] = []
    let op:
      | {
          status: string
          url: string | null
          objectCount: string
          rootObjectCount: string
          fileSize: string | null
        }
      | undefined
    for (let i = 0; i < 5; i += 1) {
      op = (await gql(fake, token, POLL)).body.data.currentBulkOperation
      statuses.push(op?.status ?? '')
      if (op?.status === 'COMPLETED') break
    }
    expect(statuses).toEqual(['RUNNING', 'RUNNING', 'COMPLETED'])
    expect(op?.objectCount).toBe('16')
    expect(op?.rootObjectCount).toBe('4')
    const file = await fake.fetch(new Request(op?.url ?? ''))
    expect(file.status).toBe(200)
    const text = await file.text()
    expect(String(Buffer.byteLength(text))).toBe(op?.fileSize)
    const lines = parseJsonl(text)
    expect(lines).toHaveLength(16)
    expect(firstAdjacentChild(lines)).toBe(-1)
    const products = lines.filter((l) => l.__parentId === undefined)
    const variants = lines.filter((l) => l.__parentId !== undefined)
    expect(products).toHaveLength(4)
    expect(variants).toHaveLength(12)
    for (const v of variants) {
      expect(products.map((p) => p.id)).toContain(v.__parentId)
      expect(v).toEqual({
        id: expect.stringMatching(/^gid:\/\/shopify\/ProductVariant\/\d+$/),
        sku: expect.any(String),
        inventoryItem: { id: expect.any(String) },
        __parentId: v.__parentId,
      })
    }
  })

  test('lines look like Shopify’s sample: plain objects, children carry __parentId', async () => {
    const sample = JSON.parse(readFileSync(fixtureUrl('graphql/bulk_products_variants_jsonl.json'), 'utf8'))
    const sampleLines = parseJsonl(sample.response)
    const { fake, token } = setup({ bulk: { pollsToComplete: 1 } })
    fake.seedProducts(2, 1)
    await gql(fake, token, RUN, {
      q: '{ products { edges { node { id variants { edges { node { id title } } } } } } }',
    })
    await gql(fake, token, POLL)
    const op = (await gql(fake, token, POLL)).body.data.currentBulkOperation
    const lines = parseJsonl(await (await fake.fetch(new Request(op.url))).text())
    const keysOf = (ls: Line[], child: boolean) => [
      ...new Set(
        ls.filter((l) => (l.__parentId !== undefined) === child).map((l) => Object.keys(l).sort().join(',')),
      ),
    ]
    expect(keysOf(lines, false)).toEqual(keysOf(sampleLines, false))
    expect(keysOf(lines, true)).toEqual(keysOf(sampleLines, true))
  })

  test('invalid inner queries are userErrors; bulkOperation(id) polls too', async () => {
    const { fake, token } = setup({ bulk: { pollsToComplete: 2 } })
    const bad = await gql(fake, token, RUN, { q: '{ products { edges { node { nope } } } }' })
    expect(bad.body.data.bulkOperationRunQuery).toEqual({
      bulkOperation: null,
      userErrors: [{ field: ['query'], message: expect.stringContaining('nope'), code: 'INVALID' }],
    })
    fake.seedProducts(1)
    const ok = await gql(fake, token, RUN, { q: BULK_QUERY })
    const id = ok.body.data.bulkOperationRunQuery.bulkOperation.id
    const q = 'query($id: ID!) { bulkOperation(id: $id) { status } }'
    expect((await gql(fake, token, q, { id })).body.data.bulkOperation.status).toBe('RUNNING')
    expect((await gql(fake, token, q, { id })).body.data.bulkOperation.status).toBe('COMPLETED')
  })

  test('at most 5 bulk queries run at once (2026-01+ rule); the sixth is LIMIT_REACHED', async () => {
    const { fake, token } = setup({ bulk: { pollsToComplete: 10 } })
    for (let i = 0; i < 5; i += 1) {
      const r = await gql(fake, token, RUN, { q: BULK_QUERY })
      expect(r.body.data.bulkOperationRunQuery.userErrors).toEqual([])
    }
    const sixth = await gql(fake, token, RUN, { q: BULK_QUERY })
    expect(sixth.body.data.bulkOperationRunQuery.userErrors[0].code).toBe('LIMIT_REACHED')
    fake.bulk.completeAll()
    const seventh = await gql(fake, token, RUN, { q: BULK_QUERY })
    expect(seventh.body.data.bulkOperationRunQuery.userErrors).toEqual([])
  })

  test('10,000 products × 3 variants: parent/child never adjacent, generated window by window', async () => {
    const { fake, token } = setup({ bulk: { pollsToComplete: 1 } })
    const seedStart = performance.now()
    fake.seedProducts(10_000, 3)
    const seedMs = performance.now() - seedStart
    await gql(fake, token, RUN, { q: BULK_QUERY })
    const start = performance.now()
    await gql(fake, token, POLL)
    const op = (await gql(fake, token, POLL)).body.data.currentBulkOperation
    const generateMs = performance.now() - start
    expect(op.status).toBe('COMPLETED')
    expect(op.objectCount).toBe('40000')
    expect(op.rootObjectCount).toBe('10000')
    const lines = parseJsonl(await (await fake.fetch(new Request(op.url))).text())
    expect(lines).toHaveLength(40_000)
    expect(firstAdjacentChild(lines)).toBe(-1)
    const parents = new Set(lines.filter((l) => l.__parentId === undefined).map((l) => l.id))
    expect(parents.size).toBe(10_000)
    expect(lines.every((l) => l.__parentId === undefined || parents.has(l.__parentId))).toBe(true)
    console.info(
      `bulk 10k×3: seed ${seedMs.toFixed(0)} ms, generate ${generateMs.toFixed(0)} ms, ${op.fileSize} bytes`,
    )
    expect(generateMs).toBeLessThan(20_000)
  }, 60_000)
})
