import { GraphQLError } from 'graphql'

/** Connection arguments the fake understands. */
export interface ConnectionArgs {
  first?: number | null
  last?: number | null
  after?: string | null
  before?: string | null
  reverse?: boolean | null
}

/** Largest page Shopify serves. */
export const MAX_PAGE_SIZE = 250

/** Shopify-like opaque cursor: base64 of `{"last_id":…,"last_value":"…"}`. */
export function encodeCursor(id: string): string {
  return Buffer.from(`{"last_id":${id},"last_value":"${id}"}`).toString('base64')
}

function decodeCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64').toString('utf8')
  const match = /"last_id":(\d+)/.exec(text)
  if (!match?.[1])
    throw new GraphQLError(`Invalid cursor for current pagination sort.`, {
      extensions: { code: 'BAD_REQUEST' },
    })
  return match[1]
}

/** How a connection resolver pages: normally by arguments, in a bulk operation all items (or a root window). */
export interface PageMode {
  /** Bulk operations read every node; `window` limits a root connection to a slice. */
  bulk?: { window?: { start: number; end: number } }
}

/**
 * Pages `items` (already filtered and sorted, each with an `id`) the way Shopify's Relay connections
 * do, and shapes `{ edges { cursor node } nodes pageInfo }`.
 */
export function paginate<T extends { id: string }>(
  items: readonly T[],
  args: ConnectionArgs,
  toNode: (item: T) => unknown,
  mode: PageMode = {},
): Record<string, unknown> {
  let list = args.reverse ? [...items].reverse() : items
  let hasNextPage = false
  let hasPreviousPage = false
  if (mode.bulk) {
    const window = mode.bulk.window
    if (window) list = list.slice(window.start, window.end)
  } else {
    const { first, last } = args
    if (first == null && last == null) {
      throw new GraphQLError('you must provide one of first or last', { extensions: { code: 'BAD_REQUEST' } })
    }
    for (const [name, value] of [
      ['first', first],
      ['last', last],
    ] as const) {
      if (value != null && (value < 0 || value > MAX_PAGE_SIZE)) {
        throw new GraphQLError(`The maximum number of items per page (${name}) is ${MAX_PAGE_SIZE}.`, {
          extensions: { code: 'BAD_REQUEST' },
        })
      }
    }
    if (args.after) {
      const afterId = decodeCursor(args.after)
      const index = list.findIndex((item) => item.id === afterId)
      hasPreviousPage = index >= 0
      list =
        index >= 0
          ? list.slice(index + 1)
          : list.filter((item) => compareIds(item.id, afterId) * (args.reverse ? -1 : 1) > 0)
    }
    if (args.before) {
      const beforeId = decodeCursor(args.before)
      const index = list.findIndex((item) => item.id === beforeId)
      hasNextPage = index >= 0
      list = index >= 0 ? list.slice(0, index) : list
    }
    if (first != null) {
      if (list.length > first) hasNextPage = true
      list = list.slice(0, first)
    }
    if (last != null) {
      if (list.length > last) hasPreviousPage = true
      list = list.slice(Math.max(0, list.length - last))
    }
  }
  const nodes = list.map(toNode)
  const edges = list.map((item, index) => ({
    get cursor() {
      return encodeCursor(item.id)
    },
    node: nodes[index],
  }))
  return {
    edges,
    nodes,
    pageInfo: {
      hasNextPage,
      hasPreviousPage,
      startCursor: list[0] ? encodeCursor(list[0].id) : null,
      endCursor: list.at(-1) ? encodeCursor((list.at(-1) as T).id) : null,
    },
  }
}

/** Numeric comparison of decimal id strings of any size. */
export function compareIds(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length
  return a < b ? -1 : a > b ? 1 : 0
}
