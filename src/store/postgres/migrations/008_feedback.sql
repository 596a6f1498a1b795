-- Delivery feedback: message events, bounces and complaints (see SQLite).

-- One row per thing that happened to a message after its send. A message bounces hard, bounces
-- soft, is reported delivered and is complained about at most once each: reading the same report
-- twice inserts nothing the second time, and so changes nothing.
CREATE TABLE message_events (
  id          BIGSERIAL PRIMARY KEY,
  message_id  BIGINT NOT NULL,
  account_id  INTEGER NOT NULL,
  trigger_id  INTEGER NOT NULL,
  type        TEXT NOT NULL,
  data        JSONB NOT NULL,
  created_at  BIGINT NOT NULL
);
CREATE INDEX message_events_message ON message_events (message_id);
CREATE INDEX message_events_trigger ON message_events (trigger_id, created_at);
CREATE UNIQUE INDEX message_events_once ON message_events (message_id, type) WHERE type IN ('hbounce', 'sbounce', 'complain', 'deliv');

-- `bounced` messages say which kind; the reason is the SMTP reply or the report's diagnostic.
ALTER TABLE messages ADD COLUMN bounce TEXT;
ALTER TABLE messages ADD COLUMN feedback_reason TEXT;
ALTER TABLE messages ADD COLUMN feedback_at BIGINT;

-- Soft bounces in a row (a delivery resets it); at HERALD_SOFT_BOUNCE_LIMIT the subscription is suspended.
ALTER TABLE subscriptions ADD COLUMN soft_bounces INTEGER NOT NULL DEFAULT 0;
