-- Herald's schema on SQLite. Timestamps are UTC epoch milliseconds.

CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE accounts (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL,
  config_version INTEGER NOT NULL DEFAULT 1,
  created_at     INTEGER NOT NULL
);

CREATE TABLE tokens (
  hash       TEXT PRIMARY KEY,
  account_id INTEGER NOT NULL,
  role       TEXT NOT NULL,
  revoked    INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

CREATE TABLE senders (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL,
  name       TEXT NOT NULL,
  type       TEXT NOT NULL,
  config     TEXT NOT NULL,
  UNIQUE (account_id, name)
);

CREATE TABLE databases (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id  INTEGER NOT NULL,
  name        TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  fields      TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);

CREATE TABLE resources (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL,
  name       TEXT NOT NULL,
  db_ids     TEXT NOT NULL,
  channels   TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE templates (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL,
  name       TEXT NOT NULL,
  channel    TEXT NOT NULL,
  body       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE triggers (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  is_active  INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE action_hooks (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL,
  url        TEXT NOT NULL,
  secret     TEXT,
  filters    TEXT NOT NULL,
  UNIQUE (account_id, url)
);

-- Profiles: one document per profile; `seq` orders them by creation (oldest match wins).
CREATE TABLE profiles (
  seq        INTEGER PRIMARY KEY,
  id         TEXT NOT NULL UNIQUE,
  account_id INTEGER NOT NULL,
  db_id      INTEGER NOT NULL,
  fields     TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX profiles_db ON profiles (db_id, seq);

-- The indexed value table of spec 03: every matchable value (email, phones, custom fields,
-- each tag) of every profile, so each matching mode is an index lookup.
CREATE TABLE profile_values (
  db_id       INTEGER NOT NULL,
  field       TEXT NOT NULL,
  value       TEXT NOT NULL,
  profile_seq INTEGER NOT NULL,
  num         REAL,
  PRIMARY KEY (db_id, field, value, profile_seq)
) WITHOUT ROWID;
CREATE INDEX profile_values_num ON profile_values (db_id, field, num) WHERE num IS NOT NULL;

-- Subscriptions, identified by (profile, resource, channel, normalised address).
CREATE TABLE subscriptions (
  profile_seq INTEGER NOT NULL,
  resource_id INTEGER NOT NULL,
  channel     TEXT NOT NULL,
  address     TEXT NOT NULL,
  db_id       INTEGER NOT NULL,
  status      INTEGER NOT NULL,
  priority    INTEGER NOT NULL,
  data        TEXT NOT NULL,
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (profile_seq, resource_id, channel, address)
) WITHOUT ROWID;
CREATE INDEX subscriptions_lookup ON subscriptions (db_id, channel, address, profile_seq);

-- One row per launch of a trigger by a request: content, custom_data, attachments stored once.
CREATE TABLE launches (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL,
  trigger_id  INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  content     TEXT,
  custom_data TEXT,
  created_at  INTEGER NOT NULL
);

CREATE TABLE attachments (
  id        INTEGER PRIMARY KEY,
  launch_id INTEGER NOT NULL,
  position  INTEGER NOT NULL,
  name      TEXT NOT NULL,
  mime      TEXT NOT NULL,
  data      BLOB NOT NULL
);
CREATE INDEX attachments_launch ON attachments (launch_id, position);

CREATE TABLE messages (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL,
  trigger_id  INTEGER NOT NULL,
  launch_id   INTEGER NOT NULL,
  profile_id  TEXT NOT NULL,
  channel     TEXT NOT NULL,
  resource_id INTEGER,
  address     TEXT,
  status      TEXT NOT NULL,
  due_at      INTEGER NOT NULL,
  lease_until INTEGER,
  attempts    INTEGER NOT NULL DEFAULT 0,
  variant     INTEGER NOT NULL DEFAULT 0,
  custom_data TEXT,
  skip_reason TEXT,
  last_error  TEXT,
  sent_at     INTEGER,
  created_at  INTEGER NOT NULL
);
CREATE INDEX messages_due ON messages (due_at, id) WHERE status = 'scheduled';
CREATE INDEX messages_trigger ON messages (trigger_id, id);
CREATE INDEX messages_profile_pending ON messages (profile_id) WHERE status = 'scheduled';

-- The durable outbox of action-hook events, written in the transaction that caused them.
CREATE TABLE events (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL,
  type        TEXT NOT NULL,
  db_id       INTEGER,
  resource_id INTEGER,
  trigger_id  INTEGER,
  profile_id  TEXT,
  payload     TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
