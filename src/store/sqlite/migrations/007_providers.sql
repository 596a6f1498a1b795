-- Providers: the sender that took a message and the provider's id of it (its delivery receipts
-- name it), and the receipt itself (the provider's status word, reason and time).

ALTER TABLE messages ADD COLUMN sender_id INTEGER;
ALTER TABLE messages ADD COLUMN provider_id TEXT;
ALTER TABLE messages ADD COLUMN receipt_status TEXT;
ALTER TABLE messages ADD COLUMN receipt_reason TEXT;
ALTER TABLE messages ADD COLUMN receipt_at INTEGER;
CREATE INDEX messages_provider ON messages (sender_id, provider_id) WHERE provider_id IS NOT NULL;
