-- Delivery: leased claims of messages, outcomes, hook cursors and dead letters (see SQLite).

ALTER TABLE messages ADD COLUMN claim_token TEXT;
ALTER TABLE messages ADD COLUMN finished_at BIGINT;
ALTER TABLE messages ADD COLUMN reclaims INTEGER NOT NULL DEFAULT 0;
CREATE INDEX messages_leased ON messages (lease_until) WHERE status = 'sending';
CREATE INDEX messages_finished ON messages (trigger_id, finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX messages_finished_at ON messages (finished_at) WHERE finished_at IS NOT NULL;

CREATE INDEX events_account ON events (account_id, id);

CREATE TABLE hook_states (
  hook_id          INTEGER PRIMARY KEY,
  cursor           BIGINT NOT NULL DEFAULT 0,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  BIGINT NOT NULL DEFAULT 0,
  first_failure_at BIGINT,
  last_error       TEXT,
  lease_until      BIGINT,
  lease_token      TEXT,
  delivered        BIGINT NOT NULL DEFAULT 0,
  dead_lettered    BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE hook_dead_letters (
  hook_id    INTEGER NOT NULL,
  event_id   BIGINT NOT NULL,
  error      TEXT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (hook_id, event_id)
);

ALTER TABLE launches ADD COLUMN first_message_id BIGINT;
ALTER TABLE launches ADD COLUMN last_message_id BIGINT;
CREATE INDEX launches_trigger ON launches (trigger_id, created_at);
