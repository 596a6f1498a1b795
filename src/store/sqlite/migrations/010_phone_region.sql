-- A database's phone region: the country whose national numbers (89001234567 in RU) its
-- profiles' phones may be written in. NULL: the server's HERALD_PHONE_REGION.

ALTER TABLE databases ADD COLUMN phone_region TEXT;
