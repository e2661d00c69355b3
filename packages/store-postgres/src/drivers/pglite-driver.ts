import type { PGlite, Transaction } from '@electric-sql/pglite'
import type { SqlDriver, SqlExecutor } from '../driver.js'

type Queryable = Pick<Transaction, 'query' | 'exec'>

function executor(db: Queryable): SqlExecutor {
  return {
    async query<R extends object>(text: string, params: readonly unknown[] = []) {
      const result = await db.query<R>(text, [...params])
      return result.rows
    },
    async exec(text: string) {
      await db.exec(text)
    },
  }
}

/** A {@link SqlDriver} over an embedded PGlite database (one connection; PGlite serializes queries). */
export function pgliteDriver(db: PGlite, options: { ownsDb: boolean }): SqlDriver {
  const base = executor(db)
  return {
    name: 'pglite',
    query: base.query,
    exec: base.exec,
    transaction: (fn) => db.transaction((tx) => fn(executor(tx))),
    async listen(channel, onNotify) {
      const unlisten = await db.listen(`"${channel}"`, () => onNotify())
      return () => unlisten()
    },
    async close() {
      if (options.ownsDb && !db.closed) await db.close()
    },
  }
}
