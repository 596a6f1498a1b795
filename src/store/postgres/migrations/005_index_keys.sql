-- Long values are indexed by a key (core/profiles/index-key.ts): a value of more than 1,000 bytes,
-- or one holding U+001F, becomes its first 200 characters, U+001F and the hex SHA-256 of its
-- UTF-8 bytes. Rows written before are re-keyed by the same rule: value rows, subscription
-- addresses and the addresses of messages (a worker finds a message's subscription by it).
-- Creation claims are not: a claim on an old, long value is never taken again and harms nothing.

UPDATE profile_values
   SET value = left(value, 200) || chr(31) || encode(sha256(convert_to(value, 'UTF8')), 'hex')
 WHERE octet_length(value) > 1000 OR strpos(value, chr(31)) > 0;

UPDATE subscriptions
   SET address = left(address, 200) || chr(31) || encode(sha256(convert_to(address, 'UTF8')), 'hex')
 WHERE octet_length(address) > 1000 OR strpos(address, chr(31)) > 0;

UPDATE messages
   SET address = left(address, 200) || chr(31) || encode(sha256(convert_to(address, 'UTF8')), 'hex')
 WHERE octet_length(address) > 1000 OR strpos(address, chr(31)) > 0;
