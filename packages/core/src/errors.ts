/** Base class of every error the SDK throws on purpose. `code` is stable; match on it, not on messages. */
export class HubError extends Error {
  /** Stable machine-readable code, e.g. `WEBHOOK_SIGNATURE_INVALID`. */
  readonly code: string
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
    this.code = code
  }
}

/** A failure worth retrying (network, 429/5xx, THROTTLED, lock). `retryAfterMs` overrides backoff. */
export class RetryableError extends HubError {
  readonly retryAfterMs: number | undefined
  constructor(code: string, message: string, options?: { retryAfterMs?: number; cause?: unknown }) {
    super(code, message, options)
    this.retryAfterMs = options?.retryAfterMs
  }
}

/** A failure that retrying cannot fix (validation, 4xx, missing mapping): the item goes dead. */
export class PermanentError extends HubError {}

/** Invalid configuration passed to a factory. */
export class ConfigError extends HubError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options)
  }
}

/** Credentials could not be decrypted or are missing. */
export class CredentialError extends PermanentError {}

/**
 * A webhook delivery was refused. `status` is the HTTP status the ingest handler answers:
 * 400 malformed, 401 bad signature, 404 unknown connection, 410 revoked connection.
 */
export class WebhookError extends HubError {
  readonly status: 400 | 401 | 404 | 410 | 413
  constructor(
    status: 400 | 401 | 404 | 410 | 413,
    code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options)
    this.status = status
  }
}

/** A lookup in the store found nothing where something must exist. */
export class NotFoundError extends HubError {
  constructor(what: string, id: string) {
    super('NOT_FOUND', `${what} ${id} not found`)
  }
}

/** Whether an error asks to be retried: `RetryableError` yes, `PermanentError` no, unknown errors yes. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof PermanentError) return false
  if (error instanceof RetryableError) return true
  if (error instanceof HubError) return false
  return true
}

/**
 * A compare-and-swap write found the quantity changed since it was read. The core's reconcile
 * re-reads and recomputes instead of retrying blindly.
 */
export class StaleInventoryError extends RetryableError {
  constructor(message = 'inventory quantity changed since it was read', options?: { cause?: unknown }) {
    super('INVENTORY_STALE', message, options)
  }
}
