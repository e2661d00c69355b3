import type { Json } from '../domain/json.js'
import { HubError, isRetryable, RetryableError } from '../errors.js'
import type { LogFields, Logger } from '../ports/logger.js'
import { compileKnownSecrets, type KnownSecrets, REDACTED, redactString } from './redact-text.js'
import { createSecretKeyMatcher, type SecretKeyMatcher } from './secret-keys.js'

/** Put where a value repeats one of its own ancestors. */
export const CIRCULAR = '[Circular]'
/** Put where the structure is deeper than `maxDepth`. */
export const MAX_DEPTH = '[MaxDepth]'
/** Put where the output reached `maxNodes` or a string `maxStringLength`. */
export const TRUNCATED = '[Truncated]'
const UNREADABLE = '[Unreadable]'
const CODE_SHAPE = /^[A-Za-z0-9_.:-]{1,64}$/

/** Options of {@link createRedactor}. */
export interface RedactorOptions {
  /** Keys whose values are secret, added to `DEFAULT_SECRET_KEYS` (case and `-`/`_` insensitive). */
  secretKeys?: Iterable<string>
  /**
   * The secret values in scope (e.g. the decrypted credentials of the connection), asked once per
   * redaction call. Each is hidden anywhere inside strings, also URL-encoded and base64.
   */
  secretValues?: () => Iterable<string>
  /** Deepest nesting kept; deeper values become `[MaxDepth]`. Default 16. */
  maxDepth?: number
  /** Most values kept in one output; the rest become `[Truncated]`. Default 10 000. */
  maxNodes?: number
  /** Longest string kept; longer ones are cut and marked `[Truncated]`. Default 8 192. */
  maxStringLength?: number
}

/** An error reduced to what may be stored or shown: no secrets, no stack. */
export interface RedactedError {
  code: string
  message: string
  /** Set for the SDK's own errors: whether retrying may help. */
  retryable?: boolean
  /** Set when a `RetryableError` asks for a delay. */
  retryAfterMs?: number
}

/** Header sets accepted by {@link Redactor.redactHeaders}: Web `Headers`, Node's header object, or pairs. */
export type HeaderInput =
  | { forEach(callback: (value: string, name: string) => void): void }
  | Readonly<Record<string, string | readonly string[] | number | undefined>>
  | Iterable<readonly [string, string]>

/**
 * Hides secrets in anything about to be stored, shown or logged. Every method is total: it never
 * throws, and if redaction itself fails it answers `[REDACTED]` rather than the input.
 */
export interface Redactor {
  /** A JSON copy of any value with secrets hidden. Cycle-safe and bounded; Errors, Dates, Maps, binaries handled. */
  redactValue(value: unknown): Json
  /** `text` with known secret values, token shapes and secret `key=value` / `key: value` pairs hidden. */
  redactText(text: string): string
  /** A plain header record: secret headers hidden, other values redacted as text, arrays joined. */
  redactHeaders(headers: HeaderInput | null | undefined): Record<string, string>
  /** Code, redacted message and retry hints of an error, for attempt history and API answers. */
  redactError(error: unknown): RedactedError
}

interface Walk {
  keys: SecretKeyMatcher
  known: KnownSecrets
  nodes: number
  text(value: string): string
}

/**
 * Create a {@link Redactor}. It hides (a) values under secret keys, (b) every occurrence of the
 * known secret values, raw, URL-encoded or base64, and (c) common token shapes: `Bearer`/`Basic`
 * credentials, `shpat_`/`shpua_`/`shpca_` Shopify tokens, `ck_`/`cs_` WooCommerce keys, JWTs,
 * private keys, passwords in URLs and secret query parameters.
 */
export function createRedactor(options: RedactorOptions = {}): Redactor {
  const keys = createSecretKeyMatcher(options.secretKeys)
  const maxDepth = positive(options.maxDepth, 16)
  const maxNodes = positive(options.maxNodes, 10_000)
  const maxStringLength = positive(options.maxStringLength, 8_192)

  // Compiling the matcher is the costly part; reuse it while the secret values stay the same.
  let cached: { fingerprint: string; known: KnownSecrets } | undefined
  const knownSecrets = (): KnownSecrets => {
    const values = [...(options.secretValues?.() ?? [])].filter((value) => typeof value === 'string')
    const fingerprint = values.join('\u0000')
    if (cached?.fingerprint !== fingerprint) cached = { fingerprint, known: compileKnownSecrets(values) }
    return cached.known
  }

  const boundedText = (text: string, known: KnownSecrets): string => {
    // Redact before cutting, so a cut never leaves a secret's prefix unrecognized. A huge input is
    // cut first, minus a margin: a secret straddling that first cut is dropped whole.
    const hardLimit = maxStringLength * 4
    const input =
      text.length > hardLimit ? text.slice(0, Math.max(0, hardLimit - known.longestForm - 256)) : text
    const out = redactString(input, known, keys)
    if (out.length <= maxStringLength && input === text) return out
    return `${out.slice(0, maxStringLength)}…${TRUNCATED}`
  }

  const newWalk = (): Walk => {
    const known = knownSecrets()
    return { keys, known, nodes: 0, text: (value) => boundedText(value, known) }
  }

  const walk = (value: unknown, state: Walk, depth: number, ancestors: Set<object>): Json | undefined => {
    state.nodes++
    switch (typeof value) {
      case 'string':
        return state.text(value)
      case 'number':
        return Number.isFinite(value) ? value : String(value)
      case 'boolean':
        return value
      case 'bigint':
        return state.text(value.toString())
      case 'object':
        if (value === null) return null
        if (depth >= maxDepth) return MAX_DEPTH
        if (ancestors.has(value)) return CIRCULAR
        ancestors.add(value)
        try {
          return walkObject(value, state, depth, ancestors)
        } finally {
          ancestors.delete(value)
        }
      default:
        return undefined // undefined, functions and symbols, as JSON.stringify drops them
    }
  }

  const walkObject = (value: object, state: Walk, depth: number, ancestors: Set<object>): Json => {
    const child = (v: unknown): Json | undefined => walk(v, state, depth + 1, ancestors)
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()
    if (value instanceof URL) return state.text(value.href)
    if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[Binary ${value.byteLength} bytes]`
    if (value instanceof Error) return walkError(value, state, child)
    if (isHeaders(value)) return headersOf(value, state)
    if (Array.isArray(value) || value instanceof Set) return walkArray([...value], state, child)
    if (value instanceof Map)
      return walkEntries(
        [...value].map(([k, v]) => [String(k), v]),
        state,
        child,
      )
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
      return child((value as { toJSON(): unknown }).toJSON()) ?? null
    }
    return walkEntries(readEntries(value), state, child)
  }

  const walkArray = (items: unknown[], state: Walk, child: (v: unknown) => Json | undefined): Json[] => {
    const out: Json[] = []
    for (const [index, item] of items.entries()) {
      if (state.nodes >= maxNodes) {
        out.push(`${TRUNCATED} ${items.length - index} more`)
        break
      }
      out.push(child(item) ?? null)
    }
    return out
  }

  const walkEntries = (
    entries: Array<[string, unknown]>,
    state: Walk,
    child: (v: unknown) => Json | undefined,
  ): { [key: string]: Json } => {
    const out: { [key: string]: Json } = {}
    for (const [index, [key, item]] of entries.entries()) {
      if (state.nodes >= maxNodes) {
        setKey(out, TRUNCATED, `${entries.length - index} more`)
        break
      }
      let safe: Json | undefined = REDACTED
      if (state.keys.isSecretEntry(key, item)) state.nodes++
      else safe = child(item)
      if (safe !== undefined) setKey(out, state.text(key), safe)
    }
    return out
  }

  const walkError = (error: Error, state: Walk, child: (v: unknown) => Json | undefined): Json => {
    const out: { [key: string]: Json } = {}
    setKey(out, 'name', state.text(String(read(() => error.name))))
    setKey(out, 'message', state.text(String(read(() => error.message))))
    const fields = walkEntries(readEntries(error), state, child)
    for (const [key, item] of Object.entries(fields)) setKey(out, key, item)
    const cause = read(() => error.cause)
    if (cause !== undefined) setKey(out, 'cause', child(cause) ?? null)
    const stack = read(() => error.stack)
    if (typeof stack === 'string') setKey(out, 'stack', state.text(stack))
    return out
  }

  const headersOf = (headers: HeaderInput | null | undefined, state: Walk): Record<string, string> => {
    const out: Record<string, string> = {}
    for (const [name, raw] of headerEntries(headers)) {
      if (state.nodes++ >= maxNodes) {
        setKey(out, TRUNCATED, 'more headers')
        break
      }
      if (raw === undefined || raw === null) continue
      const value = Array.isArray(raw) ? raw.join(', ') : String(raw)
      setKey(out, state.text(name), state.keys.isSecretEntry(name, value) ? REDACTED : state.text(value))
    }
    return out
  }

  const failClosed = <T>(run: () => T, fallback: T): T => {
    try {
      return run()
    } catch {
      return fallback
    }
  }

  return {
    redactValue: (value) => failClosed(() => walk(value, newWalk(), 0, new Set()) ?? null, REDACTED),
    redactText: (text) =>
      failClosed(() => newWalk().text(typeof text === 'string' ? text : String(text)), REDACTED),
    redactHeaders: (headers) => failClosed(() => headersOf(headers, newWalk()), {}),
    redactError: (error) =>
      failClosed(() => errorSummary(error, newWalk()), { code: 'UNEXPECTED_ERROR', message: REDACTED }),
  }
}

function errorSummary(error: unknown, state: Walk): RedactedError {
  const summary: RedactedError = { code: errorCode(error), message: state.text(errorMessage(error)) }
  if (error instanceof HubError) summary.retryable = isRetryable(error)
  if (error instanceof RetryableError && error.retryAfterMs !== undefined)
    summary.retryAfterMs = error.retryAfterMs
  return summary
}

function errorCode(error: unknown): string {
  if (error instanceof HubError) return error.code
  const code =
    typeof error === 'object' && error !== null ? read(() => (error as { code?: unknown }).code) : undefined
  return typeof code === 'string' && CODE_SHAPE.test(code) ? code : 'UNEXPECTED_ERROR'
}

function errorMessage(error: unknown): string {
  if (error instanceof Error) return String(read(() => error.message || error.name))
  if (typeof error === 'string') return error
  const message =
    typeof error === 'object' && error !== null
      ? read(() => (error as { message?: unknown }).message)
      : undefined
  if (typeof message === 'string') return message
  return read(() => JSON.stringify(error)) ?? String(error)
}

function headerEntries(headers: HeaderInput | null | undefined): Array<[string, unknown]> {
  if (!headers) return []
  if (!Array.isArray(headers) && typeof (headers as { forEach?: unknown }).forEach === 'function') {
    // Web Headers and Map both call back with (value, name).
    const entries: Array<[string, unknown]> = []
    ;(headers as { forEach(callback: (value: unknown, name: unknown) => void): void }).forEach(
      (value, name) => {
        entries.push([String(name), value])
      },
    )
    return entries
  }
  if (Symbol.iterator in headers) {
    return [...(headers as Iterable<readonly [unknown, unknown]>)].map(([name, value]) => [
      String(name),
      value,
    ])
  }
  return Object.entries(headers)
}

function isHeaders(value: unknown): value is Headers {
  return typeof Headers !== 'undefined' && value instanceof Headers
}

/** Own enumerable entries; a throwing getter reads as `[Unreadable]` instead of failing the whole value. */
function readEntries(value: object): Array<[string, unknown]> {
  return Object.keys(value).map((key) => [
    key,
    read(() => (value as Record<string, unknown>)[key], UNREADABLE),
  ])
}

function read<T>(get: () => T, fallback?: T): T | undefined {
  try {
    return get()
  } catch {
    return fallback
  }
}

/** Assign without ever touching the prototype (`__proto__` is a valid JSON key). */
function setKey(target: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

function positive(value: number | undefined, fallback: number): number {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.floor(value) : fallback
}

type Level = 'debug' | 'info' | 'warn' | 'error'

/**
 * Wrap a {@link Logger} so every field, message and child binding passes through `redactor` first.
 * Also accepts pino's `(message)` and `(error)` call styles at run time; extra printf-style
 * arguments are dropped, since they would bypass redaction.
 */
export function redactingLogger(logger: Logger, redactor: Redactor): Logger {
  const forward =
    (level: Level) =>
    (fields: LogFields, message?: string): void => {
      const safeFields = toFields(fields, redactor)
      if (message === undefined) logger[level](safeFields)
      else logger[level](safeFields, redactor.redactText(message))
    }
  const wrapped: Logger = {
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
  }
  const child = logger.child
  if (child) {
    wrapped.child = (bindings) => redactingLogger(child.call(logger, toFields(bindings, redactor)), redactor)
  }
  return wrapped
}

function toFields(fields: unknown, redactor: Redactor): LogFields {
  // A bare message goes through as a (redacted) string, the way pino-style loggers expect it.
  if (typeof fields === 'string') return redactor.redactText(fields) as unknown as LogFields
  if (fields instanceof Error) return { err: redactor.redactValue(fields) }
  const safe = redactor.redactValue(fields)
  return typeof safe === 'object' && safe !== null && !Array.isArray(safe) ? safe : { value: safe }
}
