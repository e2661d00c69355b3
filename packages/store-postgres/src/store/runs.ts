import {
  type NewRun,
  NotFoundError,
  type RunCounts,
  type RunKind,
  runKindSchema,
  type Scope,
  type SyncRun,
} from '@hub/core'
import { newId } from '../ids.js'
import { pageSize, type StoreContext } from './context.js'
import type { Row } from './rows.js'
import { oneOf, sellerOf } from './validate.js'

const STATUSES = ['pending', 'running', 'succeeded', 'failed', 'dead', 'skipped', 'blocked'] as const

/** Counts and the last change of a run's items, aggregated on read (no counters to keep in sync). */
const RUN_SELECT = (s: string) => `
  SELECT r.*, c.counts, c.last_change
  FROM ${s}.runs r
  LEFT JOIN LATERAL (
    SELECT jsonb_object_agg(g.status, g.n) AS counts, max(g.last_change) AS last_change
    FROM (SELECT status, count(*)::int AS n, max(updated_at) AS last_change
          FROM ${s}.item_state WHERE run_id = r.id GROUP BY status) g
  ) c ON true`

function toRun(r: Row): SyncRun {
  const raw = (r.counts ?? {}) as Record<string, number>
  const counts = Object.fromEntries(STATUSES.map((st) => [st, raw[st] ?? 0])) as RunCounts
  const active = counts.pending + counts.running > 0
  const startedAt = r.started_at as Date
  const lastChange = (r.last_change as Date | null) ?? startedAt
  return {
    id: r.id as string,
    connectionId: r.connection_id as string,
    sellerId: r.seller_id as string,
    kind: r.kind as RunKind,
    trigger: (r.trigger as string | null) ?? null,
    status: active ? 'running' : 'finished',
    counts,
    startedAt,
    finishedAt: active ? null : new Date(Math.max(lastChange.getTime(), startedAt.getTime())),
  }
}

/** Run methods of the SQL store. Lists are newest first. */
export function runMethods({ db, s, now }: StoreContext) {
  return {
    async createRun(input: NewRun): Promise<SyncRun> {
      const sellerId = sellerOf({ sellerId: input?.sellerId })
      oneOf(input.kind, runKindSchema.options, 'run kind')
      const rows = await db.query(
        `INSERT INTO ${s}.runs (id, seller_id, connection_id, kind, trigger, started_at)
         SELECT $1, $2, $3, $4, $5, $6
         WHERE EXISTS (SELECT 1 FROM ${s}.connections WHERE id = $3 AND seller_id = $2) RETURNING *`,
        [newId(), sellerId, input.connectionId, input.kind, input.trigger ?? null, now()],
      )
      if (!rows[0]) throw new NotFoundError('connection', String(input.connectionId))
      return toRun(rows[0])
    },

    async getRun(scope: Scope, id: string): Promise<SyncRun | null> {
      const rows = await db.query(`${RUN_SELECT(s)} WHERE r.id = $1 AND r.seller_id = $2`, [
        id,
        sellerOf(scope),
      ])
      return rows[0] ? toRun(rows[0]) : null
    },

    async listRuns(
      scope: Scope,
      filter: { connectionId?: string; kind?: RunKind; limit?: number } = {},
    ): Promise<SyncRun[]> {
      const rows = await db.query(
        `${RUN_SELECT(s)} WHERE r.seller_id = $1
           AND ($2::text IS NULL OR r.connection_id = $2) AND ($3::text IS NULL OR r.kind = $3)
         ORDER BY r.id DESC LIMIT $4`,
        [sellerOf(scope), filter.connectionId ?? null, filter.kind ?? null, pageSize(filter.limit)],
      )
      return rows.map(toRun)
    },
  }
}
