import {
  type CatalogConflict,
  type Checkpoint,
  type CheckpointInput,
  type ConflictStatus,
  HubError,
  type NewConflict,
  NotFoundError,
  type Scope,
} from '@hub/core'
import { isUniqueViolation } from '../driver.js'
import { newId } from '../ids.js'
import { pageSize, type StoreContext } from './context.js'
import { toCheckpoint, toConflict, toJsonValue } from './rows.js'
import { invalid, nonEmpty, sellerOf, validDate } from './validate.js'

/** Catalog conflict and checkpoint methods of the SQL store. */
export function conflictMethods({ db, s, now }: StoreContext) {
  return {
    /**
     * One open conflict per `(mapping_id, source_hash)`, enforced by a partial unique index: a
     * concurrent duplicate waits on the index, skips, and returns the winner's row.
     */
    async createConflict(
      scope: Scope,
      input: NewConflict,
    ): Promise<{ conflict: CatalogConflict; created: boolean }> {
      const sellerId = sellerOf(scope)
      const mapping = await db.query<{ connection_id: string }>(
        `SELECT connection_id FROM ${s}.mappings WHERE id = $1 AND seller_id = $2`,
        [input?.mappingId, sellerId],
      )
      if (!mapping[0]) throw new NotFoundError('mapping', String(input?.mappingId))
      if (mapping[0].connection_id !== input.connectionId)
        throw new NotFoundError('connection', input.connectionId)
      nonEmpty(input.sourceHash, 'conflict sourceHash')
      for (let round = 0; round < 3; round++) {
        try {
          const rows = await db.query(
            `INSERT INTO ${s}.conflicts (id, seller_id, connection_id, mapping_id, entity_type, external_id,
               internal_id, diffs, source_hash, target_hash, status, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9, $10, 'open', $11)
             ON CONFLICT (mapping_id, source_hash) WHERE status = 'open' DO NOTHING RETURNING *`,
            [
              newId(),
              sellerId,
              input.connectionId,
              input.mappingId,
              input.entityType,
              input.externalId,
              input.internalId ?? null,
              toJsonValue(input.diffs ?? []),
              input.sourceHash,
              input.targetHash ?? null,
              now(),
            ],
          )
          if (rows[0]) return { conflict: toConflict(rows[0]), created: true }
        } catch (error) {
          if (!isUniqueViolation(error)) throw error
        }
        const open = await db.query(
          `SELECT * FROM ${s}.conflicts WHERE mapping_id = $1 AND source_hash = $2 AND status = 'open'`,
          [input.mappingId, input.sourceHash],
        )
        if (open[0]) return { conflict: toConflict(open[0]), created: false }
      }
      throw new HubError('STORE_CONTENTION', `could not create conflict for mapping ${input.mappingId}`)
    },

    async getConflict(scope: Scope, id: string): Promise<CatalogConflict | null> {
      const rows = await db.query(`SELECT * FROM ${s}.conflicts WHERE id = $1 AND seller_id = $2`, [
        id,
        sellerOf(scope),
      ])
      return rows[0] ? toConflict(rows[0]) : null
    },

    /** Oldest first. */
    async listConflicts(
      scope: Scope,
      filter: { connectionId?: string; status?: ConflictStatus; limit?: number } = {},
    ): Promise<CatalogConflict[]> {
      const rows = await db.query(
        `SELECT * FROM ${s}.conflicts WHERE seller_id = $1
           AND ($2::text IS NULL OR connection_id = $2) AND ($3::text IS NULL OR status = $3)
         ORDER BY id LIMIT $4`,
        [sellerOf(scope), filter.connectionId ?? null, filter.status ?? null, pageSize(filter.limit)],
      )
      return rows.map(toConflict)
    },

    async resolveConflict(
      scope: Scope,
      id: string,
      status: 'accepted' | 'rejected',
      at: Date,
    ): Promise<CatalogConflict | null> {
      const sellerId = sellerOf(scope)
      if (status !== 'accepted' && status !== 'rejected')
        invalid('a conflict resolves to "accepted" or "rejected"')
      validDate(at, 'resolveConflict now')
      const rows = await db.query(
        `UPDATE ${s}.conflicts SET status = $3, resolved_at = $4
         WHERE id = $1 AND seller_id = $2 AND status = 'open' RETURNING *`,
        [id, sellerId, status, at],
      )
      return rows[0] ? toConflict(rows[0]) : null
    },

    async getCheckpoint(scope: Scope, connectionId: string, stream: string): Promise<Checkpoint | null> {
      const rows = await db.query(
        `SELECT * FROM ${s}.checkpoints WHERE connection_id = $1 AND stream = $2 AND seller_id = $3`,
        [connectionId, stream, sellerOf(scope)],
      )
      return rows[0] ? toCheckpoint(rows[0]) : null
    },

    async saveCheckpoint(scope: Scope, input: CheckpointInput): Promise<Checkpoint> {
      const sellerId = sellerOf(scope)
      nonEmpty(input?.stream, 'checkpoint stream')
      if (input.watermark !== null && input.watermark !== undefined)
        validDate(input.watermark, 'checkpoint watermark')
      const rows = await db.query(
        `INSERT INTO ${s}.checkpoints AS c (connection_id, stream, seller_id, cursor, watermark, updated_at)
         SELECT $1, $2, $3, $4, $5, $6
         WHERE EXISTS (SELECT 1 FROM ${s}.connections WHERE id = $1 AND seller_id = $3)
         ON CONFLICT (connection_id, stream) DO UPDATE
           SET cursor = excluded.cursor, watermark = excluded.watermark, updated_at = excluded.updated_at
           WHERE c.seller_id = excluded.seller_id
         RETURNING *`,
        [input.connectionId, input.stream, sellerId, input.cursor ?? null, input.watermark ?? null, now()],
      )
      if (!rows[0]) throw new NotFoundError('connection', String(input.connectionId))
      return toCheckpoint(rows[0])
    },
  }
}
