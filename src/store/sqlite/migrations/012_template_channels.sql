-- Templates with several channels: a template's body becomes {"channels": {"<channel>": parts}}
-- (and its description), its channel column the list of its channels. A row written before
-- (the parts alone, its one channel in the column) is rewritten as that one channel.

UPDATE templates
SET body = json_object('channels', json_object(channel, json(body)))
WHERE json_type(body, '$.channels') IS NULL;
