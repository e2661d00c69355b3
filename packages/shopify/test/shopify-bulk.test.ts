import { describe, expect, it } from 'vitest'
import { type BulkOrphan, groupBulkRecords, jsonlLines } from '../src/shopify-bulk.js'
import { readFixture } from './fixtures.js'

/** A body delivered in awkward chunks: splits inside lines and inside multi-byte characters. */
function chunked(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  let offset = 0
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close()
      controller.enqueue(bytes.slice(offset, offset + size))
      offset += size
    },
  })
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}

describe('jsonlLines', () => {
  it('yields whole lines whatever the chunk boundaries', async () => {
    const text = '{"a":"é😀"}\n\n{"b":2}\r\n{"c":3}'
    for (const size of [1, 2, 3, 5, 64]) {
      expect(await collect(jsonlLines(chunked(text, size)))).toEqual(['{"a":"é😀"}', '{"b":2}', '{"c":3}'])
    }
  })
})

describe('groupBulkRecords', () => {
  const sample = (readFixture('graphql/bulk_products_variants_jsonl.json') as { response: string }).response

  it('groups children under the product they follow and reports the one that does not (Shopify sample)', async () => {
    const orphans: BulkOrphan[] = []
    const records = await collect(
      groupBulkRecords(jsonlLines(chunked(sample, 7)), { onOrphan: (o) => orphans.push(o) }),
    )
    expect(records.map((r) => [r.root['id'], r.children.map((c) => c['title'])])).toEqual([
      ['gid://shopify/Product/1921569226808', ['70']],
      ['gid://shopify/Product/1921569259576', ['34']],
      ['gid://shopify/Product/1921569292344', ['Default Title']],
      ['gid://shopify/Product/1921569325112', ['36']],
      ['gid://shopify/Product/1921569357880', ['47']],
    ])
    // The sample's last line is a child of the first product, far from it (ungrouped output).
    expect(orphans).toEqual([{ parentId: 'gid://shopify/Product/1921569226808', line: 10 }])
    expect(records.map((r) => r.nextLine)).toEqual([2, 4, 6, 8, 11])
  })

  it('resumes at a record boundary', async () => {
    const records = await collect(groupBulkRecords(jsonlLines(chunked(sample, 64)), { fromLine: 4 }))
    expect(records.map((r) => r.root['id'])).toEqual([
      'gid://shopify/Product/1921569292344',
      'gid://shopify/Product/1921569325112',
      'gid://shopify/Product/1921569357880',
    ])
  })

  it('refuses a line that is not JSON with a retryable error', async () => {
    await expect(
      collect(groupBulkRecords(jsonlLines(chunked('{"id":1}\n{oops\n', 4)))),
    ).rejects.toMatchObject({
      code: 'SHOPIFY_BULK_FILE_INVALID',
    })
  })
})
