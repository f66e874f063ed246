import { parseArgs } from 'node:util';
import { ConfigError } from '../common/errors.ts';
import type { FlagValues } from '../config/load.ts';
import { SETTINGS, type SettingSpec } from '../config/settings.ts';

type OptionSpec = { type: 'string' | 'boolean'; multiple?: boolean; short?: string };

/** Flags that belong to one command rather than to the shared configuration. */
export const COMMAND_OPTIONS: Record<string, OptionSpec & { help: string }> = {
  'kibana-url': {
    type: 'string',
    help:
      'setup: also import the Kibana dashboard through this Kibana (or KIBANA_URL). Credentials: ' +
      'KIBANA_API_KEY or KIBANA_USERNAME/KIBANA_PASSWORD (also *_FILE), else the Elasticsearch ones; ' +
      'TLS: KIBANA_CA_CERT, KIBANA_INSECURE_SKIP_TLS_VERIFY.',
  },
  'kibana-space': {
    type: 'string',
    help: 'setup: Kibana space to import into (or KIBANA_SPACE; default: the default space).',
  },
  'task-name': { type: 'string', help: 'ingest-file: task name to record on each line.' },
  execution: { type: 'string', help: 'ingest-file: execution id the file belongs to.' },
  port: { type: 'string', help: 'simulate: API port (default 8080; object store on port+1).' },
  seed: { type: 'string', help: 'simulate: tenant seed.' },
  json: { type: 'boolean', help: 'status: print JSON instead of a table.' },
  help: { type: 'boolean', short: 'h', help: 'Show help.' },
  version: { type: 'boolean', help: 'Show the version.' },
};

export interface ParsedArguments {
  command: string | undefined;
  positionals: string[];
  flags: FlagValues;
}

export function parseArguments(argv: string[]): ParsedArguments {
  const options: Record<string, OptionSpec> = {};
  for (const spec of Object.values(SETTINGS) as SettingSpec[]) {
    if (spec.flag === undefined) continue;
    options[spec.flag] = spec.boolean
      ? { type: 'boolean' }
      : { type: 'string', multiple: spec.list === true };
  }
  for (const [name, spec] of Object.entries(COMMAND_OPTIONS)) {
    options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}) };
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { command: positionals[0], positionals: positionals.slice(1), flags: values as FlagValues };
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Run "talend-logs --help" for the list of options.`);
  }
}
