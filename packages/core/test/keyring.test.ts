import { createCipheriv, randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { ConfigError, CredentialError, type EncryptedSecret, encryptedSecretSchema } from '../src/index.js'
import {
  createKeyring,
  DEFAULT_KEY_ID,
  generateKey,
  keyringFromEnv,
  parseKey,
} from '../src/security/index.js'

const K1 = Buffer.alloc(32, 1)
const K2 = randomBytes(32)
const CREDENTIALS = { accessToken: 'shpat_0123456789abcdef0123456789abcdef', scopes: ['read_products'], n: 3 }

/** Flip one bit of a base64 field's bytes. */
function flip(secret: EncryptedSecret, field: 'iv' | 'tag' | 'data', byte = 0): EncryptedSecret {
  const bytes = Buffer.from(secret[field], 'base64')
  bytes[byte] = bytes[byte]! ^ 0x01
  return { ...secret, [field]: bytes.toString('base64') }
}

function codeOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialError)
    return (error as CredentialError).code
  }
  throw new Error('expected a CredentialError')
}

function configMessage(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as ConfigError).message
  }
  throw new Error('expected a ConfigError')
}

describe('createKeyring', () => {
  const keyring = createKeyring({ keys: { k1: K1 }, currentKeyId: 'k1' })

  it('round-trips any JSON value, bound to its aad', () => {
    const secret = keyring.encrypt(CREDENTIALS, 'conn_1')
    expect(encryptedSecretSchema.parse(secret)).toEqual(secret)
    expect(secret.keyId).toBe('k1')
    expect(Buffer.from(secret.iv, 'base64')).toHaveLength(12)
    expect(Buffer.from(secret.tag, 'base64')).toHaveLength(16)
    expect(JSON.stringify(secret)).not.toContain('shpat_')
    expect(keyring.decrypt(secret, 'conn_1')).toEqual(CREDENTIALS)
    for (const value of ['plain', 0, false, null, [1, 'two'], { nested: { deep: 'é✓' } }]) {
      expect(keyring.decrypt(keyring.encrypt(value))).toEqual(value)
    }
  })

  it('uses a fresh IV each time', () => {
    const a = keyring.encrypt('same')
    const b = keyring.encrypt('same')
    expect(a.iv).not.toBe(b.iv)
    expect(a.data).not.toBe(b.data)
  })

  it('detects a flipped bit in data, tag or iv', () => {
    const secret = keyring.encrypt(CREDENTIALS, 'conn_1')
    for (const field of ['data', 'tag', 'iv'] as const) {
      expect(codeOf(() => keyring.decrypt(flip(secret, field), 'conn_1'))).toBe('CREDENTIALS_UNDECRYPTABLE')
    }
    expect(codeOf(() => keyring.decrypt(flip(secret, 'data', 7), 'conn_1'))).toBe('CREDENTIALS_UNDECRYPTABLE')
  })

  it('refuses another aad, a missing aad and an aad where none was bound', () => {
    const bound = keyring.encrypt(CREDENTIALS, 'conn_1')
    expect(codeOf(() => keyring.decrypt(bound, 'conn_2'))).toBe('CREDENTIALS_UNDECRYPTABLE')
    expect(codeOf(() => keyring.decrypt(bound))).toBe('CREDENTIALS_UNDECRYPTABLE')
    expect(codeOf(() => keyring.decrypt(keyring.encrypt(CREDENTIALS), 'conn_1'))).toBe(
      'CREDENTIALS_UNDECRYPTABLE',
    )
  })

  it('refuses a secret relabelled with another key id, or encrypted with another key', () => {
    const both = createKeyring({ keys: { k1: K1, k2: K1 }, currentKeyId: 'k1' })
    const secret = both.encrypt('x')
    // Same key bytes under both ids: only the key id bound into the aad tells them apart.
    expect(codeOf(() => both.decrypt({ ...secret, keyId: 'k2' }))).toBe('CREDENTIALS_UNDECRYPTABLE')
    const other = createKeyring({ keys: { k1: K2 }, currentKeyId: 'k1' })
    expect(codeOf(() => other.decrypt(secret))).toBe('CREDENTIALS_UNDECRYPTABLE')
  })

  it('reports an unknown key id without echoing an invalid one', () => {
    const secret = keyring.encrypt('x')
    let error: unknown
    try {
      keyring.decrypt({ ...secret, keyId: 'k9' })
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(CredentialError)
    expect((error as CredentialError).code).toBe('KEY_UNKNOWN')
    expect((error as Error).message).toContain('"k9"')
    const keyLike = generateKey()
    expect(() => keyring.decrypt({ ...secret, keyId: keyLike })).toThrow(/an invalid key id/)
    expect(() => keyring.decrypt({ ...secret, keyId: keyLike })).not.toThrow(keyLike)
  })

  it('refuses malformed secrets with CREDENTIALS_MALFORMED', () => {
    const secret = keyring.encrypt('x')
    const bad: unknown[] = [
      null,
      'text',
      { ...secret, v: 2 },
      { ...secret, keyId: '' },
      { ...secret, iv: 'not base64!' },
      { ...secret, iv: Buffer.alloc(8).toString('base64') },
      { ...secret, tag: Buffer.alloc(12).toString('base64') },
      { ...secret, data: '***' },
    ]
    for (const value of bad) {
      expect(codeOf(() => keyring.decrypt(value as EncryptedSecret))).toBe('CREDENTIALS_MALFORMED')
    }
  })

  it('refuses plaintext that is not JSON, without showing it', () => {
    // A valid GCM message (same key, same aad layout) around bytes that are not JSON.
    const iv = randomBytes(12)
    const cipher = createCipheriv('aes-256-gcm', K1, iv, { authTagLength: 16 })
    cipher.setAAD(Buffer.from('hub/v1/k1/'))
    const data = Buffer.concat([cipher.update('not json: s3cr3t-value'), cipher.final()])
    const crafted: EncryptedSecret = {
      v: 1,
      keyId: 'k1',
      iv: iv.toString('base64'),
      tag: cipher.getAuthTag().toString('base64'),
      data: data.toString('base64'),
    }
    let message = ''
    try {
      keyring.decrypt(crafted)
    } catch (error) {
      expect((error as CredentialError).code).toBe('CREDENTIALS_UNDECRYPTABLE')
      message = (error as Error).message
    }
    expect(message).toBe('Decrypted credentials are not JSON')
  })

  it('refuses values that are not JSON', () => {
    const cyclic: Record<string, unknown> = {}
    cyclic.self = cyclic
    expect(codeOf(() => keyring.encrypt(cyclic as never))).toBe('CREDENTIALS_UNSERIALIZABLE')
    expect(codeOf(() => keyring.encrypt(undefined as never))).toBe('CREDENTIALS_UNSERIALIZABLE')
    expect(codeOf(() => keyring.encrypt(10n as never))).toBe('CREDENTIALS_UNSERIALIZABLE')
    expect(() => keyring.encrypt('x', 42 as never)).toThrow(ConfigError)
  })

  it('rotates: old secrets still decrypt, needsRotation flags them, rotate re-encrypts with the current key', () => {
    const old = keyring.encrypt(CREDENTIALS, 'conn_1')
    const rotated = createKeyring({ keys: { k2: K2, k1: K1 }, currentKeyId: 'k2' })
    expect(rotated.keyIds).toEqual(['k2', 'k1'])
    expect(rotated.needsRotation(old)).toBe(true)
    expect(rotated.decrypt(old, 'conn_1')).toEqual(CREDENTIALS)
    const fresh = rotated.rotate(old, 'conn_1')
    expect(fresh.keyId).toBe('k2')
    expect(rotated.needsRotation(fresh)).toBe(false)
    expect(rotated.decrypt(fresh, 'conn_1')).toEqual(CREDENTIALS)
    expect(codeOf(() => keyring.decrypt(fresh, 'conn_1'))).toBe('KEY_UNKNOWN')
    expect(codeOf(() => rotated.rotate(old, 'conn_2'))).toBe('CREDENTIALS_UNDECRYPTABLE')
  })

  it('never shows its keys when logged or serialized', () => {
    const hex = K2.toString('hex')
    const b64 = K2.toString('base64')
    const shown = `${inspect(createKeyring({ keys: { k: K2 }, currentKeyId: 'k' }), { depth: 5, showHidden: true })}${JSON.stringify(createKeyring({ keys: { k: b64 }, currentKeyId: 'k' }))}`
    expect(shown).not.toContain(hex)
    expect(shown).not.toContain(b64)
  })

  it('copies key bytes, so later changes to the caller buffer do not matter', () => {
    const bytes = Buffer.from(K2)
    const ring = createKeyring({ keys: { k: bytes }, currentKeyId: 'k' })
    const secret = ring.encrypt('x')
    bytes.fill(0)
    expect(ring.decrypt(secret)).toBe('x')
  })

  it('accepts keys as bytes, hex, base64 and base64url, all the same key', () => {
    const forms = [
      K2,
      new Uint8Array(K2),
      K2.toString('hex'),
      K2.toString('base64'),
      K2.toString('base64url'),
    ]
    const secret = createKeyring({ keys: { k: K2 }, currentKeyId: 'k' }).encrypt('same key')
    for (const form of forms) {
      expect(createKeyring({ keys: { k: form }, currentKeyId: 'k' }).decrypt(secret)).toBe('same key')
    }
  })

  it('rejects bad configuration with a ConfigError that never contains the key', () => {
    const short = randomBytes(16).toString('base64')
    expect(configMessage(() => createKeyring({ keys: { k: short }, currentKeyId: 'k' }))).toBe(
      'Key "k" must be 32 bytes (AES-256), got 16 bytes',
    )
    expect(configMessage(() => createKeyring({ keys: { k: short }, currentKeyId: 'k' }))).not.toContain(short)
    expect(configMessage(() => createKeyring({ keys: { k: 'not a key!' }, currentKeyId: 'k' }))).toMatch(
      /neither 64 hex characters nor base64/,
    )
    expect(configMessage(() => createKeyring({ keys: { k: 42 as never }, currentKeyId: 'k' }))).toMatch(
      /Buffer/,
    )
    expect(configMessage(() => createKeyring({ keys: {}, currentKeyId: 'k' }))).toMatch(/at least one key/)
    expect(configMessage(() => createKeyring(undefined as never))).toMatch(/at least one key/)
    expect(configMessage(() => createKeyring({ keys: { k: K1 }, currentKeyId: 'x' }))).toMatch(/currentKeyId/)
    expect(configMessage(() => createKeyring({ keys: { 'a:b': K1 }, currentKeyId: 'a:b' }))).toMatch(
      /key id is invalid/,
    )
  })
})

describe('keyringFromEnv', () => {
  const a = generateKey()
  const b = generateKey('hex')

  it('reads HUB_KEYRING, first entry current', () => {
    const ring = keyringFromEnv({ HUB_KEYRING: ` k2:${a} , k1:${b},` })
    expect(ring.currentKeyId).toBe('k2')
    expect(ring.keyIds).toEqual(['k2', 'k1'])
    const old = createKeyring({ keys: { k1: b }, currentKeyId: 'k1' }).encrypt('v')
    expect(ring.decrypt(old)).toBe('v')
    expect(ring.needsRotation(old)).toBe(true)
  })

  it('keeps the first entry current even for integer-like ids', () => {
    expect(keyringFromEnv({ HUB_KEYRING: `2:${a},1:${b}` }).currentKeyId).toBe('2')
  })

  it('reads HUB_ENCRYPTION_KEY as the single key "default"; HUB_KEYRING wins when both are set', () => {
    const single = keyringFromEnv({ HUB_ENCRYPTION_KEY: a })
    expect(single.currentKeyId).toBe(DEFAULT_KEY_ID)
    expect(single.currentKeyId).toBe('default')
    expect(keyringFromEnv({ HUB_ENCRYPTION_KEY: a, HUB_KEYRING: `x:${b}` }).currentKeyId).toBe('x')
  })

  it('reads process.env by default', () => {
    const saved = process.env.HUB_ENCRYPTION_KEY
    const savedRing = process.env.HUB_KEYRING
    process.env.HUB_ENCRYPTION_KEY = a
    delete process.env.HUB_KEYRING
    try {
      expect(keyringFromEnv().currentKeyId).toBe('default')
    } finally {
      if (saved === undefined) delete process.env.HUB_ENCRYPTION_KEY
      else process.env.HUB_ENCRYPTION_KEY = saved
      if (savedRing !== undefined) process.env.HUB_KEYRING = savedRing
    }
  })

  it('explains missing or invalid configuration without ever echoing a key', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{}, /No encryption key/],
      [{ HUB_KEYRING: '  ', HUB_ENCRYPTION_KEY: '' }, /No encryption key/],
      [{ HUB_KEYRING: ',,' }, /no "keyId:key" entry/],
      [{ HUB_KEYRING: a }, /entry 1 must look like "keyId:key"/],
      [{ HUB_KEYRING: `k1:${a},${b}` }, /entry 2 must look like/],
      [{ HUB_KEYRING: `${a}:k1` }, /entry 1: the key id is invalid/],
      [{ HUB_KEYRING: `k1:${a},k1:${b}` }, /entry 2 repeats the key id/],
      [{ HUB_KEYRING: `k1:${a.slice(0, 20)}` }, /entry 1 must be 32 bytes/],
      [{ HUB_KEYRING: `k1:` }, /entry 1 is neither 64 hex characters nor base64/],
      [{ HUB_ENCRYPTION_KEY: b.slice(2) }, /HUB_ENCRYPTION_KEY must be 32 bytes/],
    ]
    for (const [env, expected] of cases) {
      const message = configMessage(() => keyringFromEnv(env))
      expect(message).toMatch(expected)
      for (const key of [a, b, a.slice(0, 20), b.slice(2)]) expect(message).not.toContain(key)
    }
  })
})

describe('generateKey and parseKey', () => {
  it('generates distinct 32-byte keys in base64 or hex', () => {
    expect(Buffer.from(generateKey(), 'base64')).toHaveLength(32)
    expect(generateKey('hex')).toMatch(/^[0-9a-f]{64}$/)
    expect(generateKey()).not.toBe(generateKey())
    expect(parseKey(` ${K2.toString('hex').toUpperCase()} `, 'k').equals(K2)).toBe(true)
  })
})
