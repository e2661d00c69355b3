import { createHmac } from 'node:crypto'
import type { FakeClock } from './clock.js'
import type { Rng } from './rng.js'

/**
 * Signs a webhook body the way Shopify does: base64 HMAC-SHA256 of the exact raw bytes, keyed
 * with the app's client secret. The value of `X-Shopify-Hmac-Sha256`.
 */
export function signShopifyWebhook(body: string | Uint8Array, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64')
}

/** Knobs that make delivery as unreliable as Shopify's contract allows. Probabilities in [0, 1]. */
export interface WebhookChaos {
  /** Chance that a delivery is sent a second time (same event id, new webhook id). */
  duplicate?: number
  /** Chance that a delivery is silently lost. */
  drop?: number
  /** Each delivery waits a random 0..delayMs of clock time before it is due. */
  delayMs?: number
  /** Shuffle the due deliveries on every flush. */
  reorder?: boolean
}

/** One HTTP delivery attempt's request. */
export interface Delivery {
  webhookId: string
  eventId: string
  topic: string
  uri: string
  body: string
  headers: Record<string, string>
  dueAt: number
  attempt: number
}

/** Where one subscription's deliveries go. */
export interface WebhookTarget {
  uri: string
  name?: string | null
}

/** What happened to a delivery on flush. */
export interface DeliveryOutcome {
  delivery: Delivery
  status: number | 'error'
}

/** Sends one delivery; defaults to global `fetch`. */
export type WebhookTransport = (request: Request) => Promise<Response>

/** Retries after a failed attempt: Shopify retries 8 times over about 4 hours. */
export const MAX_WEBHOOK_RETRIES = 8

function uuid(rng: Rng): string {
  const hex = Array.from({ length: 32 }, () => rng.int(16).toString(16)).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`
}

/** Options of {@link WebhookDispatcher}. */
export interface DispatcherOptions {
  clock: FakeClock
  rng: Rng
  secret: string
  shopDomain: string
  apiVersion: string
  transport?: WebhookTransport
}

/**
 * Queues signed deliveries and sends them on {@link flush}: at-least-once, optionally duplicated,
 * dropped, delayed or reordered (seeded), retried with backoff on non-2xx answers.
 */
export class WebhookDispatcher {
  readonly #options: DispatcherOptions
  #queue: Delivery[] = []
  /** Every attempt made, in order. */
  readonly sent: DeliveryOutcome[] = []
  /** Deliveries lost on purpose by the `drop` switch. */
  readonly dropped: Delivery[] = []
  chaos: WebhookChaos = {}

  constructor(options: DispatcherOptions) {
    this.#options = options
  }

  /** Deliveries waiting (due or not). */
  pending(): readonly Delivery[] {
    return this.#queue
  }

  /**
   * Queues one event for each subscription, signed over the exact body text. All deliveries of one
   * event share its `X-Shopify-Event-Id`; `X-Shopify-Name` is sent when the subscription has a name.
   */
  enqueue(topic: string, body: string, targets: WebhookTarget[], triggeredAt: number): void {
    if (targets.length === 0) return
    const { rng, clock } = this.#options
    const eventId = uuid(rng)
    for (const target of targets) {
      const delivery = this.#build(topic, body, target, eventId, triggeredAt)
      if (this.chaos.drop && rng.next() < this.chaos.drop) {
        this.dropped.push(delivery)
        continue
      }
      this.#queue.push(delivery)
      if (this.chaos.duplicate && rng.next() < this.chaos.duplicate) {
        const copy = this.#build(topic, body, target, eventId, triggeredAt)
        copy.dueAt = Math.max(copy.dueAt, clock.now()) + rng.int(1000)
        this.#queue.push(copy)
      }
    }
  }

  #build(topic: string, body: string, target: WebhookTarget, eventId: string, triggeredAt: number): Delivery {
    const { rng, clock, secret, shopDomain, apiVersion } = this.#options
    const webhookId = uuid(rng)
    const delay = this.chaos.delayMs ? rng.int(this.chaos.delayMs + 1) : 0
    return {
      webhookId,
      eventId,
      topic,
      uri: target.uri,
      body,
      dueAt: clock.now() + delay,
      attempt: 1,
      headers: {
        'content-type': 'application/json',
        'x-shopify-topic': topic,
        'x-shopify-hmac-sha256': signShopifyWebhook(body, secret),
        'x-shopify-shop-domain': shopDomain,
        'x-shopify-api-version': apiVersion,
        'x-shopify-webhook-id': webhookId,
        'x-shopify-event-id': eventId,
        'x-shopify-triggered-at': new Date(triggeredAt).toISOString(),
        ...(target.name ? { 'x-shopify-name': target.name } : {}),
      },
    }
  }

  /** Sends every delivery that is due now; failed ones are re-queued with backoff. */
  async flush(): Promise<DeliveryOutcome[]> {
    const { clock, rng } = this.#options
    const now = clock.now()
    let due = this.#queue.filter((d) => d.dueAt <= now)
    this.#queue = this.#queue.filter((d) => d.dueAt > now)
    if (this.chaos.reorder) {
      due = [...due]
      for (let i = due.length - 1; i > 0; i -= 1) {
        const j = rng.int(i + 1)
        ;[due[i], due[j]] = [due[j] as Delivery, due[i] as Delivery]
      }
    }
    const transport = this.#options.transport ?? ((request: Request) => fetch(request))
    const outcomes: DeliveryOutcome[] = []
    for (const delivery of due) {
      let status: number | 'error'
      try {
        const response = await transport(
          new Request(delivery.uri, { method: 'POST', headers: delivery.headers, body: delivery.body }),
        )
        status = response.status
        await response.body?.cancel()
      } catch {
        status = 'error'
      }
      const outcome = { delivery, status }
      outcomes.push(outcome)
      this.sent.push(outcome)
      const ok = typeof status === 'number' && status >= 200 && status < 300
      if (!ok && delivery.attempt <= MAX_WEBHOOK_RETRIES) {
        this.#queue.push({
          ...delivery,
          attempt: delivery.attempt + 1,
          dueAt: clock.now() + 60_000 * 2 ** (delivery.attempt - 1),
        })
      }
    }
    return outcomes
  }
}
