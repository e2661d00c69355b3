import { type Clock, RetryableError } from '@hub/core'
import { z } from 'zod'
import { type ShopifyClient, throwOnUserErrors, userErrorsSchema } from './shopify-client.js'
import { ShopifyUserError } from './shopify-errors.js'
import { BULK_OPERATION_QUERY, BULK_OPERATION_RUN_MUTATION } from './shopify-operations.js'

/** A bulk operation as polled. */
export const bulkOperationSchema = z.object({
  id: z.string(),
  status: z.enum(['CREATED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELING', 'CANCELED', 'EXPIRED']),
  errorCode: z.string().nullish(),
  objectCount: z.union([z.string(), z.number()]).nullish(),
  url: z.string().nullish(),
  partialDataUrl: z.string().nullish(),
})
/** @see bulkOperationSchema */
export type BulkOperation = z.infer<typeof bulkOperationSchema>

const runSchema = z.object({
  bulkOperationRunQuery: z
    .object({ bulkOperation: z.object({ id: z.string() }).nullable(), userErrors: userErrorsSchema })
    .nullable(),
})

/** Start a bulk query; answers the operation id. Shopify's concurrency limit is retryable. */
export async function startBulkQuery(
  client: ShopifyClient,
  query: string,
  signal?: AbortSignal,
): Promise<string> {
  const { data } = await client.request(BULK_OPERATION_RUN_MUTATION, {
    variables: { query },
    schema: runSchema,
    ...(signal ? { signal } : {}),
  })
  const payload = data.bulkOperationRunQuery
  try {
    throwOnUserErrors('bulkOperationRunQuery', payload?.userErrors ?? [])
  } catch (error) {
    if (error instanceof ShopifyUserError && error.code === 'OPERATION_IN_PROGRESS') {
      throw new RetryableError(error.code, error.message, { retryAfterMs: 30_000, cause: error })
    }
    throw error
  }
  if (!payload?.bulkOperation)
    throw new RetryableError('SHOPIFY_BULK_NOT_STARTED', 'bulk operation not created')
  return payload.bulkOperation.id
}

/** Options of {@link waitForBulkOperation}. */
export interface BulkWaitOptions {
  clock: Clock
  /** Between polls. Default 2 s. */
  intervalMs?: number
  /** Give up this attempt (retryable, the checkpoint keeps the id) after this long. Default 10 min. */
  maxWaitMs?: number
  signal?: AbortSignal
}

/**
 * Poll a bulk operation until it is finished. Answers the final record (`COMPLETED`, `FAILED`,
 * `CANCELED` or `EXPIRED`); throws a `RetryableError` when it is still running after `maxWaitMs`.
 */
export async function waitForBulkOperation(
  client: ShopifyClient,
  id: string,
  options: BulkWaitOptions,
): Promise<BulkOperation> {
  const interval = options.intervalMs ?? 2000
  const deadline = options.clock.now().getTime() + (options.maxWaitMs ?? 10 * 60_000)
  for (;;) {
    const { data } = await client.request(BULK_OPERATION_QUERY, {
      variables: { id },
      schema: z.object({ bulkOperation: bulkOperationSchema.nullable() }),
      ...(options.signal ? { signal: options.signal } : {}),
    })
    const op = data.bulkOperation
    if (op === null) return { id, status: 'EXPIRED', errorCode: 'NOT_FOUND', url: null }
    if (!['CREATED', 'RUNNING', 'CANCELING'].includes(op.status)) return op
    if (options.clock.now().getTime() + interval > deadline) {
      throw new RetryableError('SHOPIFY_BULK_RUNNING', `bulk operation ${id} still ${op.status}`, {
        retryAfterMs: 30_000,
      })
    }
    await options.clock.sleep(interval, options.signal)
  }
}

/**
 * The lines of a JSONL body, streamed: only the current chunk and a partial line are in memory.
 * Empty lines are skipped.
 */
export async function* jsonlLines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const reader = body.getReader()
  let rest = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    rest += decoder.decode(value, { stream: true })
    let newline = rest.indexOf('\n')
    while (newline !== -1) {
      const line = rest.slice(0, newline).trim()
      if (line) yield line
      rest = rest.slice(newline + 1)
      newline = rest.indexOf('\n')
    }
  }
  rest += decoder.decode()
  if (rest.trim()) yield rest.trim()
}

/** One root object of a bulk result with its child lines, and where it ends in the file. */
export interface BulkRecord {
  root: Record<string, unknown>
  children: Record<string, unknown>[]
  /** Line number (0-based) of the first line after this record: a resume point. */
  nextLine: number
}

/** Children whose parent is not the record being assembled: the file was not grouped there. */
export interface BulkOrphan {
  parentId: string
  line: number
}

/**
 * Group a `groupObjects: true` bulk file into root records in one pass, holding one record at a
 * time. A child that does not follow its parent is reported through `onOrphan` instead of being
 * lost, so the caller can re-read that parent. Lines before `fromLine` are skipped (resume).
 */
export async function* groupBulkRecords(
  lines: AsyncIterable<string>,
  options: { fromLine?: number; onOrphan?: (orphan: BulkOrphan) => void } = {},
): AsyncGenerator<BulkRecord> {
  const fromLine = options.fromLine ?? 0
  let current: { root: Record<string, unknown>; children: Record<string, unknown>[] } | null = null
  let index = -1
  for await (const line of lines) {
    index += 1
    if (index < fromLine) continue
    let object: Record<string, unknown>
    try {
      object = JSON.parse(line) as Record<string, unknown>
    } catch (error) {
      throw new RetryableError('SHOPIFY_BULK_FILE_INVALID', `bulk result line ${index} is not JSON`, {
        cause: error,
      })
    }
    const parentId = object['__parentId']
    if (typeof parentId !== 'string') {
      if (current) yield { ...current, nextLine: index }
      current = { root: object, children: [] }
    } else if (current && current.root['id'] === parentId) {
      current.children.push(object)
    } else {
      options.onOrphan?.({ parentId, line: index })
    }
  }
  if (current) yield { ...current, nextLine: index + 1 }
}
