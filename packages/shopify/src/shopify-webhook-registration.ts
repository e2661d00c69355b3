import { PermanentError } from '@hub/core'
import { z } from 'zod'
import { type ShopifyClient, throwOnUserErrors, userErrorsSchema } from './shopify-client.js'
import { ShopifyUserError } from './shopify-errors.js'
import { WEBHOOK_SUBSCRIPTION_CREATE_MUTATION } from './shopify-operations.js'

/** The topics the adapter acts on (compliance topics are configured in the app's TOML, not here). */
export const SHOPIFY_WEBHOOK_TOPICS: readonly string[] = [
  'products/create',
  'products/update',
  'products/delete',
  'inventory_levels/update',
  'app/uninstalled',
]

const ALREADY_TAKEN = /already been taken/i

const createSchema = z.object({
  webhookSubscriptionCreate: z
    .object({
      webhookSubscription: z.object({ id: z.string(), topic: z.string(), uri: z.string() }).nullable(),
      userErrors: userErrorsSchema,
    })
    .nullable(),
})

/** `products/update` → `PRODUCTS_UPDATE` (the `WebhookSubscriptionTopic` enum). */
export function webhookTopicEnum(topic: string): string {
  if (!/^[a-z_]+\/[a-z_]+$/.test(topic))
    throw new PermanentError('SHOPIFY_TOPIC_INVALID', `not a topic: ${topic}`)
  return topic.replace('/', '_').toUpperCase()
}

/** What happened to one topic. */
export interface WebhookRegistration {
  topic: string
  /** The new subscription's GID, or null when it already existed. */
  id: string | null
  existed: boolean
}

/**
 * Subscribe a shop's webhooks to `uri` through `webhookSubscriptionCreate`, one topic at a time.
 * Idempotent: a topic already subscribed to the same address counts as done. Apps that declare
 * subscriptions in `shopify.app.toml` do not need this (and must not do both: duplicates).
 */
export async function registerShopifyWebhooks(
  client: ShopifyClient,
  input: { uri: string; topics?: readonly string[]; signal?: AbortSignal },
): Promise<WebhookRegistration[]> {
  const out: WebhookRegistration[] = []
  for (const topic of input.topics ?? SHOPIFY_WEBHOOK_TOPICS) {
    const { data } = await client.request(WEBHOOK_SUBSCRIPTION_CREATE_MUTATION, {
      variables: { topic: webhookTopicEnum(topic), subscription: { uri: input.uri, format: 'JSON' } },
      schema: createSchema,
      ...(input.signal ? { signal: input.signal } : {}),
    })
    const payload = data.webhookSubscriptionCreate
    const userErrors = payload?.userErrors ?? []
    if (userErrors.length > 0 && userErrors.every((e) => ALREADY_TAKEN.test(e.message))) {
      out.push({ topic, id: null, existed: true })
      continue
    }
    throwOnUserErrors('webhookSubscriptionCreate', userErrors)
    if (!payload?.webhookSubscription) {
      throw new ShopifyUserError('webhookSubscriptionCreate', [
        { code: null, field: null, message: 'no subscription returned' },
      ])
    }
    out.push({ topic, id: payload.webhookSubscription.id, existed: false })
  }
  return out
}
