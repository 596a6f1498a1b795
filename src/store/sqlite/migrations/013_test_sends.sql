-- Test sends (templates/preview with test_email or test_phone): the rendered message, queued
-- apart from the messages so no counter, report or hook sees it, sent once by a worker.
CREATE TABLE test_sends (
  id          INTEGER PRIMARY KEY,
  account_id  INTEGER NOT NULL,
  template_id INTEGER,
  channel     TEXT NOT NULL,
  resource_id INTEGER NOT NULL,
  address     TEXT NOT NULL,
  content     TEXT NOT NULL,
  status      TEXT NOT NULL,
  error       TEXT,
  provider_id TEXT,
  created_at  INTEGER NOT NULL,
  sent_at     INTEGER
);
CREATE INDEX test_sends_due ON test_sends (id) WHERE status = 'scheduled';
CREATE INDEX test_sends_account ON test_sends (account_id, id);
