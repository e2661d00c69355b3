import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import type { Json } from '../domain/json.js'
import { type EncryptedSecret, encryptedSecretSchema } from '../domain/schemas.js'
import { ConfigError, CredentialError } from '../errors.js'
import type { Keyring } from '../ports/keyring.js'
import { invalidKeyIdMessage, type KeyInput, parseKey, validKeyId } from './key-material.js'

const ALGORITHM = 'aes-256-gcm'
const IV_BYTES = 12
const TAG_BYTES = 16
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

/** Options of {@link createKeyring}. */
export interface KeyringOptions {
  /** Every key that may still decrypt stored secrets, by key id (letters, digits, `.`, `_`, `-`). */
  keys: Readonly<Record<string, KeyInput>>
  /** The key new secrets are encrypted with; must be one of `keys`. */
  currentKeyId: string
}

/** The AES-256-GCM {@link Keyring}, plus what a key-rotation job needs. */
export interface AesKeyring extends Keyring {
  /** Ids of every key this keyring can decrypt with (never the keys themselves). */
  readonly keyIds: readonly string[]
  /** Decrypt with whichever known key, then encrypt again with the current key and a fresh IV. */
  rotate(secret: EncryptedSecret, aad?: string): EncryptedSecret
}

/**
 * Create an AES-256-GCM keyring: 12-byte random IV, 16-byte tag, key ids and rotation.
 *
 * The authenticated data is `hub/v1/<keyId>/<aad>`, so a secret is bound both to the key id it
 * claims and to its row (pass e.g. the connection id as `aad`): a secret copied onto another row,
 * or relabelled with another key id, does not decrypt. Keys live in a closure, never on the object,
 * so logging or serializing the keyring shows no key material.
 *
 * @throws ConfigError when a key id or key is invalid, or `currentKeyId` is not among `keys`.
 */
export function createKeyring(options: KeyringOptions): AesKeyring {
  const keys = new Map<string, Buffer>()
  for (const [keyId, input] of Object.entries(options?.keys ?? {})) {
    if (!validKeyId(keyId)) throw new ConfigError(invalidKeyIdMessage('A keyring key id'))
    keys.set(keyId, parseKey(input, `Key "${keyId}"`))
  }
  const currentKeyId = options?.currentKeyId
  if (keys.size === 0) throw new ConfigError('A keyring needs at least one key')
  if (typeof currentKeyId !== 'string' || !keys.has(currentKeyId)) {
    throw new ConfigError(
      `currentKeyId must be one of the keyring's key ids (${[...keys.keys()].join(', ')})`,
    )
  }

  const encrypt = (value: Json, aad?: string): EncryptedSecret => {
    const plaintext = serialize(value)
    const iv = randomBytes(IV_BYTES)
    const cipher = createCipheriv(ALGORITHM, keys.get(currentKeyId)!, iv, { authTagLength: TAG_BYTES })
    cipher.setAAD(associatedData(currentKeyId, aad))
    const data = Buffer.concat([cipher.update(plaintext), cipher.final()])
    return {
      v: 1,
      keyId: currentKeyId,
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    }
  }

  const decrypt = (secret: EncryptedSecret, aad?: string): Json => {
    const parsed = encryptedSecretSchema.safeParse(secret)
    if (!parsed.success) throw malformed('it is not an encrypted secret (v, keyId, iv, tag, data)')
    const { keyId } = parsed.data
    const key = keys.get(keyId)
    if (!key) {
      const shown = validKeyId(keyId) ? `"${keyId}"` : 'an invalid key id'
      throw new CredentialError(
        'KEY_UNKNOWN',
        `Credentials were encrypted with ${shown}, which the keyring does not hold`,
      )
    }
    const iv = decodeBase64(parsed.data.iv, IV_BYTES, 'iv')
    const tag = decodeBase64(parsed.data.tag, TAG_BYTES, 'tag')
    const data = decodeBase64(parsed.data.data, undefined, 'data')
    let plaintext: string
    try {
      const decipher = createDecipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES })
      decipher.setAAD(associatedData(keyId, aad))
      decipher.setAuthTag(tag)
      plaintext = Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8')
    } catch {
      // No cause attached: nothing about the key or the plaintext may travel with the error.
      throw new CredentialError(
        'CREDENTIALS_UNDECRYPTABLE',
        `Credentials could not be decrypted with key "${keyId}": wrong key, wrong binding (aad) or tampered data`,
      )
    }
    try {
      return JSON.parse(plaintext) as Json
    } catch {
      throw new CredentialError('CREDENTIALS_UNDECRYPTABLE', 'Decrypted credentials are not JSON')
    }
  }

  return Object.freeze({
    currentKeyId,
    keyIds: Object.freeze([...keys.keys()]),
    encrypt,
    decrypt,
    needsRotation: (secret: EncryptedSecret) => secret?.keyId !== currentKeyId,
    rotate: (secret: EncryptedSecret, aad?: string) => encrypt(decrypt(secret, aad), aad),
  })
}

function associatedData(keyId: string, aad: string | undefined): Buffer {
  if (aad !== undefined && typeof aad !== 'string') throw new ConfigError('aad must be a string')
  return Buffer.from(`hub/v1/${keyId}/${aad ?? ''}`, 'utf8')
}

function serialize(value: Json): Buffer {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch {
    text = undefined
  }
  if (text === undefined) {
    throw new CredentialError(
      'CREDENTIALS_UNSERIALIZABLE',
      'Credentials must be a JSON value to be encrypted',
    )
  }
  return Buffer.from(text, 'utf8')
}

function decodeBase64(text: string, bytes: number | undefined, field: string): Buffer {
  const buffer = BASE64.test(text) ? Buffer.from(text, 'base64') : undefined
  if (!buffer || (bytes !== undefined && buffer.length !== bytes)) {
    throw malformed(
      bytes === undefined ? `${field} is not base64` : `${field} is not ${bytes} bytes of base64`,
    )
  }
  return buffer
}

function malformed(why: string): CredentialError {
  return new CredentialError('CREDENTIALS_MALFORMED', `Encrypted credentials are malformed: ${why}`)
}
