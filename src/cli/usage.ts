// The help of the `herald` command: one entry per command (its synopsis, what it does, its
// options), printed by `herald --help` and `herald <command> --help`, and written into
// docs/CLI.md by scripts/generate-docs.ts (a test keeps the page equal to this table).

export interface CommandHelp {
  /** `token create` for a subcommand. */
  name: string;
  synopsis: string;
  summary: string;
  /** [option, meaning] */
  options: [string, string][];
  /** Lines printed after the options. */
  notes?: string[];
}

const COMMON: [string, string][] = [
  [
    '--config FILE',
    'a settings file (JSON or YAML, the HERALD_* names in lower case without the prefix: docs/CONFIG.md)',
  ],
  ['--database-url URL', 'the storage (HERALD_DATABASE_URL): sqlite:FILE or postgres://…'],
  ['-h, --help', 'this help'],
];

export const COMMANDS: CommandHelp[] = [
  {
    name: 'serve',
    synopsis: 'herald serve [--port N] [--host H] [--workers N] [--provision FILE]',
    summary: 'run the API, the console and N delivery workers (0 = API only)',
    options: [
      ['--port N', 'port to listen on (HERALD_PORT, default 8080)'],
      ['--host H', 'address to listen on (HERALD_HOST, default 127.0.0.1; 0.0.0.0 for every interface)'],
      ['--workers N', 'delivery worker loops in this process (HERALD_WORKERS, default 1)'],
      ['--provision FILE', 'apply this provisioning file at start (HERALD_PROVISION; docs/PROVISIONING.md)'],
    ],
    notes: [
      'At start it logs where the API, the console and the API docs are, and warns while the demo token is active.',
    ],
  },
  {
    name: 'worker',
    synopsis: 'herald worker [--workers N]',
    summary: 'run delivery workers only, no API (at least one)',
    options: [['--workers N', 'worker loops (HERALD_WORKERS)']],
    notes: ['HERALD_METRICS_PORT serves /metrics, /healthz and /readyz from it.'],
  },
  {
    name: 'apply',
    synopsis: 'herald apply FILE',
    summary: 'apply a provisioning file (JSON or YAML): all of it or, on any problem, nothing',
    options: [],
    notes: [
      'Every problem is listed on stderr with its path. A token revoked before stays revoked. The format: docs/PROVISIONING.md.',
    ],
  },
  {
    name: 'migrate',
    synopsis: 'herald migrate',
    summary: 'bring the storage schema up to date, and say which migrations it applied',
    options: [],
  },
  {
    name: 'token create',
    synopsis: 'herald token create --account ID [--role read|write]',
    summary: 'mint a token for an account and print it once (only its hash is stored)',
    options: [
      ['--account ID', 'the account the token belongs to'],
      ['--role read|write', 'read tokens call only the read methods (default write)'],
    ],
  },
  {
    name: 'token revoke',
    synopsis: 'herald token revoke TOKEN',
    summary: 'revoke a token for good (applying a provisioning file that lists it does not bring it back)',
    options: [],
  },
  {
    name: 'token list',
    synopsis: 'herald token list',
    summary: 'list the stored tokens: the start of each hash, account, role, created, revoked',
    options: [],
    notes: [
      'Only hashes are stored, so a token is shown by the first 12 hex digits of its SHA-256 (`printf %s TOKEN | sha256sum`).',
    ],
  },
  {
    name: 'import',
    synopsis: 'herald import FILE (--trigger ID | --db ID) [options]',
    summary: 'import a CSV or JSON Lines file in batches through the API, resumable (README: Importing files)',
    options: [
      ['--trigger ID', 'import and launch this trigger (campaigns/triggers/import_and_start_batch)'],
      ['--db ID', 'the database (alone: profiles/import_batch, no launch)'],
      ['--matching MODE', 'matching mode (default email)'],
      ['--field-name NAME', 'the field of --matching custom'],
      ['--resource-id ID', 'the resource of subscription matching modes'],
      ['--skip-triggers', 'do not start event triggers'],
      ['--skip-invalid-subscriptions', 'drop bad subscriptions instead of refusing the row'],
      ['--detect-geo', 'fill geo fields from the profile IP'],
      ['--params JSON', 'other root parameters (content, custom_data, timeout, subscription_filter)'],
      ['--format csv|jsonl', 'default: from the extension'],
      ['--delimiter C', 'CSV delimiter (default , ; tab for .tsv)'],
      ['--batch-size N', 'rows per request (default 5000)'],
      ['--resume', 'insist on resuming from FILE.herald-progress'],
      ['--restart', 'start again from the first row'],
      ['--url URL', 'a running server instead of the configured storage'],
      ['--token TOKEN', 'the token for --url (or HERALD_TOKEN)'],
      ['--progress-every SECONDS', 'progress line interval when not on a terminal (default 10)'],
    ],
    notes: [
      'Exit status: 0 all rows imported, 2 done with rejected rows (FILE.errors.jsonl), 1 failed, 130 interrupted.',
    ],
  },
];

const pad = (rows: [string, string][], indent: string): string[] => {
  const width = Math.max(0, ...rows.map(([a]) => a.length));
  return rows.map(([a, b]) => `${indent}${a.padEnd(width)}  ${b}`);
};

/** `herald --help`. */
export function generalUsage(): string {
  return [
    'Usage: herald <command> [options]',
    '',
    'Commands:',
    ...pad(
      COMMANDS.map((c) => [c.synopsis.replace(/^herald /, ''), c.summary]),
      '  ',
    ),
    '',
    'Common options:',
    ...pad(COMMON, '  '),
    '  --version  print the version',
    '',
    "Run 'herald <command> --help' for a command's options.",
  ].join('\n');
}

/** The help of one command (`token` alone lists its subcommands). */
export function commandUsage(name: string): string | undefined {
  const matching = COMMANDS.filter((c) => c.name === name || c.name.startsWith(`${name} `));
  if (matching.length === 0) return undefined;
  const out: string[] = [];
  for (const c of matching) {
    if (out.length) out.push('');
    out.push(`Usage: ${c.synopsis}`, '', `  ${c.summary}`);
    if (c.options.length) out.push('', 'Options:', ...pad(c.options, '  '));
    for (const n of c.notes ?? []) out.push('', `  ${n}`);
  }
  out.push('', 'Common options:', ...pad(COMMON, '  '));
  return out.join('\n');
}

/** docs/CLI.md, from the same table. */
export function cliReference(): string {
  const out = [
    '# The `herald` command',
    '',
    '<!-- Generated from src/cli/usage.ts by `npm run generate:docs`; a test fails when this page and the code differ. -->',
    '',
    '`npx herald <command> --help` prints the same text for one command; `npx herald --version` the version.',
    'Settings (storage, ports, …) come from `HERALD_*` variables, a `--config FILE` and flags, flags winning: see `docs/CONFIG.md`.',
    '',
  ];
  for (const c of COMMANDS) {
    out.push(
      `## ${c.name}`,
      '',
      '```',
      c.synopsis,
      '```',
      '',
      `${c.summary[0].toUpperCase()}${c.summary.slice(1)}.`,
      '',
    );
    if (c.options.length)
      out.push(
        '| option | meaning |',
        '|---|---|',
        ...c.options.map(([a, b]) => `| \`${a}\` | ${b.replace(/\|/g, '\\|')} |`),
        '',
      );
    for (const n of c.notes ?? []) out.push(n, '');
  }
  out.push(
    '## Common options',
    '',
    '| option | meaning |',
    '|---|---|',
    ...COMMON.map(([a, b]) => `| \`${a}\` | ${b} |`),
    '| `--version` | print the version |',
    '',
  );
  return out.join('\n');
}
