import { createHash } from 'node:crypto'
import { phpJson } from './php-json.js'
import { renderOrder, renderProduct } from './render.js'
import type { SeededRandom } from './rng.js'
import { signWooWebhook } from './signing.js'
import type { WooState, WooTopic } from './state.js'
import type { WebhookRecord } from './types.js'

/** User-Agent of WooCommerce's webhook sender, as recorded. */
export const HOOKSHOT_USER_AGENT = 'WooCommerce/10.0.2 Hookshot (WordPress/6.8.3)'

/** Fault switches applied to topic deliveries (never to pings). Probabilities in [0, 1]. */
export interface WooWebhookFaults {
  /** Lose a delivery (never sent). */
  drop?: number
  /** Send a delivery twice. */
  duplicate?: number
  /** Swap a delivery with the next one in the same flush. */
  reorder?: number
}

/** One outgoing webhook request, as logged by the fake. */
export interface WooDeliveryRecord {
  kind: 'ping' | 'topic'
  webhookId: number
  topic: string | null
  resourceId: number | null
  url: string
  headers: Record<string, string>
  body: string
  /** HTTP status answered by the receiver; null on a transport error or when dropped. */
  status: number | null
  error: string | null
  /** True when the `drop` fault swallowed it. */
  dropped: boolean
}

interface QueuedDelivery {
  webhookId: number
  topic: string
  resourceId: number
}

/** Options of the dispatcher. */
export interface DispatcherOptions {
  /** The site's home URL (`X-WC-Webhook-Source`, links inside payloads). */
  homeUrl: string
  random: SeededRandom
  faults: WooWebhookFaults
  /** `auto`: flush `delayMs` after the first queued event; `manual`: only on `flush()`. */
  mode: 'auto' | 'manual'
  delayMs: number
  timeoutMs: number
  fetch: () => typeof fetch
}

/**
 * WooCommerce's webhook delivery, as recorded: events queue one action per (webhook, resource)
 * (a pending one is never queued twice, so bursts coalesce); the payload is built when the action
 * runs; success is a 200–302 answer; no retries; failures increment a hidden counter and a failure
 * while it is above 5 disables the webhook (the 7th in a row); while the creation ping never got a
 * 200, a ping follows each failed delivery.
 */
export class WebhookDispatcher {
  readonly log: WooDeliveryRecord[] = []
  private queue: QueuedDelivery[] = []
  private timer: ReturnType<typeof setTimeout> | null = null
  private running: Promise<WooDeliveryRecord[]> | null = null
  private readonly salt: string

  constructor(
    private readonly state: WooState,
    private readonly options: DispatcherOptions,
  ) {
    this.salt = String(options.random.next())
    state.onEvent((topic, id) => this.enqueue(topic, id))
  }

  /** Change the fault switches at runtime. */
  setFaults(faults: WooWebhookFaults): void {
    this.options.faults = faults
  }

  /** Events waiting for delivery. */
  get pending(): number {
    return this.queue.length
  }

  private enqueue(topic: WooTopic, resourceId: number): void {
    for (const w of this.state.webhooks.values()) {
      if (w.status !== 'active' || w.topic !== topic) continue
      if (this.queue.some((q) => q.webhookId === w.id && q.resourceId === resourceId && q.topic === topic))
        continue
      this.queue.push({ webhookId: w.id, topic, resourceId })
    }
    if (this.options.mode === 'auto' && this.queue.length > 0 && this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null
        void this.flush()
      }, this.options.delayMs)
      this.timer.unref?.()
    }
  }

  /** Deliver everything queued now, sequentially (as Action Scheduler runs them). */
  async flush(): Promise<WooDeliveryRecord[]> {
    if (this.running) await this.running.catch(() => undefined)
    const batch = this.applyFaults(this.queue)
    this.queue = []
    const run = (async () => {
      const out: WooDeliveryRecord[] = []
      for (const item of batch) out.push(...(await this.deliver(item)))
      return out
    })()
    this.running = run
    try {
      return await run
    } finally {
      if (this.running === run) this.running = null
    }
  }

  /** Wait until nothing is queued or in flight (auto mode), flushing what is left. */
  async idle(): Promise<void> {
    for (let i = 0; i < 100 && (this.queue.length > 0 || this.running); i++) {
      if (this.timer) {
        clearTimeout(this.timer)
        this.timer = null
      }
      await this.flush()
    }
  }

  /** Stop timers (pending events are discarded). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    this.queue = []
  }

  private applyFaults(items: QueuedDelivery[]): Array<QueuedDelivery & { drop: boolean }> {
    const { drop = 0, duplicate = 0, reorder = 0 } = this.options.faults
    const rnd = this.options.random
    const out: Array<QueuedDelivery & { drop: boolean }> = []
    for (const item of items) {
      out.push({ ...item, drop: drop > 0 && rnd.next() < drop })
      if (duplicate > 0 && rnd.next() < duplicate) out.push({ ...item, drop: false })
    }
    if (reorder > 0) {
      for (let i = 0; i + 1 < out.length; i++) {
        if (rnd.next() < reorder) {
          const a = out[i]
          const b = out[i + 1]
          if (a && b) {
            out[i] = b
            out[i + 1] = a
          }
        }
      }
    }
    return out
  }

  private payload(item: QueuedDelivery): unknown {
    const origin = new URL(this.options.homeUrl).origin
    if (item.topic.endsWith('.deleted')) return { id: item.resourceId }
    if (item.topic.startsWith('product.')) {
      const p = this.state.products.get(item.resourceId)
      return p ? renderProduct(this.state, p, origin) : { id: item.resourceId }
    }
    const o = this.state.orders.get(item.resourceId)
    return o ? renderOrder(o, origin) : { id: item.resourceId }
  }

  private deliveryId(webhookId: number): string {
    // wp_hash(webhook_id . time()): not unique within one second (do not dedupe on it).
    const seconds = Math.floor(this.state.now().getTime() / 1000)
    return createHash('md5').update(`${this.salt}${webhookId}${seconds}`).digest('hex')
  }

  private async deliver(item: QueuedDelivery & { drop: boolean }): Promise<WooDeliveryRecord[]> {
    const w = this.state.webhooks.get(item.webhookId)
    if (w?.status !== 'active') return []
    const body = phpJson(this.payload(item))
    const [resource, event] = item.topic.split('.')
    const headers: Record<string, string> = {
      'user-agent': HOOKSHOT_USER_AGENT,
      'content-type': 'application/json',
      'x-wc-webhook-source': `${new URL(this.options.homeUrl).origin}/`,
      'x-wc-webhook-topic': item.topic,
      'x-wc-webhook-resource': resource ?? '',
      'x-wc-webhook-event': event ?? '',
      'x-wc-webhook-signature': signWooWebhook(body, w.secret),
      'x-wc-webhook-id': String(w.id),
      'x-wc-webhook-delivery-id': this.deliveryId(w.id),
    }
    const record: WooDeliveryRecord = {
      kind: 'topic',
      webhookId: w.id,
      topic: item.topic,
      resourceId: item.resourceId,
      url: w.deliveryUrl,
      headers,
      body,
      status: null,
      error: null,
      dropped: item.drop,
    }
    this.log.push(record)
    if (item.drop) return [record]
    const result = await this.send(w.deliveryUrl, headers, body)
    record.status = result.status
    record.error = result.error
    const out = [record]
    const ok = result.status !== null && result.status >= 200 && result.status <= 302
    if (ok) {
      if (w.failureCount !== 0) {
        w.failureCount = 0
        w.dateModified = this.state.now()
      }
    } else {
      if (w.failureCount > 5) w.status = 'disabled'
      else w.failureCount++
      w.dateModified = this.state.now()
    }
    // Saving a webhook that is active and never got a 200 ping pings it again (recorded: a ping
    // after each failed delivery; none once disabled).
    const ping = await this.pingIfPending(w)
    if (ping) out.push(ping)
    return out
  }

  /** Ping when the webhook is active and its ping never got a 200 (what a save does). */
  async pingIfPending(w: WebhookRecord): Promise<WooDeliveryRecord | null> {
    return w.status === 'active' && w.pendingDelivery ? this.ping(w) : null
  }

  /** The unsigned ping: form body `webhook_id=N`, no X-WC-* headers. A 200 clears `pendingDelivery`. */
  async ping(w: WebhookRecord): Promise<WooDeliveryRecord> {
    const body = `webhook_id=${w.id}`
    const headers = { 'user-agent': HOOKSHOT_USER_AGENT, 'content-type': 'application/x-www-form-urlencoded' }
    const result = await this.send(w.deliveryUrl, headers, body)
    const record: WooDeliveryRecord = {
      kind: 'ping',
      webhookId: w.id,
      topic: null,
      resourceId: null,
      url: w.deliveryUrl,
      headers,
      body,
      status: result.status,
      error: result.error,
      dropped: false,
    }
    this.log.push(record)
    if (result.status === 200 && w.pendingDelivery) {
      w.pendingDelivery = false
      w.dateModified = this.state.now()
    }
    return record
  }

  private async send(
    url: string,
    headers: Record<string, string>,
    body: string,
  ): Promise<{ status: number | null; error: string | null }> {
    try {
      const response = await this.options.fetch()(url, {
        method: 'POST',
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      })
      await response.arrayBuffer().catch(() => undefined)
      return { status: response.status, error: null }
    } catch (error) {
      return { status: null, error: error instanceof Error ? error.message : String(error) }
    }
  }
}
