import { ConfigError } from '../errors.js'
import { invalidKeyIdMessage, type KeyInput, parseKey, validKeyId } from './key-material.js'
import { type AesKeyring, createKeyring } from './keyring.js'

/** Key id used for the single key of `HUB_ENCRYPTION_KEY`. */
export const DEFAULT_KEY_ID = 'default'

const HELP = 'generate a key with `node -e "console.log(crypto.randomBytes(32).toString(\'base64\'))"`'

/**
 * Build the keyring from the environment.
 *
 * - `HUB_KEYRING="k2:<key>,k1:<key>"`: several keys by id, the first is current (older ones only decrypt).
 * - `HUB_ENCRYPTION_KEY="<key>"`: a single key with id `default`.
 *
 * `HUB_KEYRING` wins when both are set. Keys are base64 or hex of 32 bytes. Errors name entries by
 * position, never by content, so a malformed entry cannot leak a key into a log.
 *
 * @throws ConfigError when no key is configured or an entry is invalid.
 */
export function keyringFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): AesKeyring {
  const list = env.HUB_KEYRING?.trim()
  if (list) return createKeyring(parseKeyringList(list))
  const single = env.HUB_ENCRYPTION_KEY?.trim()
  if (single) {
    return createKeyring({
      keys: { [DEFAULT_KEY_ID]: parseKey(single, 'HUB_ENCRYPTION_KEY') },
      currentKeyId: DEFAULT_KEY_ID,
    })
  }
  throw new ConfigError(`No encryption key: set HUB_KEYRING="id:key,..." or HUB_ENCRYPTION_KEY; ${HELP}`)
}

function parseKeyringList(list: string): { keys: Record<string, KeyInput>; currentKeyId: string } {
  const keys: Record<string, KeyInput> = {}
  // Tracked apart from `keys`: object key order puts integer-like ids ("2", "1") first.
  let currentKeyId: string | undefined
  list.split(',').forEach((raw, index) => {
    const entry = raw.trim()
    if (!entry) return
    const label = `HUB_KEYRING entry ${index + 1}`
    const colon = entry.indexOf(':')
    if (colon < 0) throw new ConfigError(`${label} must look like "keyId:key"`)
    const keyId = entry.slice(0, colon).trim()
    if (!validKeyId(keyId)) throw new ConfigError(invalidKeyIdMessage(`${label}: the key id`))
    if (Object.hasOwn(keys, keyId)) throw new ConfigError(`${label} repeats the key id of an earlier entry`)
    keys[keyId] = parseKey(entry.slice(colon + 1), label)
    currentKeyId ??= keyId
  })
  if (currentKeyId === undefined) throw new ConfigError('HUB_KEYRING holds no "keyId:key" entry')
  return { keys, currentKeyId }
}
