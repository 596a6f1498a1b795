-- Tasks (the *_task methods), request keys (spec 01 deduplication) and per-token rate limits:
-- the same tables as SQLite's 004.

CREATE TABLE tasks (
  id          TEXT PRIMARY KEY,
  account_id  INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  request     TEXT NOT NULL,
  status      TEXT NOT NULL,
  total       INTEGER NOT NULL,
  done        INTEGER NOT NULL DEFAULT 0,
  parts       INTEGER NOT NULL DEFAULT 0,
  launch_id   BIGINT,
  failure     TEXT,
  attempts    INTEGER NOT NULL DEFAULT 0,
  claim_token TEXT,
  lease_until BIGINT,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  finished_at BIGINT,
  expires_at  BIGINT
);
CREATE INDEX tasks_queue ON tasks (created_at, id) WHERE status IN ('pending', 'running');
CREATE INDEX tasks_expiry ON tasks (expires_at) WHERE expires_at IS NOT NULL;

CREATE TABLE task_parts (
  task_id TEXT NOT NULL,
  part_no INTEGER NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (task_id, part_no)
);

CREATE TABLE request_keys (
  token_hash   TEXT NOT NULL,
  method       TEXT NOT NULL,
  key          TEXT NOT NULL,
  account_id   INTEGER NOT NULL,
  request_hash TEXT NOT NULL,
  state        TEXT NOT NULL,
  claim_token  TEXT NOT NULL,
  lease_until  BIGINT NOT NULL,
  response     TEXT,
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,
  PRIMARY KEY (token_hash, method, key)
);
CREATE INDEX request_keys_expiry ON request_keys (expires_at);

ALTER TABLE tokens ADD COLUMN rate_per_second DOUBLE PRECISION;
ALTER TABLE tokens ADD COLUMN burst INTEGER;
