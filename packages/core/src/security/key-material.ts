import { randomBytes } from 'node:crypto'
import { ConfigError } from '../errors.js'

const KEY_BYTES = 32
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/
const HEX_KEY = /^[0-9a-fA-F]{64}$/
const BASE64_KEY = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+={0,2})$/

/** A 256-bit key: 32 raw bytes, 64 hex characters, or base64 (standard or url-safe) of 32 bytes. */
export type KeyInput = Uint8Array | string

/** Generate a random 256-bit key, base64 (default) or hex, ready for `HUB_ENCRYPTION_KEY` or `HUB_KEYRING`. */
export function generateKey(encoding: 'base64' | 'hex' = 'base64'): string {
  return randomBytes(KEY_BYTES).toString(encoding)
}

/** Whether a key id is usable: 1-64 letters, digits, `.`, `_` or `-` (no `:` or `,`, which `HUB_KEYRING` uses). */
export function validKeyId(keyId: unknown): keyId is string {
  return typeof keyId === 'string' && KEY_ID.test(keyId)
}

/** Message for an invalid key id. It never echoes the id: a misplaced key could sit where the id belongs. */
export function invalidKeyIdMessage(what: string): string {
  return `${what} is invalid: use 1-64 letters, digits, ".", "_" or "-"`
}

/**
 * Turn a key into 32 bytes (a private copy). `label` names the key in errors, e.g. `Key "k1"`;
 * the error never contains the key itself.
 *
 * @throws ConfigError when the key is not 32 bytes or not valid hex/base64.
 */
export function parseKey(input: unknown, label: string): Buffer {
  let bytes: Buffer
  if (input instanceof Uint8Array) {
    bytes = Buffer.from(input)
  } else if (typeof input === 'string') {
    const text = input.trim()
    if (HEX_KEY.test(text)) bytes = Buffer.from(text, 'hex')
    else if (BASE64_KEY.test(text))
      bytes = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64')
    else throw new ConfigError(`${label} is neither 64 hex characters nor base64`)
  } else {
    throw new ConfigError(`${label} must be a Buffer/Uint8Array or a hex or base64 string`)
  }
  if (bytes.length !== KEY_BYTES) {
    throw new ConfigError(`${label} must be ${KEY_BYTES} bytes (AES-256), got ${bytes.length} bytes`)
  }
  return bytes
}
