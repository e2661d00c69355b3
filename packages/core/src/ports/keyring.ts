import type { Json } from '../domain/json.js'
import type { EncryptedSecret } from '../domain/schemas.js'

/** Encrypts credentials at rest. `createKeyring` in this package is the AES-256-GCM implementation. */
export interface Keyring {
  /** Id of the key new secrets are encrypted with. */
  readonly currentKeyId: string
  /** Encrypt a JSON value with the current key; `aad` binds it to its row (e.g. the connection id). */
  encrypt(value: Json, aad?: string): EncryptedSecret
  /** Decrypt with whichever known key encrypted it; throws `CredentialError` otherwise. */
  decrypt(secret: EncryptedSecret, aad?: string): Json
  /** Whether the secret was encrypted with an older key and should be re-encrypted. */
  needsRotation(secret: EncryptedSecret): boolean
}
