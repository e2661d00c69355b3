import {
  type EntityMapping,
  type MappingFilter,
  type MappingInput,
  type MappingPatch,
  mappingStatusSchema,
  NotFoundError,
  type Scope,
} from '@hub/core'
import { newId } from '../ids.js'
import { type Assignment, jsonb, pageSize, type StoreContext, setClause } from './context.js'
import { toJsonValue, toMapping } from './rows.js'
import { nonEmpty, oneOf, sellerOf } from './validate.js'

function patchAssignments(patch: MappingPatch): Assignment[] {
  if (patch.status !== undefined) oneOf(patch.status, mappingStatusSchema.options, 'mapping status')
  return [
    ['internal_id', patch.internalId],
    ['pending_ref', patch.pendingRef],
    ['status', patch.status],
    ['baseline', patch.baseline],
    ['source_hash', patch.sourceHash],
    ['data', patch.data === undefined ? undefined : toJsonValue(patch.data), jsonb],
  ]
}

/** Entity mapping methods of the SQL store. */
export function mappingMethods({ db, s, now }: StoreContext) {
  return {
    /**
     * `INSERT … ON CONFLICT DO UPDATE` on `(connection_id, entity_type, external_id)`: concurrent
     * upserts serialize on the unique index and converge on one row; only the given fields change
     * and every update bumps `version`. The insert only happens for the seller's own connection.
     */
    async upsertMapping(scope: Scope, input: MappingInput): Promise<EntityMapping> {
      const sellerId = sellerOf(scope)
      for (const field of ['connectionId', 'entityType', 'externalId'] as const) {
        nonEmpty(input?.[field], `mapping ${field}`)
      }
      const { connectionId: _c, entityType: _e, externalId: _x, ...patch } = input
      const at = now()
      const update = setClause([...patchAssignments(patch), ['updated_at', at]], 14)
      const internalId = input.internalId ?? null
      const rows = await db.query(
        `INSERT INTO ${s}.mappings AS m (id, connection_id, seller_id, entity_type, external_id, internal_id,
           pending_ref, status, baseline, source_hash, data, version, updated_at)
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, 1, $12
         WHERE EXISTS (SELECT 1 FROM ${s}.connections WHERE id = $2 AND seller_id = $3)
         ON CONFLICT (connection_id, entity_type, external_id) DO UPDATE
           SET ${update.sql}, version = m.version + 1
           WHERE m.seller_id = $13
         RETURNING *`,
        [
          newId(),
          input.connectionId,
          sellerId,
          input.entityType,
          input.externalId,
          internalId,
          input.pendingRef ?? null,
          input.status ?? (internalId ? 'linked' : 'pending'),
          input.baseline ?? null,
          input.sourceHash ?? null,
          toJsonValue(input.data ?? {}),
          at,
          sellerId,
          ...update.params,
        ],
      )
      if (!rows[0]) throw new NotFoundError('connection', input.connectionId)
      return toMapping(rows[0])
    },

    async getMapping(
      scope: Scope,
      key: { connectionId: string; entityType: string; externalId: string },
    ): Promise<EntityMapping | null> {
      const rows = await db.query(
        `SELECT * FROM ${s}.mappings
         WHERE connection_id = $1 AND entity_type = $2 AND external_id = $3 AND seller_id = $4`,
        [key.connectionId, key.entityType, key.externalId, sellerOf(scope)],
      )
      return rows[0] ? toMapping(rows[0]) : null
    },

    /** Oldest first. */
    async findMappings(scope: Scope, filter: MappingFilter = {}): Promise<EntityMapping[]> {
      const rows = await db.query(
        `SELECT * FROM ${s}.mappings WHERE seller_id = $1
           AND ($2::text IS NULL OR connection_id = $2) AND ($3::text IS NULL OR entity_type = $3)
           AND ($4::text IS NULL OR external_id = $4) AND ($5::text IS NULL OR internal_id = $5)
           AND ($6::text IS NULL OR pending_ref = $6) AND ($7::text IS NULL OR status = $7)
         ORDER BY id LIMIT $8`,
        [
          sellerOf(scope),
          filter.connectionId ?? null,
          filter.entityType ?? null,
          filter.externalId ?? null,
          filter.internalId ?? null,
          filter.pendingRef ?? null,
          filter.status ?? null,
          pageSize(filter.limit),
        ],
      )
      return rows.map(toMapping)
    },

    /** Optimistic concurrency: with `expectedVersion`, a changed row returns `null`; a missing one throws. */
    async updateMapping(
      scope: Scope,
      id: string,
      patch: MappingPatch,
      expectedVersion?: number,
    ): Promise<EntityMapping | null> {
      const sellerId = sellerOf(scope)
      const set = setClause([...patchAssignments(patch ?? {}), ['updated_at', now()]], 4)
      const rows = await db.query(
        `UPDATE ${s}.mappings SET ${set.sql}, version = version + 1
         WHERE id = $1 AND seller_id = $2 AND ($3::int IS NULL OR version = $3) RETURNING *`,
        [id, sellerId, expectedVersion ?? null, ...set.params],
      )
      if (rows[0]) return toMapping(rows[0])
      const exists = await db.query(`SELECT 1 FROM ${s}.mappings WHERE id = $1 AND seller_id = $2`, [
        id,
        sellerId,
      ])
      if (!exists[0]) throw new NotFoundError('mapping', id)
      return null
    },
  }
}
