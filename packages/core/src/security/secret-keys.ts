/**
 * Keys whose values are secret wherever they appear: object keys, header names, `key=value` and
 * `key: value` pairs in text. Matched case-insensitively, ignoring `-`, `_`, `.` and spaces, so
 * `accessToken`, `access_token` and `Access-Token` are the same key.
 */
export const DEFAULT_SECRET_KEYS: readonly string[] = Object.freeze([
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'session_token',
  'api_key',
  'apikey',
  'x-api-key',
  'consumer_key',
  'consumer_secret',
  'client_secret',
  'shared_secret',
  'webhook_secret',
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-shopify-access-token',
  'x-shopify-hmac-sha256',
  'x-wc-webhook-signature',
  'hmac',
  'signature',
  'code',
  'private_key',
  'encryption_key',
  'credentials',
  'jwt',
])

/** Any key containing one of these (normalized) is secret too: `dbPassword`, `shopifyApiSecret`, … */
const SECRET_FRAGMENTS = [
  'password',
  'passwd',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'authorization',
  'cookie',
  'signature',
  'hmac',
  'credential',
]

/**
 * Keys that are secret only when the value does not look like a machine code: an OAuth `code` is
 * secret, but `code: "THROTTLED"` or `code: 404` in an error body is what makes it debuggable.
 */
const SOFT_KEYS = new Set(['code'])
const HARMLESS_SOFT_VALUE = /^(?:[A-Z][A-Z0-9_.]*|\d{1,6})$/
const HARMLESS_TEXT_VALUE = new Set(['', 'null', 'undefined', 'true', 'false'])

/** Decides which keys and entries are secret. */
export interface SecretKeyMatcher {
  /** Whether values under this key are secret. */
  isSecretKey(key: string): boolean
  /** Whether this entry must be hidden: a secret key, and a value that could carry a secret. */
  isSecretEntry(key: string, value: unknown): boolean
  /** Same, for a `key=value` / `key: value` pair found in text (the value is the raw text). */
  isSecretTextEntry(key: string, value: string): boolean
}

/** Build a matcher for {@link DEFAULT_SECRET_KEYS} plus `extraKeys`. */
export function createSecretKeyMatcher(extraKeys: Iterable<string> = []): SecretKeyMatcher {
  const exact = new Set(DEFAULT_SECRET_KEYS.map(normalizeKey))
  for (const key of extraKeys) if (typeof key === 'string' && key) exact.add(normalizeKey(key))

  const isSecretKey = (key: string): boolean => {
    const normalized = normalizeKey(key)
    return exact.has(normalized) || SECRET_FRAGMENTS.some((fragment) => normalized.includes(fragment))
  }
  const isSoftValue = (key: string, value: unknown): boolean =>
    SOFT_KEYS.has(normalizeKey(key)) &&
    (typeof value === 'number' || (typeof value === 'string' && HARMLESS_SOFT_VALUE.test(value)))

  return {
    isSecretKey,
    isSecretEntry: (key, value) =>
      value !== null &&
      value !== undefined &&
      typeof value !== 'boolean' &&
      isSecretKey(key) &&
      !isSoftValue(key, value),
    isSecretTextEntry: (key, value) => {
      const unquoted = value.replace(/^(["'])(.*)\1$/s, '$2').trim()
      return isSecretKey(key) && !HARMLESS_TEXT_VALUE.has(unquoted) && !isSoftValue(key, unquoted)
    },
  }
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_.\s]/g, '')
}
