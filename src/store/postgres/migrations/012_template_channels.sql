-- Templates with several channels: a template's body becomes {"channels": {"<channel>": parts}}
-- (and its description), its channel column the list of its channels. A row written before
-- (the parts alone, its one channel in the column) is rewritten as that one channel.

UPDATE templates
SET body = jsonb_build_object('channels', jsonb_build_object(channel, body::jsonb))::text
WHERE NOT (body::jsonb ? 'channels');
