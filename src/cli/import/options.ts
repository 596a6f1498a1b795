// The options of `herald import FILE`: their parseArgs declarations (merged into the herald
// command's) and their validation into ImportSettings. Nothing here reads the file or the storage.
import { extname, resolve } from 'node:path';
import { ConfigError } from '../../config.js';

export const importOptions = {
  trigger: { type: 'string' },
  db: { type: 'string' },
  matching: { type: 'string' },
  'field-name': { type: 'string' },
  'resource-id': { type: 'string' },
  'skip-triggers': { type: 'boolean' },
  'skip-invalid-subscriptions': { type: 'boolean' },
  'detect-geo': { type: 'boolean' },
  params: { type: 'string' },
  format: { type: 'string' },
  delimiter: { type: 'string' },
  'batch-size': { type: 'string' },
  resume: { type: 'boolean' },
  restart: { type: 'boolean' },
  url: { type: 'string' },
  token: { type: 'string' },
  'progress-every': { type: 'string' },
} as const;

export type ImportOptionValues = {
  [K in keyof typeof importOptions]?: (typeof importOptions)[K]['type'] extends 'boolean' ? boolean : string;
};

export const IMPORT_USAGE =
  '  import FILE (--trigger ID | --db ID) [--matching MODE] [--batch-size N] [--url URL --token T] [--resume | --restart]\n' +
  '                                                                  import a CSV or JSON Lines file in batches (README: herald import)';

/** Rows per request unless --batch-size says otherwise. */
export const DEFAULT_BATCH_SIZE = 5000;
/**
 * Bytes of JSON per request at most: under the API's default 10 MB body limit with room for the
 * root parameters, so a batch of wide rows is split rather than refused.
 */
export const MAX_BATCH_BYTES = 8 * 1024 * 1024;

export interface ImportSettings {
  file: string;
  format: 'csv' | 'jsonl';
  delimiter: string;
  /** The API method every batch is sent to. */
  method: 'campaigns/triggers/import_and_start_batch' | 'profiles/import_batch';
  trigger?: number;
  db?: number;
  /** Root parameters of every batch, `data` excepted (trigger_id or db_id, matching, flags, --params). */
  root: Record<string, unknown>;
  batchSize: number;
  resume: 'auto' | 'required' | 'restart';
  remote?: { url: string; token: string };
  progressEveryMs: number;
}

function positiveInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim()) || Number(raw) < 1)
    throw new ConfigError(`${name}: expected a positive integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

function formatOf(file: string, given: string | undefined): 'csv' | 'jsonl' {
  if (given !== undefined) {
    if (given !== 'csv' && given !== 'jsonl')
      throw new ConfigError(`--format: expected csv or jsonl, got ${JSON.stringify(given)}`);
    return given;
  }
  const ext = extname(file).toLowerCase();
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new ConfigError(`cannot tell the format of ${file} from its name: give --format csv or --format jsonl`);
}

function extraParams(raw: string | undefined): Record<string, unknown> {
  if (raw === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new ConfigError(`--params: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError('--params: expected a JSON object of root parameters');
  const params = parsed as Record<string, unknown>;
  // The rows and the target have their own options (and the preflight checks that target).
  for (const reserved of ['data', 'token', 'trigger_id', 'id', 'db_id', 'list_id']) {
    if (Object.hasOwn(params, reserved)) throw new ConfigError(`--params: ${reserved} cannot be given here`);
  }
  return params;
}

export function readImportSettings(
  values: ImportOptionValues,
  file: string | undefined,
  env: Record<string, string | undefined>,
): ImportSettings {
  if (!file) throw new ConfigError('import needs a FILE');
  const trigger = positiveInt('--trigger', values.trigger);
  const db = positiveInt('--db', values.db);
  if (trigger === undefined && db === undefined)
    throw new ConfigError('import needs --trigger ID (import and launch) or --db ID (import only)');
  if (values.resume && values.restart) throw new ConfigError('give --resume or --restart, not both');
  const format = formatOf(file, values.format);
  const delimiter = delimiterOf(file, values.delimiter);
  const root = rootParams(values, trigger, db);
  const remote = remoteOf(values, env);
  return {
    file: resolve(file),
    format,
    delimiter,
    method: trigger !== undefined ? 'campaigns/triggers/import_and_start_batch' : 'profiles/import_batch',
    ...(trigger !== undefined ? { trigger } : {}),
    ...(db !== undefined ? { db } : {}),
    root,
    batchSize: positiveInt('--batch-size', values['batch-size']) ?? DEFAULT_BATCH_SIZE,
    resume: values.resume ? 'required' : values.restart ? 'restart' : 'auto',
    ...(remote ? { remote } : {}),
    progressEveryMs: (positiveInt('--progress-every', values['progress-every']) ?? 10) * 1000,
  };
}

/** --delimiter, else a tab for a .tsv file and a comma for any other. */
function delimiterOf(file: string, given: string | undefined): string {
  const delimiter = given ?? (extname(file).toLowerCase() === '.tsv' ? '\t' : ',');
  if (delimiter === '' || delimiter.includes('"') || delimiter.includes('\n') || delimiter.includes('\r'))
    throw new ConfigError('--delimiter: expected a character other than a quote or a line break');
  return delimiter;
}

/** The root parameters of every batch: the target, the options that map to API parameters, --params. */
function rootParams(
  values: ImportOptionValues,
  trigger: number | undefined,
  db: number | undefined,
): Record<string, unknown> {
  const extra = extraParams(values.params);
  return {
    ...(trigger !== undefined ? { trigger_id: trigger } : { db_id: db }),
    matching: values.matching ?? 'email',
    ...(values['field-name'] !== undefined ? { field_name: values['field-name'] } : {}),
    ...(values['resource-id'] !== undefined
      ? { resource_id: positiveInt('--resource-id', values['resource-id']) }
      : {}),
    ...(values['skip-triggers'] ? { skip_triggers: true } : {}),
    ...(values['skip-invalid-subscriptions'] ? { skip_invalid_subscriptions: true } : {}),
    ...(values['detect-geo'] ? { detect_geo: true } : {}),
    ...extra,
  };
}

/** The server of --url with its write token; undefined for a local import. */
function remoteOf(values: ImportOptionValues, env: Record<string, string | undefined>): ImportSettings['remote'] {
  const token = values.token ?? env.HERALD_TOKEN;
  if (values.url === undefined) {
    if (values.token !== undefined)
      throw new ConfigError('--token is for --url; a local import works on the configured storage directly');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(values.url);
  } catch {
    throw new ConfigError(`--url: not a URL: ${JSON.stringify(values.url)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ConfigError('--url: expected http:// or https://');
  if (!token) throw new ConfigError('--url needs --token (or HERALD_TOKEN): a write token of the account');
  return { url: url.origin + url.pathname.replace(/\/+$/, ''), token };
}
