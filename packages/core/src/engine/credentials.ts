import type { Json } from '../domain/json.js'
import type { Connection } from '../domain/schemas.js'
import type { Keyring } from '../ports/keyring.js'

/** Decrypt a connection's credentials, bound to the connection id. `null` when it has none. */
export function decryptCredentials(keyring: Keyring, connection: Connection): Json | null {
  if (!connection.credentials) return null
  return keyring.decrypt(connection.credentials, connection.id)
}

/** Every string inside decrypted credentials: the values redaction must hide. */
export function secretStrings(value: Json | null): string[] {
  const out: string[] = []
  const walk = (v: Json | null) => {
    if (typeof v === 'string') {
      if (v.length >= 6) out.push(v)
    } else if (Array.isArray(v)) v.forEach(walk)
    else if (v && typeof v === 'object') Object.values(v).forEach(walk)
  }
  walk(value)
  return out
}
