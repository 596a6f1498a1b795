-- Delivery: leased claims of messages, outcomes, the hook cursors and their dead letters.

ALTER TABLE messages ADD COLUMN claim_token TEXT;
ALTER TABLE messages ADD COLUMN finished_at INTEGER;
-- How many times the message was taken back from a worker whose lease expired (a crash window).
ALTER TABLE messages ADD COLUMN reclaims INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_leased ON messages (lease_until) WHERE status = 'sending';
CREATE INDEX messages_finished ON messages (trigger_id, finished_at) WHERE finished_at IS NOT NULL;

CREATE INDEX events_account ON events (account_id, id);

-- One row per action hook: the last event it has handled, and its retry state.
CREATE TABLE hook_states (
  hook_id          INTEGER PRIMARY KEY,
  cursor           INTEGER NOT NULL DEFAULT 0,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER NOT NULL DEFAULT 0,
  first_failure_at INTEGER,
  last_error       TEXT,
  lease_until      INTEGER,
  lease_token      TEXT,
  delivered        INTEGER NOT NULL DEFAULT 0,
  dead_lettered    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE hook_dead_letters (
  hook_id    INTEGER NOT NULL,
  event_id   INTEGER NOT NULL,
  error      TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (hook_id, event_id)
);

-- The id range of a launch's messages (they are written in one transaction), so finding whether
-- a launch still has messages is a range probe on the primary key.
ALTER TABLE launches ADD COLUMN first_message_id INTEGER;
ALTER TABLE launches ADD COLUMN last_message_id INTEGER;
CREATE INDEX messages_finished_at ON messages (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX launches_trigger ON launches (trigger_id, created_at);
