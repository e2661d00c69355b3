/**
 * The hot path of the queue moves to a narrow table. `item_queue` holds one small row per
 * unfinished item (pending, failed or running): the claim order, the lease and the attempt
 * counter. A claim updates only that row; a finish deletes it (or re-queues it) and updates the
 * wide `items` row once, as a HOT update: no index of `items` covers a column a finish changes,
 * and `fillfactor` leaves room on each page for the new version. `item_state` is what every
 * reader sees: the item with the lease of its queue row laid over it.
 *
 * Never edit a released migration: its checksum is recorded; add a new file instead.
 */
export const itemQueue = `
CREATE TABLE :schema.item_queue (
  item_id text COLLATE "C" PRIMARY KEY,
  provider text COLLATE "C" NOT NULL,
  serial_key text COLLATE "C",
  attempt integer NOT NULL,
  max_attempts integer NOT NULL,
  next_attempt_at timestamptz NOT NULL,
  lease_owner text COLLATE "C",
  lease_expires_at timestamptz,
  claimed_at timestamptz,
  -- When the item may be claimed: the retry time while waiting, the lease end while running
  -- (a crashed worker's item comes back), NULL once out of attempts.
  due_at timestamptz GENERATED ALWAYS AS (
    CASE
      WHEN attempt >= max_attempts THEN NULL
      WHEN lease_owner IS NULL THEN next_attempt_at
      ELSE lease_expires_at
    END
  ) STORED
);
CREATE INDEX item_queue_claim_idx ON :schema.item_queue (due_at, item_id) WHERE due_at IS NOT NULL;
CREATE INDEX item_queue_reap_idx ON :schema.item_queue (lease_expires_at)
  WHERE lease_owner IS NOT NULL AND attempt >= max_attempts;

INSERT INTO :schema.item_queue (item_id, provider, serial_key, attempt, max_attempts, next_attempt_at,
  lease_owner, lease_expires_at, claimed_at)
SELECT id, provider, serial_key, attempt, max_attempts, next_attempt_at,
  CASE WHEN status = 'running' THEN lease_owner END,
  CASE WHEN status = 'running' THEN lease_expires_at END,
  CASE WHEN status = 'running' THEN updated_at END
FROM :schema.items WHERE status IN ('pending', 'failed', 'running');
UPDATE :schema.items SET status = 'pending' WHERE status = 'running';

ALTER TABLE :schema.items DROP COLUMN due_at;
DROP INDEX :schema.items_lease_idx;
DROP INDEX :schema.items_prune_idx;
DROP INDEX :schema.items_run_idx;
ALTER TABLE :schema.items DROP COLUMN lease_owner, DROP COLUMN lease_expires_at;
CREATE INDEX items_run_idx ON :schema.items (run_id);
ALTER TABLE :schema.items SET (fillfactor = 50);

ALTER TABLE :schema.attempts DROP CONSTRAINT attempts_pkey;
ALTER TABLE :schema.attempts ADD PRIMARY KEY (item_id, id);
DROP INDEX :schema.attempts_item_idx;

CREATE VIEW :schema.item_state AS
SELECT i.id, i.run_id, i.connection_id, i.seller_id, i.provider, i.operation, i.idempotency_key,
  i.entity_type, i.external_id, i.internal_id, i.serial_key, i.source_hash, i.target_hash, i.payload,
  i.diagnostic_payload, i.result,
  CASE WHEN q.lease_owner IS NOT NULL THEN 'running' ELSE i.status END AS status,
  coalesce(q.attempt, i.attempt) AS attempt,
  i.max_attempts, i.next_attempt_at, q.lease_owner, q.lease_expires_at, i.last_error, i.created_at,
  CASE WHEN q.lease_owner IS NOT NULL THEN q.claimed_at ELSE i.updated_at END AS updated_at
FROM :schema.items i LEFT JOIN :schema.item_queue q ON q.item_id = i.id;
`
