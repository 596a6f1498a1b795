-- Providers: the sender that took a message and the provider's id of it (see SQLite).

ALTER TABLE messages ADD COLUMN sender_id INTEGER;
ALTER TABLE messages ADD COLUMN provider_id TEXT;
ALTER TABLE messages ADD COLUMN receipt_status TEXT;
ALTER TABLE messages ADD COLUMN receipt_reason TEXT;
ALTER TABLE messages ADD COLUMN receipt_at BIGINT;
CREATE INDEX messages_provider ON messages (sender_id, provider_id) WHERE provider_id IS NOT NULL;
