-- Herald's schema on PostgreSQL: the same tables as on SQLite (timestamps are UTC epoch
-- milliseconds in BIGINT). Documents are JSON, not JSON: they keep their key order (profiles/get
-- returns fields in the order they were set, as on SQLite) and are written without conversion.

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE accounts (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL,
  config_version INTEGER NOT NULL DEFAULT 1,
  created_at     BIGINT NOT NULL
);

CREATE TABLE tokens (
  hash       TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL,
  role       TEXT NOT NULL,
  revoked    BOOLEAN NOT NULL DEFAULT FALSE,
  created_at BIGINT NOT NULL
);

CREATE TABLE senders (
  id         SERIAL PRIMARY KEY,
  account_id INTEGER NOT NULL,
  name       TEXT NOT NULL,
  type       TEXT NOT NULL,
  config     TEXT NOT NULL,
  UNIQUE (account_id, name)
);

-- Ids come from the API (sequence) or from provisioning files (explicit); the sequences are
-- moved past every explicit id, so API ids are above every id a provisioning file has used.
CREATE TABLE databases (
  id          SERIAL PRIMARY KEY,
  account_id  INTEGER NOT NULL,
  name        TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  fields      TEXT NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);

CREATE TABLE resources (
  id         SERIAL PRIMARY KEY,
  account_id INTEGER NOT NULL,
  name       TEXT NOT NULL,
  db_ids     TEXT NOT NULL,
  channels   TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE templates (
  id         SERIAL PRIMARY KEY,
  account_id INTEGER NOT NULL,
  name       TEXT NOT NULL,
  channel    TEXT NOT NULL,
  body       TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE triggers (
  id         SERIAL PRIMARY KEY,
  account_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  is_active  BOOLEAN NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE action_hooks (
  id         SERIAL PRIMARY KEY,
  account_id INTEGER NOT NULL,
  url        TEXT NOT NULL,
  secret     TEXT,
  filters    TEXT NOT NULL,
  UNIQUE (account_id, url)
);

CREATE TABLE profiles (
  seq        BIGSERIAL PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  account_id INTEGER NOT NULL,
  db_id      INTEGER NOT NULL,
  fields     JSON NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX profiles_db ON profiles (db_id, seq);

-- The indexed value table of spec 03 (see the SQLite schema).
CREATE TABLE profile_values (
  db_id       INTEGER NOT NULL,
  field       TEXT NOT NULL,
  value       TEXT NOT NULL,
  profile_seq BIGINT NOT NULL,
  num         DOUBLE PRECISION,
  PRIMARY KEY (db_id, field, value, profile_seq)
);
CREATE INDEX profile_values_num ON profile_values (db_id, field, num) WHERE num IS NOT NULL;

-- Serialises profile creation per matching value across processes: a creator upserts the
-- claim row of each value it may create a profile for, and holds its row lock until commit.
-- (Not a UNIQUE constraint on emails: other modes legitimately let profiles share one.)
CREATE TABLE match_claims (
  db_id      INTEGER NOT NULL,
  key        TEXT NOT NULL,
  claimed_at BIGINT NOT NULL,
  PRIMARY KEY (db_id, key)
);

CREATE TABLE subscriptions (
  profile_seq BIGINT NOT NULL,
  resource_id INTEGER NOT NULL,
  channel     TEXT NOT NULL,
  address     TEXT NOT NULL,
  db_id       INTEGER NOT NULL,
  status      INTEGER NOT NULL,
  priority    INTEGER NOT NULL,
  data        JSON NOT NULL,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  PRIMARY KEY (profile_seq, resource_id, channel, address)
);
CREATE INDEX subscriptions_lookup ON subscriptions (db_id, channel, address, profile_seq);

CREATE TABLE launches (
  id          BIGSERIAL PRIMARY KEY,
  account_id  INTEGER NOT NULL,
  trigger_id  INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  content     JSON,
  custom_data JSON,
  created_at  BIGINT NOT NULL
);

CREATE TABLE attachments (
  id        BIGSERIAL PRIMARY KEY,
  launch_id BIGINT NOT NULL,
  position  INTEGER NOT NULL,
  name      TEXT NOT NULL,
  mime      TEXT NOT NULL,
  data      BYTEA NOT NULL
);
CREATE INDEX attachments_launch ON attachments (launch_id, position);

CREATE TABLE messages (
  id          BIGSERIAL PRIMARY KEY,
  account_id  INTEGER NOT NULL,
  trigger_id  INTEGER NOT NULL,
  launch_id   BIGINT NOT NULL,
  profile_id  TEXT NOT NULL,
  channel     TEXT NOT NULL,
  resource_id INTEGER,
  address     TEXT,
  status      TEXT NOT NULL,
  due_at      BIGINT NOT NULL,
  lease_until BIGINT,
  attempts    INTEGER NOT NULL DEFAULT 0,
  variant     INTEGER NOT NULL DEFAULT 0,
  custom_data JSON,
  skip_reason TEXT,
  last_error  TEXT,
  sent_at     BIGINT,
  created_at  BIGINT NOT NULL
);
CREATE INDEX messages_due ON messages (due_at, id) WHERE status = 'scheduled';
CREATE INDEX messages_trigger ON messages (trigger_id, id);
CREATE INDEX messages_profile_pending ON messages (profile_id) WHERE status = 'scheduled';

CREATE TABLE events (
  id          BIGSERIAL PRIMARY KEY,
  account_id  INTEGER NOT NULL,
  type        TEXT NOT NULL,
  db_id       INTEGER,
  resource_id INTEGER,
  trigger_id  INTEGER,
  profile_id  TEXT,
  payload     JSON NOT NULL,
  created_at  BIGINT NOT NULL
);
