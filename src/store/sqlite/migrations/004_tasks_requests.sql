-- Tasks (the *_task methods), request keys (spec 01 deduplication) and per-token rate limits.

-- A task: its request (decoded parameters, never the token), its progress and its lease.
-- Progress (`done`) is committed in the transaction of the work it counts, with that work's
-- part of the result (task_parts), so a task resumed after a crash never runs an item twice.
CREATE TABLE tasks (
  id          TEXT PRIMARY KEY,
  account_id  INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  request     TEXT NOT NULL,
  status      TEXT NOT NULL,
  total       INTEGER NOT NULL,
  done        INTEGER NOT NULL DEFAULT 0,
  parts       INTEGER NOT NULL DEFAULT 0,
  launch_id   INTEGER,
  failure     TEXT,
  attempts    INTEGER NOT NULL DEFAULT 0,
  claim_token TEXT,
  lease_until INTEGER,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  finished_at INTEGER,
  expires_at  INTEGER
);
CREATE INDEX tasks_queue ON tasks (created_at, id) WHERE status IN ('pending', 'running');
CREATE INDEX tasks_expiry ON tasks (expires_at) WHERE expires_at IS NOT NULL;

-- Each committed chunk's part of the task's result: {"result": […], "errors": […]}.
CREATE TABLE task_parts (
  task_id TEXT NOT NULL,
  part_no INTEGER NOT NULL,
  payload TEXT NOT NULL,
  PRIMARY KEY (task_id, part_no)
) WITHOUT ROWID;

-- Request keys: scope (token hash, method, key). `pending` while the first request runs (leased),
-- `applied` when its effects were committed before its response was known, `done` with the
-- response to replay. Committed in the transaction of the request's effects.
CREATE TABLE request_keys (
  token_hash   TEXT NOT NULL,
  method       TEXT NOT NULL,
  key          TEXT NOT NULL,
  account_id   INTEGER NOT NULL,
  request_hash TEXT NOT NULL,
  state        TEXT NOT NULL,
  claim_token  TEXT NOT NULL,
  lease_until  INTEGER NOT NULL,
  response     TEXT,
  created_at   INTEGER NOT NULL,
  expires_at   INTEGER NOT NULL,
  PRIMARY KEY (token_hash, method, key)
) WITHOUT ROWID;
CREATE INDEX request_keys_expiry ON request_keys (expires_at);

-- Optional per-token rate limit (requests per second, with a burst); NULL = unlimited.
ALTER TABLE tokens ADD COLUMN rate_per_second REAL;
ALTER TABLE tokens ADD COLUMN burst INTEGER;
