import { randomBytes } from 'node:crypto'
import { ConfigError, type Logger, silentLogger } from '@hub/core'
import { z } from 'zod'
import { parseStoreUrl, type StoreUrlPolicy } from './woocommerce-url.js'

/** Key permissions WooCommerce grants. A `write` key cannot GET, so the SDK asks for `read_write`. */
export const wooKeyScopeSchema = z.enum(['read', 'write', 'read_write'])
/** @see wooKeyScopeSchema */
export type WooKeyScope = z.infer<typeof wooKeyScopeSchema>

/** Input of {@link buildAuthorizeUrl}. */
export interface AuthorizeUrlInput {
  /** The store's home URL, as the seller typed it; validated with {@link parseStoreUrl}. */
  storeUrl: string
  /** Shown to the merchant; the key description becomes `<app_name> - API (<date>)`. */
  appName: string
  /** Default `read_write`. */
  scope?: WooKeyScope
  /**
   * Echoed back verbatim in the callback body and on the return URL. The callback is not
   * signed, so make this an unguessable, single-use state bound to the pending connection
   * ({@link createWcAuthState}); it is the only thing that ties the keys to a seller.
   */
  userId: string
  /** Where the merchant's browser lands: `?success=1|0&user_id=…` is appended. http or https. */
  returnUrl: string
  /** Where WooCommerce POSTs the keys. Must be https (WooCommerce refuses anything else). */
  callbackUrl: string
  /** URL policy for `storeUrl` (https and public address by default). */
  policy?: StoreUrlPolicy
}

/** A random, URL-safe state to use as `user_id` (32 bytes of entropy). */
export function createWcAuthState(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * Build `{store}/wc-auth/v1/authorize?app_name&scope&user_id&return_url&callback_url`, the page
 * where the merchant approves the key. Throws `ConfigError` / `WooUrlError` on bad input rather
 * than letting WooCommerce answer with an HTML error page.
 */
export function buildAuthorizeUrl(input: AuthorizeUrlInput): string {
  const store = parseStoreUrl(input.storeUrl, input.policy)
  const appName = input.appName?.trim() ?? ''
  if (appName === '') throw new ConfigError('wc-auth app_name must not be empty')
  const scope = wooKeyScopeSchema.safeParse(input.scope ?? 'read_write')
  if (!scope.success) throw new ConfigError(`wc-auth scope must be read, write or read_write`)
  if (typeof input.userId !== 'string' || input.userId === '') {
    throw new ConfigError('wc-auth user_id must be a non-empty string')
  }
  const callback = parseAbsolute(input.callbackUrl, 'callback_url')
  if (callback.protocol !== 'https:') {
    throw new ConfigError('wc-auth callback_url must use https (WooCommerce refuses other schemes)')
  }
  const back = parseAbsolute(input.returnUrl, 'return_url')
  if (back.protocol !== 'https:' && back.protocol !== 'http:') {
    throw new ConfigError('wc-auth return_url must be http or https')
  }
  const query = new URLSearchParams({
    app_name: appName,
    scope: scope.data,
    user_id: input.userId,
    return_url: back.href,
    callback_url: callback.href,
  })
  return `${store}wc-auth/v1/authorize?${query.toString()}`
}

function parseAbsolute(value: string, name: string): URL {
  try {
    return new URL(value)
  } catch (cause) {
    throw new ConfigError(`wc-auth ${name} is not an absolute URL`, { cause })
  }
}

/** Body WooCommerce POSTs to `callback_url` (recorded: `user_id` is a JSON string; the docs show a number). */
export const wcAuthCallbackBodySchema = z.object({
  key_id: z.number().int().positive(),
  user_id: z.union([z.string().min(1), z.number().int()]).transform(String),
  consumer_key: z.string().regex(/^ck_[0-9a-f]{40}$/, 'ck_ + 40 hex'),
  consumer_secret: z.string().regex(/^cs_[0-9a-f]{40}$/, 'cs_ + 40 hex'),
  key_permissions: wooKeyScopeSchema,
})

/** Keys delivered by the wc-auth callback, not yet proven to work. */
export interface WcAuthKeys {
  keyId: number
  /** The state you passed as `user_id`. */
  userId: string
  consumerKey: string
  consumerSecret: string
  permissions: WooKeyScope
}

/**
 * Where the handler keeps keys. WooCommerce deletes a key when the callback does not answer
 * exactly 200, and the merchant may still deny or abandon the flow, so keys are stored as
 * PROVISIONAL and promoted only on `success=1` at the return URL or a successful test request.
 */
export interface WcAuthKeyStore {
  /** Whether `userId` is a pending state you issued. Unknown states are refused (403). */
  isPending(userId: string): boolean | Promise<boolean>
  /** Store the keys as provisional (encrypted). Throwing answers 500: WooCommerce then deletes the key. */
  saveProvisional(keys: WcAuthKeys): Promise<void>
  /** Promote the provisional keys of `userId` to the connection's credentials. */
  confirm(userId: string, via: 'return_url' | 'test_request'): Promise<void>
  /** Drop provisional keys (merchant denied, or the key does not work). */
  discard(userId: string, reason: string): Promise<void>
}

/** Options of {@link createWcAuthCallbackHandler}. */
export interface WcAuthCallbackOptions {
  store: WcAuthKeyStore
  /** Permissions the app needs. Default `read_write`; a weaker key is refused (400). */
  requiredPermissions?: WooKeyScope
  /** Largest accepted body (default 16 KiB; the real one is ~190 bytes). */
  maxBodyBytes?: number
  logger?: Logger
}

/** Whether `granted` covers `required`. */
export function permissionsCover(granted: WooKeyScope, required: WooKeyScope): boolean {
  return granted === 'read_write' || granted === required
}

/**
 * The `callback_url` endpoint as a Web `Request` → `Response` function. Answers exactly 200 once
 * the keys are stored as provisional; 405 for a non-POST, 413 for an oversized body, 400 for a
 * body that is not the recorded shape or grants too little, 403 for an unknown `user_id`, 500
 * when storing fails. Any non-200 makes WooCommerce delete the key, which is what we want then.
 * Secrets are never logged: only the key id, the state and the key's last 7 characters.
 */
export function createWcAuthCallbackHandler(
  options: WcAuthCallbackOptions,
): (request: Request) => Promise<Response> {
  const logger = options.logger ?? silentLogger
  const required = options.requiredPermissions ?? 'read_write'
  const maxBytes = options.maxBodyBytes ?? 16 * 1024
  return async (request) => {
    if (request.method.toUpperCase() !== 'POST') return answer(405, 'method_not_allowed', { allow: 'POST' })
    const declared = Number(request.headers.get('content-length') ?? '0')
    if (declared > maxBytes) return answer(413, 'body_too_large')
    let text: string
    try {
      const bytes = new Uint8Array(await request.arrayBuffer())
      if (bytes.byteLength > maxBytes) return answer(413, 'body_too_large')
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
    } catch {
      return answer(400, 'unreadable_body')
    }
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      logger.warn(
        { event: 'wc_auth_callback_rejected', reason: 'invalid_json' },
        'wc-auth callback body is not JSON',
      )
      return answer(400, 'invalid_json')
    }
    const parsed = wcAuthCallbackBodySchema.safeParse(json)
    if (!parsed.success) {
      const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '')))]
      logger.warn(
        { event: 'wc_auth_callback_rejected', reason: 'invalid_body', fields },
        'wc-auth callback body invalid',
      )
      return answer(400, 'invalid_body')
    }
    const body = parsed.data
    const keys: WcAuthKeys = {
      keyId: body.key_id,
      userId: body.user_id,
      consumerKey: body.consumer_key,
      consumerSecret: body.consumer_secret,
      permissions: body.key_permissions,
    }
    const logFields = {
      event: 'wc_auth_callback',
      keyId: keys.keyId,
      truncatedKey: keys.consumerKey.slice(-7),
    }
    if (!(await options.store.isPending(keys.userId))) {
      logger.warn({ ...logFields, reason: 'unknown_state' }, 'wc-auth callback for an unknown user_id')
      return answer(403, 'unknown_user_id')
    }
    if (!permissionsCover(keys.permissions, required)) {
      logger.warn({ ...logFields, permissions: keys.permissions }, 'wc-auth key grants too little')
      return answer(400, 'insufficient_permissions')
    }
    try {
      await options.store.saveProvisional(keys)
    } catch (error) {
      logger.error(
        { ...logFields, error: error instanceof Error ? error.name : 'unknown' },
        'storing keys failed',
      )
      return answer(500, 'store_failed')
    }
    logger.info(logFields, 'wc-auth keys stored as provisional')
    return answer(200, 'ok')
  }
}

function answer(status: number, result: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ result }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

/** What the merchant's browser brought back to `return_url`. */
export interface WcAuthReturn {
  success: boolean
  userId: string
}

/** Parse `return_url?success=1|0&user_id=…`. Throws `ConfigError` when either is missing or odd. */
export function parseWcAuthReturn(url: string | URL): WcAuthReturn {
  const parsed = typeof url === 'string' ? parseAbsolute(url, 'return_url') : url
  const success = parsed.searchParams.get('success')
  const userId = parsed.searchParams.get('user_id')
  if ((success !== '1' && success !== '0') || !userId) {
    throw new ConfigError('wc-auth return URL needs success=1|0 and user_id')
  }
  return { success: success === '1', userId }
}

/**
 * Finish the flow from the return URL: `success=1` confirms the provisional keys, `success=0`
 * (merchant denied) discards them. Returns the parsed outcome.
 */
export async function completeWcAuthReturn(url: string | URL, store: WcAuthKeyStore): Promise<WcAuthReturn> {
  const outcome = parseWcAuthReturn(url)
  if (outcome.success) await store.confirm(outcome.userId, 'return_url')
  else await store.discard(outcome.userId, 'merchant denied access')
  return outcome
}

/**
 * Confirm provisional keys with a test request when the browser never came back. `probe` makes
 * an authenticated GET with the keys (e.g. `client.ping()`) and resolves `true` on 200, `false`
 * on 401/403. Working keys are confirmed; dead ones (WooCommerce deleted them) are discarded.
 * Other errors propagate so the caller can try again later.
 */
export async function confirmWcAuthByTestRequest(
  keys: WcAuthKeys,
  store: WcAuthKeyStore,
  probe: (keys: WcAuthKeys) => Promise<boolean>,
): Promise<boolean> {
  const works = await probe(keys)
  if (works) await store.confirm(keys.userId, 'test_request')
  else await store.discard(keys.userId, 'key rejected by the store')
  return works
}
