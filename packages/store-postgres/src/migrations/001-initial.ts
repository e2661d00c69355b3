/**
 * The first schema. Every text column uses the "C" collation: ids and keys compare bytewise,
 * which is faster than a linguistic collation and sorts UUIDv7 ids by time. `:schema` is replaced by the quoted schema name. Never edit a released
 * migration: its checksum is recorded; add a new file instead.
 */
export const initial = `
CREATE TABLE :schema.connections (
  id text COLLATE "C" PRIMARY KEY,
  seller_id text COLLATE "C" NOT NULL,
  provider text COLLATE "C" NOT NULL,
  external_account_id text COLLATE "C" NOT NULL,
  status text COLLATE "C" NOT NULL,
  status_reason text COLLATE "C",
  policy jsonb NOT NULL,
  credentials jsonb,
  settings jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE INDEX connections_seller_idx ON :schema.connections (seller_id, id);
CREATE INDEX connections_account_idx ON :schema.connections (provider, external_account_id);

CREATE TABLE :schema.webhook_events (
  id text COLLATE "C" PRIMARY KEY,
  provider text COLLATE "C" NOT NULL,
  provider_event_id text COLLATE "C" NOT NULL,
  connection_id text COLLATE "C" NOT NULL,
  seller_id text COLLATE "C" NOT NULL,
  topic text COLLATE "C" NOT NULL,
  occurred_at timestamptz,
  received_at timestamptz NOT NULL,
  headers jsonb NOT NULL,
  payload jsonb NOT NULL,
  status text COLLATE "C" NOT NULL,
  run_id text COLLATE "C",
  error text COLLATE "C",
  UNIQUE (provider, provider_event_id)
);
CREATE INDEX webhook_events_seller_idx ON :schema.webhook_events (seller_id, id);
CREATE INDEX webhook_events_prune_idx ON :schema.webhook_events (received_at)
  WHERE status IN ('processed', 'ignored');

CREATE TABLE :schema.runs (
  id text COLLATE "C" PRIMARY KEY,
  seller_id text COLLATE "C" NOT NULL,
  connection_id text COLLATE "C" NOT NULL,
  kind text COLLATE "C" NOT NULL,
  trigger text COLLATE "C",
  started_at timestamptz NOT NULL
);
CREATE INDEX runs_seller_idx ON :schema.runs (seller_id, id);

CREATE TABLE :schema.items (
  id text COLLATE "C" PRIMARY KEY,
  run_id text COLLATE "C" NOT NULL,
  connection_id text COLLATE "C" NOT NULL,
  seller_id text COLLATE "C" NOT NULL,
  provider text COLLATE "C" NOT NULL,
  operation text COLLATE "C" NOT NULL,
  idempotency_key text COLLATE "C" NOT NULL,
  entity_type text COLLATE "C" NOT NULL,
  external_id text COLLATE "C",
  internal_id text COLLATE "C",
  serial_key text COLLATE "C",
  source_hash text COLLATE "C",
  target_hash text COLLATE "C",
  payload jsonb NOT NULL DEFAULT 'null',
  diagnostic_payload jsonb,
  result jsonb,
  status text COLLATE "C" NOT NULL,
  attempt integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  next_attempt_at timestamptz NOT NULL,
  lease_owner text COLLATE "C",
  lease_expires_at timestamptz,
  last_error jsonb,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  -- When the item may be claimed: the retry time while waiting, the lease end while running
  -- (a crashed worker's item comes back), NULL once finished or out of attempts. One column
  -- makes the claim a single ordered range scan of one small partial index.
  due_at timestamptz GENERATED ALWAYS AS (
    CASE
      WHEN attempt >= max_attempts THEN NULL
      WHEN status IN ('pending', 'failed') THEN next_attempt_at
      WHEN status = 'running' THEN lease_expires_at
    END
  ) STORED,
  UNIQUE (connection_id, idempotency_key)
);
CREATE INDEX items_claim_idx ON :schema.items (due_at, id) WHERE due_at IS NOT NULL;
CREATE INDEX items_lease_idx ON :schema.items (lease_expires_at) WHERE status = 'running';
CREATE INDEX items_run_idx ON :schema.items (run_id, status);
CREATE INDEX items_seller_idx ON :schema.items (seller_id, connection_id, id);
CREATE INDEX items_prune_idx ON :schema.items (updated_at)
  WHERE status IN ('succeeded', 'dead', 'skipped', 'blocked');

-- One row per serial key while an item with that key runs. Its primary key is what makes
-- "never two at once" hold under concurrent claims: a unique check sees committed and
-- in-flight rows, not a snapshot.
CREATE TABLE :schema.serial_holds (
  serial_key text COLLATE "C" PRIMARY KEY,
  item_id text COLLATE "C" NOT NULL,
  expires_at timestamptz NOT NULL
);

CREATE TABLE :schema.attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  item_id text COLLATE "C" NOT NULL,
  seller_id text COLLATE "C" NOT NULL,
  attempt integer NOT NULL,
  worker_id text COLLATE "C",
  started_at timestamptz NOT NULL,
  finished_at timestamptz NOT NULL,
  outcome text COLLATE "C" NOT NULL,
  error jsonb,
  excerpt jsonb
);
CREATE INDEX attempts_item_idx ON :schema.attempts (item_id, id);

CREATE TABLE :schema.mappings (
  id text COLLATE "C" PRIMARY KEY,
  connection_id text COLLATE "C" NOT NULL,
  seller_id text COLLATE "C" NOT NULL,
  entity_type text COLLATE "C" NOT NULL,
  external_id text COLLATE "C" NOT NULL,
  internal_id text COLLATE "C",
  pending_ref text COLLATE "C",
  status text COLLATE "C" NOT NULL,
  baseline integer,
  source_hash text COLLATE "C",
  data jsonb NOT NULL DEFAULT '{}',
  version integer NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL,
  UNIQUE (connection_id, entity_type, external_id)
);
CREATE INDEX mappings_seller_idx ON :schema.mappings (seller_id, connection_id, id);
CREATE INDEX mappings_internal_idx ON :schema.mappings (seller_id, internal_id) WHERE internal_id IS NOT NULL;
CREATE INDEX mappings_pending_ref_idx ON :schema.mappings (seller_id, pending_ref) WHERE pending_ref IS NOT NULL;

CREATE TABLE :schema.conflicts (
  id text COLLATE "C" PRIMARY KEY,
  seller_id text COLLATE "C" NOT NULL,
  connection_id text COLLATE "C" NOT NULL,
  mapping_id text COLLATE "C" NOT NULL,
  entity_type text COLLATE "C" NOT NULL,
  external_id text COLLATE "C" NOT NULL,
  internal_id text COLLATE "C",
  diffs jsonb NOT NULL,
  source_hash text COLLATE "C" NOT NULL,
  target_hash text COLLATE "C",
  status text COLLATE "C" NOT NULL,
  created_at timestamptz NOT NULL,
  resolved_at timestamptz
);
CREATE UNIQUE INDEX conflicts_open_idx ON :schema.conflicts (mapping_id, source_hash) WHERE status = 'open';
CREATE INDEX conflicts_seller_idx ON :schema.conflicts (seller_id, id);

CREATE TABLE :schema.checkpoints (
  connection_id text COLLATE "C" NOT NULL,
  stream text COLLATE "C" NOT NULL,
  seller_id text COLLATE "C" NOT NULL,
  cursor text COLLATE "C",
  watermark timestamptz,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (connection_id, stream)
);
`
