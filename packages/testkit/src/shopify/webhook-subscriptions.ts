import { type FakeClock, isoSeconds } from './clock.js'
import { gid } from './ids.js'

/** A webhook subscription: registered with webhookSubscriptionCreate or configured (app TOML). */
export interface SubscriptionRecord {
  id: string
  /** GraphQL enum form, e.g. `PRODUCTS_UPDATE`. */
  topic: string
  uri: string
  name: string | null
  createdAt: number
  source: 'api' | 'config'
}

/** `products/update` → `PRODUCTS_UPDATE`. */
export function topicToEnum(topic: string): string {
  return topic.replace(/\//g, '_').toUpperCase()
}

/** `PRODUCTS_UPDATE` → `products/update` (first underscore separates resource and event for the topics the fake emits). */
export function enumToTopic(value: string): string {
  const known: Record<string, string> = {
    APP_UNINSTALLED: 'app/uninstalled',
    BULK_OPERATIONS_FINISH: 'bulk_operations/finish',
    INVENTORY_LEVELS_UPDATE: 'inventory_levels/update',
    INVENTORY_LEVELS_CONNECT: 'inventory_levels/connect',
    INVENTORY_LEVELS_DISCONNECT: 'inventory_levels/disconnect',
  }
  const fixed = known[value]
  if (fixed) return fixed
  const index = value.indexOf('_')
  return `${value.slice(0, index)}/${value.slice(index + 1)}`.toLowerCase()
}

function validUri(uri: string): boolean {
  if (uri.startsWith('pubsub://') || uri.startsWith('arn:aws:events:')) return true
  try {
    const url = new URL(uri)
    if (url.protocol === 'https:') return true
    return url.protocol === 'http:' && (url.hostname === '127.0.0.1' || url.hostname === 'localhost')
  } catch {
    return false
  }
}

/**
 * The shop's subscriptions. URIs must be HTTPS (the fake also allows `http://127.0.0.1` and
 * `http://localhost` so a local receiver works), Pub/Sub or EventBridge.
 */
export class WebhookSubscriptions {
  readonly #subs: SubscriptionRecord[] = []
  readonly #clock: FakeClock
  readonly #nextId: () => string

  constructor(clock: FakeClock, nextId: () => string) {
    this.#clock = clock
    this.#nextId = nextId
  }

  /** All subscriptions. */
  list(): readonly SubscriptionRecord[] {
    return this.#subs
  }

  /** Subscriptions for a `products/update`-style topic. */
  forTopic(topic: string): SubscriptionRecord[] {
    const value = topicToEnum(topic)
    return this.#subs.filter((sub) => sub.topic === value)
  }

  /** Adds a configured (app TOML) subscription. */
  configure(topic: string, uri: string): SubscriptionRecord {
    const sub: SubscriptionRecord = {
      id: this.#nextId(),
      topic: topicToEnum(topic),
      uri,
      name: null,
      createdAt: this.#clock.now(),
      source: 'config',
    }
    this.#subs.push(sub)
    return sub
  }

  /** webhookSubscriptionCreate. */
  create(
    topic: string,
    input: { uri?: string | null; callbackUrl?: string | null; name?: string | null },
  ): { sub?: SubscriptionRecord; userErrors: { field: string[]; message: string }[] } {
    const uri = input.uri ?? input.callbackUrl
    if (!uri)
      return { userErrors: [{ field: ['webhookSubscription', 'uri'], message: "Address can't be blank" }] }
    if (!validUri(uri))
      return { userErrors: [{ field: ['webhookSubscription', 'uri'], message: 'Address is invalid' }] }
    if (this.#subs.some((sub) => sub.topic === topic && sub.uri === uri && sub.source === 'api')) {
      return {
        userErrors: [
          { field: ['webhookSubscription', 'uri'], message: 'Address for this topic has already been taken' },
        ],
      }
    }
    const sub: SubscriptionRecord = {
      id: this.#nextId(),
      topic,
      uri,
      name: input.name ?? null,
      createdAt: this.#clock.now(),
      source: 'api',
    }
    this.#subs.push(sub)
    return { sub, userErrors: [] }
  }

  /** Deletes a subscription by id; whether it existed. */
  delete(id: string): boolean {
    const index = this.#subs.findIndex((sub) => sub.id === id)
    if (index < 0) return false
    this.#subs.splice(index, 1)
    return true
  }

  /** Uninstall removes the subscriptions created through the API. */
  clearApiSubscriptions(): void {
    for (let i = this.#subs.length - 1; i >= 0; i -= 1)
      if (this.#subs[i]?.source === 'api') this.#subs.splice(i, 1)
  }
}

/** The `WebhookSubscription` GraphQL object. */
export function subscriptionView(sub: SubscriptionRecord, apiVersion: string): Record<string, unknown> {
  const http = /^https?:/.test(sub.uri)
  return {
    __typename: 'WebhookSubscription',
    id: gid('WebhookSubscription', sub.id),
    legacyResourceId: sub.id,
    topic: sub.topic,
    uri: sub.uri,
    callbackUrl: http ? sub.uri : null,
    name: sub.name,
    format: 'JSON',
    includeFields: [],
    metafieldNamespaces: [],
    metafields: [],
    filter: null,
    createdAt: isoSeconds(sub.createdAt),
    updatedAt: isoSeconds(sub.createdAt),
    apiVersion: { handle: apiVersion, displayName: apiVersion, supported: true },
    endpoint: http ? { __typename: 'WebhookHttpEndpoint', callbackUrl: sub.uri } : null,
  }
}
