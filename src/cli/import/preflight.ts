// Checks made before the first row is read, through the same API the batches use: the trigger
// can be launched by the API (and imports into --db when both are given), and every CSV column
// is a field the database can write. A mistake here costs one request, not a million row errors.
import { ConfigError } from '../../config.js';
import { fieldColumns, type ColumnPlan } from './csv-columns.js';
import type { ImportSettings } from './options.js';
import type { ApiTransport } from './transport.js';

async function read(
  transport: ApiTransport,
  method: string,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const a = await transport.call(method, Buffer.from(JSON.stringify(params)));
  if (a.status !== 200) {
    const debug = a.json.error_debug ?? a.json.error_text ?? '';
    throw new ConfigError(`${method}: ${a.status} ${typeof debug === 'string' ? debug : JSON.stringify(debug)}`);
  }
  return a.json;
}

/** The database the rows go to. */
export async function preflight(
  transport: ApiTransport,
  settings: ImportSettings,
  plan: ColumnPlan | undefined,
): Promise<number> {
  let dbId = settings.db;
  if (settings.trigger !== undefined) {
    const t = (await read(transport, 'campaigns/triggers/get', { id: settings.trigger })).data as Record<
      string,
      unknown
    >;
    if (t.is_active !== true) throw new ConfigError(`trigger ${settings.trigger} is not active`);
    if (t.trigger_type !== 'api_call')
      throw new ConfigError(
        `trigger ${settings.trigger} is of type ${String(t.trigger_type)}; only api_call triggers are launched by an import`,
      );
    const listId = typeof t.list_id === 'number' ? t.list_id : undefined;
    if (listId === undefined) throw new ConfigError(`trigger ${settings.trigger} has no database`);
    if (dbId !== undefined && dbId !== listId)
      throw new ConfigError(`trigger ${settings.trigger} imports into database ${listId}, not ${dbId}`);
    dbId = listId;
  }
  if (dbId === undefined) throw new ConfigError('no database to import into');
  const fields = (await read(transport, 'databases/fields_get', { id: dbId })).data as {
    name: string;
    read_only?: boolean;
  }[];
  if (plan) {
    const writable = new Set(fields.filter((f) => !f.read_only).map((f) => f.name));
    writable.add('profile_id');
    const unknown = fieldColumns(plan).filter((name) => !writable.has(name));
    if (unknown.length > 0) {
      throw new ConfigError(
        `CSV header: ${unknown.map((n) => JSON.stringify(n)).join(', ')} ${unknown.length === 1 ? 'is not a field' : 'are not fields'} that database ${dbId} can import ` +
          '(system fields, its custom fields, profile_id, custom_data, or sub.<channel>.<resource_id> subscription columns)',
      );
    }
  }
  return dbId;
}
