/**
 * Every test of {@link runStoreConformance}, by id. Use an id to skip a test (with a reason) in
 * {@link StoreConformanceOptions.skip}; the value is the test's title.
 */
export const STORE_CONFORMANCE_TESTS = {
  'connections.crud': 'connections: create with defaults, get, list, update merges policy, find by account',
  'enqueue.idempotency':
    'enqueue: one item per (connection, idempotency key); another connection gets its own',
  'enqueue.idempotency-concurrent': 'enqueue: concurrent enqueues of the same keys create each item once',
  'webhooks.dedupe': 'webhooks: concurrent deliveries of one event store one row and all return it',
  'webhooks.update': 'webhooks: update status, run and error; list filters',
  'claim.exactly-once': 'claim: concurrent claimers claim every item exactly once',
  'claim.due-order': 'claim: only due items, oldest due first, within limit and provider filter',
  'claim.lease-expiry':
    'claim: an expired lease is reclaimed (attempt + 1, lease_expired attempt); a live one is not',
  'claim.heartbeat': 'heartbeat: extends only the leases the worker still holds',
  'claim.reap': 'reapExpiredLeases: dead-letters expired items that used their last attempt, and only those',
  'claim.serial-key': 'claim: one running item per serial key, across connections and within one batch',
  'claim.serial-key-expired': 'claim: an expired lease does not block its serial key',
  'claim.serial-key-concurrent': 'claim: concurrent claimers never run two items with one serial key',
  'claim.reclaim-race': 'claim: an expired lease goes to its old owner or to a new claimer, never to both',
  'claim.max-attempts': 'claim: an item that used all its attempts is not claimed',
  'finish.backoff': 'finish: a failed item is not claimable before its nextAttemptAt',
  'finish.lease-owner': 'finish: only the lease owner finishes; a lost lease returns null',
  'finish.succeeded': 'finish: succeeded stores result, internalId and targetHash and clears the lease',
  'finish.attempts': 'finish: every outcome writes its attempt row, oldest first',
  'finish.dead-letter': 'finish: dead items keep their error and are never claimed again',
  'finish.release': 'finish: a released item is pending again with its attempt given back',
  'diagnostic.lease': 'saveDiagnostic: only while the worker holds the lease',
  'replay.item': 'replay: an item by id; running and unknown items are untouched',
  'replay.run': 'replay: a run, default statuses dead|failed|blocked|skipped, running untouched',
  'replay.concurrent':
    'replay: racing claimers take each re-queued item once; running items are never re-queued',
  'replay.connection': 'replay: all items of one connection with the given statuses',
  'runs.counts': 'runs: counts, status and finishedAt derived from the items',
  'items.list': 'items: listItems filters by run, connection, status and operation',
  'items.pagination': 'items: keyset pagination walks every item once, in creation order',
  'tenancy.isolation': 'tenancy: another seller sees and changes nothing, through every scoped method',
  'checkpoints.save': 'checkpoints: save, overwrite, per stream, scoped',
  'mappings.upsert-concurrent': 'mappings: concurrent upserts converge on one row, each a new version',
  'mappings.repair': 'mappings: a pending mapping found by pendingRef is linked; stale versions lose',
  'mappings.cas-concurrent': 'mappings: of concurrent updates with one expectedVersion exactly one wins',
  'conflicts.open-unique': 'conflicts: one open conflict per (mapping, sourceHash), also under concurrency',
  'conflicts.resolve': 'conflicts: resolve only once; a resolved conflict frees its hash',
  'optional.on-wake': 'onWake: fires on enqueue, failed, release and replay; unsubscribe stops it',
  'optional.next-due-at': 'nextDueAt: the earliest due time of claimable work, null when none',
  'optional.prune': 'prune: deletes old finished items, their attempts and handled events only',
} as const

/** Id of a test of {@link runStoreConformance}. */
export type StoreConformanceTestId = keyof typeof STORE_CONFORMANCE_TESTS
