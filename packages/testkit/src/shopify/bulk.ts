import {
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  validate,
} from 'graphql'
import { type FakeClock, isoSeconds } from './clock.js'
import type { PageMode } from './connection.js'
import { gid, parseGid } from './ids.js'

/** Root nodes executed per window while the JSONL file is generated (memory stays flat). */
export const BULK_WINDOW = 250

/** Concurrent bulk queries allowed per app+shop from 2026-01 on. */
export const MAX_CONCURRENT_BULK_QUERIES = 5

/** A bulk operation's lifecycle state. */
export type BulkStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELED'

/** One bulk query the fake ran or is running. */
export interface BulkOperationRecord {
  id: string
  status: BulkStatus
  query: string
  groupObjects: boolean
  createdAt: number
  completedAt: number | null
  polls: number
  objectCount: number
  rootObjectCount: number
  fileSize: number
  url: string | null
  origin: string
  document: DocumentNode
  chunks: Buffer[]
}

/** Timing knobs of {@link BulkOperations}. */
export interface BulkTiming {
  /** Polls (currentBulkOperation / bulkOperation) after which a running operation completes. Default 2. */
  pollsToComplete?: number
  /** Or this much clock time after creation. Default 5000 ms. */
  durationMs?: number
}

type Executor = (document: DocumentNode, mode: PageMode) => ExecutionResult

function isConnectionLike(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false
  const record = value as Record<string, unknown>
  return Array.isArray(record.edges) || Array.isArray(record.nodes)
}

function connectionItems(value: Record<string, unknown>): Record<string, unknown>[] {
  if (Array.isArray(value.nodes)) return value.nodes as Record<string, unknown>[]
  return (value.edges as { node?: Record<string, unknown> }[]).flatMap((edge) =>
    edge?.node ? [edge.node] : [],
  )
}

interface Line {
  object: Record<string, unknown>
  children: Line[]
}

/** Splits a node into its own line (connections removed) and its children's lines (with `__parentId`). */
function explode(node: Record<string, unknown>, parentId: string | undefined): Line {
  const object: Record<string, unknown> = {}
  const children: Line[] = []
  for (const [key, value] of Object.entries(node)) {
    if (isConnectionLike(value)) {
      for (const child of connectionItems(value))
        children.push(explode(child, typeof node.id === 'string' ? node.id : undefined))
    } else {
      object[key] = value
    }
  }
  if (parentId !== undefined) object.__parentId = parentId
  return { object, children }
}

/**
 * Bulk query operations: validation, status progression over polls or time, and a JSONL result
 * built window by window. With `groupObjects: false` (the default since 2026-01) each window's
 * parents are written first, then their children, so a child line never directly follows its
 * parent's line (unless the whole result holds one parent).
 */
export class BulkOperations {
  readonly #ops: BulkOperationRecord[] = []
  readonly #clock: FakeClock
  readonly #timing: Required<BulkTiming>
  #execute: Executor | undefined
  #onFinish: ((op: BulkOperationRecord) => void) | undefined
  #nextId: () => string

  constructor(clock: FakeClock, nextId: () => string, timing: BulkTiming = {}) {
    this.#clock = clock
    this.#nextId = nextId
    this.#timing = { pollsToComplete: timing.pollsToComplete ?? 2, durationMs: timing.durationMs ?? 5000 }
  }

  /** Wires the GraphQL executor (set by the endpoint, which owns the schema and the root resolvers). */
  setExecutor(execute: Executor): void {
    this.#execute = execute
  }

  /** Called once per operation when it completes (bulk_operations/finish). */
  onFinish(listener: (op: BulkOperationRecord) => void): void {
    this.#onFinish = listener
  }

  /** All operations, oldest first. */
  list(): readonly BulkOperationRecord[] {
    return this.#ops
  }

  /** `bulkOperationRunQuery`: validates the inner query and creates the operation. */
  run(
    schema: GraphQLSchema,
    query: string,
    groupObjects: boolean,
    origin: string,
  ): { op?: BulkOperationRecord; userErrors: { field: string[]; message: string; code: string }[] } {
    const invalid = (message: string) => ({ userErrors: [{ field: ['query'], message, code: 'INVALID' }] })
    let document: DocumentNode
    try {
      document = parse(query)
    } catch (error) {
      return invalid(`Invalid bulk query: ${(error as Error).message}`)
    }
    const errors = validate(schema, document)
    if (errors.length > 0) return invalid(`Invalid bulk query: ${errors.map((e) => e.message).join('; ')}`)
    const operation = document.definitions.find(
      (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
    )
    if (operation?.operation !== 'query') return invalid('Bulk queries must be a query operation.')
    const root = operation.selectionSet.selections[0]
    if (
      !root ||
      root.kind !== Kind.FIELD ||
      !root.selectionSet ||
      operation.selectionSet.selections.length !== 1
    ) {
      return invalid('Bulk queries must contain exactly one top-level connection field.')
    }
    const running = this.#ops.filter((op) => op.status === 'CREATED' || op.status === 'RUNNING').length
    if (running >= MAX_CONCURRENT_BULK_QUERIES) {
      return {
        userErrors: [
          {
            field: [],
            message: `A maximum of ${MAX_CONCURRENT_BULK_QUERIES} bulk queries can run at once.`,
            code: 'LIMIT_REACHED',
          },
        ],
      }
    }
    const op: BulkOperationRecord = {
      id: this.#nextId(),
      status: 'CREATED',
      query,
      groupObjects,
      createdAt: this.#clock.now(),
      completedAt: null,
      polls: 0,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: 0,
      url: null,
      origin,
      document,
      chunks: [],
    }
    this.#ops.push(op)
    return { op, userErrors: [] }
  }

  /** A poll: moves the operation along (CREATED → RUNNING → COMPLETED). */
  observe(op: BulkOperationRecord): BulkOperationRecord {
    if (op.status === 'CREATED') {
      op.status = 'RUNNING'
      op.polls = 1
      return op
    }
    if (op.status !== 'RUNNING') return op
    op.polls += 1
    const elapsed = this.#clock.now() - op.createdAt
    if (op.polls >= this.#timing.pollsToComplete || elapsed >= this.#timing.durationMs) this.#complete(op)
    return op
  }

  /** The most recent operation (currentBulkOperation). */
  current(): BulkOperationRecord | undefined {
    return this.#ops.at(-1)
  }

  /** An operation by GID. */
  byGid(value: string): BulkOperationRecord | undefined {
    const id = parseGid(value, 'BulkOperation')
    return this.#ops.find((op) => op.id === id)
  }

  /** An operation by numeric id (file route). */
  byId(id: string): BulkOperationRecord | undefined {
    return this.#ops.find((op) => op.id === id)
  }

  /** Runs every pending operation to completion now (admin helper). */
  completeAll(): void {
    for (const op of this.#ops) if (op.status === 'CREATED' || op.status === 'RUNNING') this.#complete(op)
  }

  #complete(op: BulkOperationRecord): void {
    if (!this.#execute) throw new Error('fake Shopify: bulk executor not wired')
    let start = 0
    for (;;) {
      const result = this.#execute(op.document, { bulk: { window: { start, end: start + BULK_WINDOW } } })
      if (result.errors?.length) {
        op.status = 'FAILED'
        op.completedAt = this.#clock.now()
        op.chunks = []
        this.#onFinish?.(op)
        return
      }
      const data = (result.data ?? {}) as Record<string, unknown>
      const rootValue = Object.values(data)[0]
      const roots = isConnectionLike(rootValue) ? connectionItems(rootValue) : []
      if (roots.length === 0) break
      const chunk = this.#window(roots, op)
      op.chunks.push(chunk)
      op.fileSize += chunk.length
      op.rootObjectCount += roots.length
      if (roots.length < BULK_WINDOW) break
      start += BULK_WINDOW
    }
    op.status = 'COMPLETED'
    op.completedAt = this.#clock.now()
    op.url = op.objectCount > 0 ? `${op.origin}/__fake/bulk/${op.id}.jsonl` : null
    this.#onFinish?.(op)
  }

  #window(roots: Record<string, unknown>[], op: BulkOperationRecord): Buffer {
    const out: string[] = []
    const lines = roots.map((root) => explode(root, undefined))
    if (op.groupObjects) {
      const walk = (line: Line) => {
        out.push(JSON.stringify(line.object))
        line.children.forEach(walk)
      }
      lines.forEach(walk)
    } else {
      let level = lines
      while (level.length > 0) {
        for (const line of level) out.push(JSON.stringify(line.object))
        level = level.flatMap((line) => line.children)
      }
    }
    op.objectCount += out.length
    return Buffer.from(`${out.join('\n')}\n`)
  }

  /** The JSONL file as a stream of its window chunks. */
  stream(op: BulkOperationRecord): ReadableStream<Uint8Array> {
    let index = 0
    return new ReadableStream<Uint8Array>({
      pull(controller) {
        const chunk = op.chunks[index]
        index += 1
        if (chunk) controller.enqueue(new Uint8Array(chunk))
        else controller.close()
      },
    })
  }
}

/** The `BulkOperation` GraphQL object. */
export function bulkOperationView(op: BulkOperationRecord): Record<string, unknown> {
  return {
    __typename: 'BulkOperation',
    id: gid('BulkOperation', op.id),
    status: op.status,
    errorCode: op.status === 'FAILED' ? 'INTERNAL_SERVER_ERROR' : null,
    createdAt: isoSeconds(op.createdAt),
    completedAt: op.completedAt === null ? null : isoSeconds(op.completedAt),
    objectCount: String(op.objectCount),
    rootObjectCount: String(op.rootObjectCount),
    fileSize: op.status === 'COMPLETED' && op.url ? String(op.fileSize) : null,
    url: op.url,
    partialDataUrl: null,
    query: op.query,
    type: 'QUERY',
  }
}
