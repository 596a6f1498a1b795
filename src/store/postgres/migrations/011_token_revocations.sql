-- A revocation is remembered: when a token was revoked. Applying a provisioning file never
-- brings a revoked token back (catalog.ts keeps revoked = TRUE once set).

ALTER TABLE tokens ADD COLUMN revoked_at BIGINT;
UPDATE tokens SET revoked_at = created_at WHERE revoked;
