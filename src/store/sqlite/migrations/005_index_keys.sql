-- Long values are indexed by a key (core/profiles/index-key.ts): a value of more than 1,000 bytes,
-- or one holding U+001F, becomes its first 200 characters, U+001F and the hex SHA-256 of its
-- UTF-8 bytes. Rows written before are re-keyed by the same rule: value rows, subscription
-- addresses and the addresses of messages (a worker finds a message's subscription by it).
-- herald_index_key() is that function, registered on the connection by migrate() (open.ts).

UPDATE profile_values SET value = herald_index_key(value)
 WHERE length(CAST(value AS BLOB)) > 1000 OR instr(value, char(31)) > 0;

UPDATE subscriptions SET address = herald_index_key(address)
 WHERE length(CAST(address AS BLOB)) > 1000 OR instr(address, char(31)) > 0;

UPDATE messages SET address = herald_index_key(address)
 WHERE length(CAST(address AS BLOB)) > 1000 OR instr(address, char(31)) > 0;
