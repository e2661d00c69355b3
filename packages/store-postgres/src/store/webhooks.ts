import {
  HubError,
  type NewWebhookEvent,
  NotFoundError,
  type Scope,
  type WebhookEvent,
  type WebhookEventStatus,
  webhookEventStatusSchema,
} from '@hub/core'
import { isUniqueViolation } from '../driver.js'
import { newId } from '../ids.js'
import { pageSize, type StoreContext, setClause } from './context.js'
import { toJsonValue, toWebhookEvent } from './rows.js'
import { nonEmpty, oneOf, sellerOf, validDate } from './validate.js'

/** Webhook inbox methods of the SQL store. Lists are newest first. */
export function webhookMethods({ db, s }: StoreContext) {
  return {
    /**
     * `INSERT … ON CONFLICT DO NOTHING` waits for a concurrent insert of the same key and then
     * skips; the loser reads the winner's committed row. A unique violation (possible if the row is
     * pruned between the two statements and re-inserted) is retried the same way.
     */
    async recordWebhookEvent(input: NewWebhookEvent): Promise<{ event: WebhookEvent; created: boolean }> {
      nonEmpty(input?.provider, 'event provider')
      nonEmpty(input.providerEventId, 'providerEventId')
      const sellerId = sellerOf({ sellerId: input.sellerId })
      nonEmpty(input.topic, 'event topic')
      validDate(input.receivedAt, 'event receivedAt')
      if (input.occurredAt !== null) validDate(input.occurredAt, 'event occurredAt')
      let ownerChecked = false
      for (let round = 0; round < 3; round++) {
        try {
          const inserted = await db.query(
            `INSERT INTO ${s}.webhook_events (id, provider, provider_event_id, connection_id, seller_id, topic,
               occurred_at, received_at, headers, payload, status)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10::jsonb, 'received'
             WHERE EXISTS (SELECT 1 FROM ${s}.connections WHERE id = $4 AND seller_id = $5)
             ON CONFLICT (provider, provider_event_id) DO NOTHING RETURNING *`,
            [
              newId(),
              input.provider,
              input.providerEventId,
              input.connectionId,
              sellerId,
              input.topic,
              input.occurredAt,
              input.receivedAt,
              toJsonValue(input.headers),
              toJsonValue(input.payload),
            ],
          )
          if (inserted[0]) return { event: toWebhookEvent(inserted[0]), created: true }
        } catch (error) {
          if (!isUniqueViolation(error)) throw error
        }
        const existing = await db.query(
          `SELECT * FROM ${s}.webhook_events WHERE provider = $1 AND provider_event_id = $2`,
          [input.provider, input.providerEventId],
        )
        if (existing[0]) return { event: toWebhookEvent(existing[0]), created: false }
        if (!ownerChecked) {
          ownerChecked = true
          const owner = await db.query(`SELECT 1 FROM ${s}.connections WHERE id = $1 AND seller_id = $2`, [
            input.connectionId,
            sellerId,
          ])
          if (!owner[0]) throw new NotFoundError('connection', String(input.connectionId))
        }
      }
      throw new HubError('STORE_CONTENTION', `could not record webhook event ${input.providerEventId}`)
    },

    async updateWebhookEvent(
      scope: Scope,
      id: string,
      patch: { status?: WebhookEventStatus; runId?: string | null; error?: string | null },
    ): Promise<WebhookEvent> {
      const sellerId = sellerOf(scope)
      if (patch?.status !== undefined)
        oneOf(patch.status, webhookEventStatusSchema.options, 'webhook event status')
      const set = setClause(
        [
          ['status', patch.status],
          ['run_id', patch.runId],
          ['error', patch.error],
        ],
        3,
      )
      const rows = set.params.length
        ? await db.query(
            `UPDATE ${s}.webhook_events SET ${set.sql} WHERE id = $1 AND seller_id = $2 RETURNING *`,
            [id, sellerId, ...set.params],
          )
        : await db.query(`SELECT * FROM ${s}.webhook_events WHERE id = $1 AND seller_id = $2`, [id, sellerId])
      if (!rows[0]) throw new NotFoundError('webhook event', id)
      return toWebhookEvent(rows[0])
    },

    async getWebhookEvent(scope: Scope, id: string): Promise<WebhookEvent | null> {
      const rows = await db.query(`SELECT * FROM ${s}.webhook_events WHERE id = $1 AND seller_id = $2`, [
        id,
        sellerOf(scope),
      ])
      return rows[0] ? toWebhookEvent(rows[0]) : null
    },

    async listWebhookEvents(
      scope: Scope,
      filter: { connectionId?: string; status?: WebhookEventStatus; limit?: number } = {},
    ): Promise<WebhookEvent[]> {
      const rows = await db.query(
        `SELECT * FROM ${s}.webhook_events WHERE seller_id = $1
           AND ($2::text IS NULL OR connection_id = $2) AND ($3::text IS NULL OR status = $3)
         ORDER BY id DESC LIMIT $4`,
        [sellerOf(scope), filter.connectionId ?? null, filter.status ?? null, pageSize(filter.limit)],
      )
      return rows.map(toWebhookEvent)
    },
  }
}
