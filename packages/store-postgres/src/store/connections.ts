import {
  type Connection,
  type ConnectionPatch,
  type ConnectionStatus,
  connectionPolicySchema,
  connectionStatusSchema,
  type NewConnection,
  NotFoundError,
  type Scope,
} from '@hub/core'
import { newId } from '../ids.js'
import { jsonb, type StoreContext, setClause } from './context.js'
import { toConnection, toJson, toJsonValue } from './rows.js'
import { nonEmpty, oneOf, sellerOf } from './validate.js'

const STATUSES = connectionStatusSchema.options

/** Connection methods of the SQL store. */
export function connectionMethods({ db, s, now }: StoreContext) {
  return {
    async createConnection(input: NewConnection): Promise<Connection> {
      const sellerId = sellerOf({ sellerId: input?.sellerId })
      if (input.status !== undefined) oneOf(input.status, STATUSES, 'connection status')
      nonEmpty(input.provider, 'connection provider')
      nonEmpty(input.externalAccountId, 'connection externalAccountId')
      const at = now()
      const rows = await db.query(
        `INSERT INTO ${s}.connections (id, seller_id, provider, external_account_id, status, status_reason,
           policy, credentials, settings, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9::jsonb, $10, $10) RETURNING *`,
        [
          newId(),
          sellerId,
          input.provider,
          input.externalAccountId,
          input.status ?? 'pending',
          input.statusReason ?? null,
          toJsonValue(connectionPolicySchema.parse(input.policy ?? {})),
          toJson(input.credentials),
          toJsonValue(input.settings ?? {}),
          at,
        ],
      )
      return toConnection(rows[0]!)
    },

    async getConnection(scope: Scope, id: string): Promise<Connection | null> {
      const rows = await db.query(`SELECT * FROM ${s}.connections WHERE id = $1 AND seller_id = $2`, [
        id,
        sellerOf(scope),
      ])
      return rows[0] ? toConnection(rows[0]) : null
    },

    async listConnections(
      scope: Scope,
      filter: { provider?: string; status?: ConnectionStatus } = {},
    ): Promise<Connection[]> {
      const rows = await db.query(
        `SELECT * FROM ${s}.connections WHERE seller_id = $1
           AND ($2::text IS NULL OR provider = $2) AND ($3::text IS NULL OR status = $3)
         ORDER BY id`,
        [sellerOf(scope), filter.provider ?? null, filter.status ?? null],
      )
      return rows.map(toConnection)
    },

    async updateConnection(scope: Scope, id: string, patch: ConnectionPatch): Promise<Connection> {
      const sellerId = sellerOf(scope)
      if (patch?.status !== undefined) oneOf(patch.status, STATUSES, 'connection status')
      if (patch.externalAccountId !== undefined)
        nonEmpty(patch.externalAccountId, 'connection externalAccountId')
      const set = setClause(
        [
          ['status', patch.status],
          ['status_reason', patch.statusReason],
          // jsonb `||` keeps the stored policy keys and overrides the patched ones.
          [
            'policy',
            patch.policy === undefined ? undefined : toJsonValue(patch.policy),
            (p) => `policy || ${p}::jsonb`,
          ],
          ['credentials', patch.credentials === undefined ? undefined : toJson(patch.credentials), jsonb],
          ['settings', patch.settings === undefined ? undefined : toJsonValue(patch.settings), jsonb],
          ['external_account_id', patch.externalAccountId],
          ['updated_at', now()],
        ],
        3,
      )
      const rows = await db.query(
        `UPDATE ${s}.connections SET ${set.sql} WHERE id = $1 AND seller_id = $2 RETURNING *`,
        [id, sellerId, ...set.params],
      )
      if (!rows[0]) throw new NotFoundError('connection', id)
      return toConnection(rows[0])
    },

    async findConnectionByAccount(provider: string, externalAccountId: string): Promise<Connection | null> {
      // The oldest match when several sellers linked the same account (as the memory store).
      const rows = await db.query(
        `SELECT * FROM ${s}.connections WHERE provider = $1 AND external_account_id = $2 ORDER BY id LIMIT 1`,
        [provider, externalAccountId],
      )
      return rows[0] ? toConnection(rows[0]) : null
    },
  }
}
