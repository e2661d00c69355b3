import type { Json } from '../domain/json.js'
import type { ItemError, SyncItem } from '../domain/schemas.js'
import { HubError, isRetryable, PermanentError, RetryableError } from '../errors.js'
import type { ExecutionContext, ExecutionResult, ProviderAdapter } from '../ports/provider.js'
import type { ItemOutcome } from '../ports/store.js'
import { backoffDelay } from './backoff.js'
import { buildContext } from './context.js'
import { decryptCredentials, secretStrings } from './credentials.js'
import type { EngineDeps } from './deps.js'
import { policyGate } from './policy-gate.js'

/** A handler the core runs itself; it gets the adapter too (e.g. its inventory port). */
export type CoreOperation = (
  ctx: ExecutionContext,
  core: { deps: EngineDeps; adapter: ProviderAdapter },
) => Promise<ExecutionResult | undefined>

/**
 * Run one claimed item to its outcome: gate, dispatch, execute, classify the error, schedule the
 * retry or dead-letter it, and record the attempt. Never throws for item failures.
 * Returns the stored item, or `null` when the lease was lost meanwhile.
 */
export async function executeClaimedItem(
  deps: EngineDeps,
  coreOperations: Readonly<Record<string, CoreOperation>>,
  item: SyncItem,
  workerId: string,
  signal: AbortSignal,
): Promise<SyncItem | null> {
  const startedAt = deps.clock.now()
  const scope = { sellerId: item.sellerId }
  const excerpts: Json[] = []
  let secrets: string[] = []

  const finish = (outcome: ItemOutcome, error: ItemError | null) => {
    const redactedExcerpt = excerpts.length
      ? (deps.redactorFor(secrets).redactValue(excerpts as Json) as Json)
      : null
    const now = deps.clock.now()
    return deps.store.finishItem({
      itemId: item.id,
      workerId,
      outcome,
      now,
      attempt: {
        startedAt,
        finishedAt: now,
        outcome: outcome.status,
        error,
        excerpt: redactedExcerpt,
      },
    })
  }

  try {
    const connection = await deps.store.getConnection(scope, item.connectionId)
    const verdict = policyGate(item, connection, deps.registry)
    if (!verdict.run) {
      deps.logger.info({ itemId: item.id, code: verdict.error.code }, `item ${verdict.status}`)
      return await finish({ status: verdict.status, error: verdict.error }, verdict.error)
    }
    const adapter = deps.registry.get(item.provider)!
    const credentials = decryptCredentials(deps.keyring, connection!)
    secrets = secretStrings(credentials)
    const ctx = buildContext(deps, {
      item,
      connection: connection!,
      credentials,
      workerId,
      signal,
      excerpts,
      secrets,
    })
    const core = coreOperations[item.operation]
    const handler = core
      ? (c: ExecutionContext) => core(c, { deps, adapter })
      : adapter.operations[item.operation]
    if (!handler) {
      throw new PermanentError(
        'OPERATION_UNKNOWN',
        `provider "${item.provider}" has no operation "${item.operation}"`,
      )
    }
    const result = (await handler(ctx)) ?? {}
    return await finish(
      {
        status: 'succeeded',
        result: result.result ?? null,
        internalId: result.internalId ?? null,
        targetHash: result.targetHash ?? null,
      },
      null,
    )
  } catch (raw) {
    if (signal.aborted && !(raw instanceof HubError)) {
      // The worker is stopping: give the item back untouched; it runs again elsewhere.
      return await finish({ status: 'released' }, null)
    }
    const error = toItemError(deps, raw, secrets)
    const retryAfter = raw instanceof RetryableError ? raw.retryAfterMs : undefined
    deps.logger.warn(
      { itemId: item.id, attempt: item.attempt, code: error.code, retryable: error.retryable },
      error.message,
    )
    if (!error.retryable || item.attempt >= item.maxAttempts) {
      const deadError =
        error.retryable && item.attempt >= item.maxAttempts
          ? { ...error, message: `${error.message} (gave up after ${item.attempt} attempts)` }
          : error
      return await finish({ status: 'dead', error: deadError }, deadError)
    }
    const delay = backoffDelay(item.attempt, retryAfter, deps.retry)
    const nextAttemptAt = new Date(deps.clock.now().getTime() + delay)
    return await finish({ status: 'failed', error, nextAttemptAt }, error)
  }
}

/** Classify and redact an error for storage. Unknown errors are retryable (capped by maxAttempts). */
export function toItemError(deps: EngineDeps, raw: unknown, secrets: string[]): ItemError {
  const code = raw instanceof HubError ? raw.code : 'UNEXPECTED_ERROR'
  const message = raw instanceof Error ? raw.message : String(raw)
  return {
    code,
    message: deps.redactorFor(secrets).redactText(message),
    retryable: isRetryable(raw),
  }
}
