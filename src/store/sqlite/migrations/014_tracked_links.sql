-- The tracked links of triggers' planned HTML (docs/TRACKING.md): a click token names one by id.
-- One row per account, trigger, link position and URL (by its SHA-256); a row never changes and
-- is kept, as a click may come long after its message is purged.
CREATE TABLE tracked_links (
  id         INTEGER PRIMARY KEY,
  account_id INTEGER NOT NULL,
  trigger_id INTEGER NOT NULL,
  position   INTEGER NOT NULL,
  url_hash   TEXT NOT NULL,
  url        TEXT NOT NULL
);
CREATE UNIQUE INDEX tracked_links_key ON tracked_links (account_id, trigger_id, position, url_hash);
