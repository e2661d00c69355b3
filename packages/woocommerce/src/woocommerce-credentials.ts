import { CredentialError, type Json } from '@hub/core'
import { z } from 'zod'

/**
 * What a WooCommerce connection stores (encrypted) as credentials: the REST key pair from
 * wc-auth and the secret(s) its webhooks were registered with. `webhookSecrets` maps a webhook
 * id to its own secret, for stores whose webhooks were created with different secrets (or while
 * rotating); `webhookSecret` is the default.
 */
export const wooCredentialsSchema = z.object({
  consumerKey: z.string().min(1),
  consumerSecret: z.string().min(1),
  webhookSecret: z.string().min(1).optional(),
  webhookSecrets: z.record(z.string(), z.string().min(1)).optional(),
})
/** @see wooCredentialsSchema */
export type WooCredentials = z.infer<typeof wooCredentialsSchema>

/** Only the webhook part, for verifying deliveries (keys need not be present). */
const webhookSecretsSchema = wooCredentialsSchema.pick({ webhookSecret: true, webhookSecrets: true })

/** Credential keys that hold secrets, for redaction. */
export const WOO_SECRET_KEYS = [
  'consumerKey',
  'consumerSecret',
  'webhookSecret',
  'webhookSecrets',
  'consumer_key',
  'consumer_secret',
  'secret',
  'oauth_signature',
  'x-wc-webhook-signature',
  'authorization',
] as const

/** Parse decrypted credentials; throws `CredentialError` (never echoing them) when they do not fit. */
export function parseWooCredentials(credentials: Json | null): WooCredentials {
  const parsed = wooCredentialsSchema.safeParse(credentials)
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? '(root)')))].join(', ')
    throw new CredentialError(
      'CREDENTIALS_INVALID',
      `WooCommerce credentials are missing or invalid: ${fields}`,
    )
  }
  return parsed.data
}

/** The secret a delivery of webhook `webhookId` is signed with, or `null` when none is stored. */
export function webhookSecretFor(credentials: Json | null, webhookId: string | null): string | null {
  const parsed = webhookSecretsSchema.safeParse(credentials ?? {})
  if (!parsed.success) return null
  const own = webhookId !== null ? parsed.data.webhookSecrets?.[webhookId] : undefined
  return own ?? parsed.data.webhookSecret ?? null
}
