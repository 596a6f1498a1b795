-- Stop lists (Altcraft's suppression lists), open and click tracking, and the report counters.

-- A suppression list of an account; its entries are email addresses, email domains and phones.
CREATE TABLE suppression_lists (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  account_id INTEGER NOT NULL,
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX suppression_lists_account ON suppression_lists (account_id, id);

-- kind: 'email' (lower-cased address), 'domain' (lower-cased), 'phone' (digits only).
CREATE TABLE suppression_entries (
  list_id    INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  value      TEXT NOT NULL,
  account_id INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (list_id, kind, value)
) WITHOUT ROWID;
CREATE INDEX suppression_entries_lookup ON suppression_entries (account_id, kind, value);

-- Counters of a trigger per UTC day (day = epoch milliseconds / 86,400,000), kept in the
-- transaction of the event they count: a report reads these rows, never the messages.
CREATE TABLE report_counters (
  account_id INTEGER NOT NULL,
  trigger_id INTEGER NOT NULL,
  day        INTEGER NOT NULL,
  name       TEXT NOT NULL,
  n          INTEGER NOT NULL,
  PRIMARY KEY (account_id, trigger_id, day, name)
) WITHOUT ROWID;

-- What was already seen of a message: 'o' (opened), 'c' (clicked), 'c<link>' (that link clicked).
CREATE TABLE tracking_marks (
  message_id INTEGER NOT NULL,
  mark       TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (message_id, mark)
) WITHOUT ROWID;
CREATE INDEX tracking_marks_time ON tracking_marks (created_at);

-- Every open and click, with its time, IP and User-Agent.
CREATE TABLE tracking_events (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  trigger_id INTEGER NOT NULL,
  message_id INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  link       INTEGER,
  url        TEXT,
  ip         TEXT,
  user_agent TEXT,
  created_at INTEGER NOT NULL
);
CREATE INDEX tracking_events_message ON tracking_events (message_id);
CREATE INDEX tracking_events_time ON tracking_events (created_at);
