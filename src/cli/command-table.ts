import type { FlagValues } from '../config/setting-source.ts';
import type { SettingGroup, SettingName } from '../config/settings.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  help: string;
  short?: string;
}

/**
 * One command: what its help says, which options and arguments it accepts, and how it runs. Adding a
 * command is adding an entry to COMMANDS: the parser, `--help` and the dispatch all read it.
 */
export interface CommandSpec {
  summary: string;
  /** Positional arguments, named as the usage line shows them; anything more is a usage error. */
  arguments?: readonly string[];
  /** The rest of the usage line, for commands with options they cannot do without. */
  usage?: string;
  /** The settings (config/settings.ts) it reads: their flags are its options. */
  groups: readonly SettingGroup[];
  /** Single settings of groups it does not otherwise read. */
  settings?: readonly SettingName[];
  /** Settings of its groups that mean nothing to it: not its options. */
  omit?: readonly SettingName[];
  /** What a setting does in this command, where the table's help says something else. */
  describe?: Readonly<Partial<Record<SettingName, string>>>;
  /** Its own defaults, below every flag, variable and config file key like the table's (and shown in its help). */
  defaults?: Readonly<Partial<Record<SettingName, string>>>;
  /** Flags of this command alone, not settings of the shared configuration. */
  options?: Readonly<Record<string, OptionSpec>>;
  /** Loaded when it runs: a scheduled `sync` carries neither the simulator nor the Kibana importer. */
  run(flags: FlagValues, positionals: string[]): Promise<number>;
}

const SYNC_GROUPS: readonly SettingGroup[] = [
  'config',
  'log',
  'talend',
  'elasticsearch',
  'selection',
  'sync',
  'backfill',
  'bulk',
  'ilm',
];

export const COMMANDS = {
  sync: {
    summary: 'Index the logs of new and running executions since the last run (the scheduled job).',
    groups: SYNC_GROUPS,
    run: async (flags) => (await import('./commands/sync.ts')).syncCommand(flags),
  },
  backfill: {
    summary: 'Index historical executions (same as sync --backfill).',
    usage: '--from DATE [--to DATE]',
    groups: SYNC_GROUPS,
    // --from and --to take the place of the first run's lookback.
    omit: ['backfill', 'lookback'],
    run: async (flags) => (await import('./commands/sync.ts')).syncCommand({ ...flags, backfill: true }),
  },
  status: {
    summary: "Show each task's checkpoint, lag, executions in progress or given up, and the latest done.",
    groups: ['config', 'log', 'elasticsearch'],
    options: { json: { type: 'boolean', help: 'Print one JSON line per task instead of a table.' } },
    run: async (flags) => (await import('./commands/status.ts')).statusCommand(flags),
  },
  setup: {
    summary: 'Install index templates (and, with --kibana-url, the Kibana dashboard).',
    groups: ['config', 'log', 'elasticsearch', 'ilm', 'kibana'],
    run: async (flags) => (await import('./commands/setup.ts')).setupCommand(flags),
  },
  'ingest-file': {
    summary: 'Index a log file downloaded by hand, through the same stages and document ids as sync.',
    arguments: ['FILE'],
    usage: '--task ID --execution ID',
    groups: ['config', 'log', 'elasticsearch', 'bulk'],
    settings: ['task', 'fileFormat'],
    describe: {
      task: 'Id of the task the log belongs to (exactly one).',
      fileFormat:
        'How the file is written: TEXT reads text lines and every JSON shape; JSON refuses a file that is not JSON.',
    },
    // A file kept by hand may have any shape: only a format asked for is enforced.
    defaults: { fileFormat: 'TEXT' },
    options: {
      execution: { type: 'string', help: 'Id of the execution the log belongs to.' },
      'task-name': { type: 'string', help: 'Task name to record on each line.' },
    },
    run: async (flags, positionals) =>
      (await import('./commands/ingest-file.ts')).ingestFileCommand(flags, positionals),
  },
  probe: {
    summary:
      "Report what your Talend tenant's API does on each point Talend leaves undocumented (read-only).",
    groups: ['config', 'log', 'talend'],
    settings: ['task', 'outageBudget'],
    describe: {
      task: 'Look at the executions of this task (repeatable). Default: those of every task the credentials can see.',
    },
    options: {
      execution: {
        type: 'string',
        help: 'Run the log checks on this execution (e.g. one of over 100,000 lines, to see a 206).',
      },
      json: {
        type: 'boolean',
        help: 'Print one JSON document (the default off a terminal): attach it to bug reports.',
      },
    },
    run: async (flags) => (await import('./commands/probe.ts')).probeCommand(flags),
  },
  'replay-dead-letters': {
    summary: 'Index again the dead-lettered lines that can now be indexed; print what is left and why.',
    groups: ['config', 'log', 'elasticsearch', 'bulk'],
    settings: ['task'],
    describe: { task: 'Only the dead letters of this task (repeatable).' },
    options: {
      execution: { type: 'string', help: 'Only the dead letters of this execution.' },
      stage: { type: 'string', help: 'Only those set aside at this stage: parse, enrich or index.' },
      'dry-run': { type: 'boolean', help: 'Say what would be replayed; write and delete nothing.' },
    },
    run: async (flags) => (await import('./commands/replay-dead-letters.ts')).replayDeadLettersCommand(flags),
  },
  simulate: {
    summary: 'Run the Talend API simulator on 127.0.0.1 (for trying the tool without Talend).',
    groups: [],
    options: {
      port: { type: 'string', help: 'Port of the API, 0 for any free port (default 8080).' },
      'object-store-port': {
        type: 'string',
        help: 'Port of the object store that serves the log files (default: any free port, printed at start).',
      },
      seed: { type: 'string', help: 'Tenant seed.' },
    },
    run: async (flags) => (await import('./commands/simulate.ts')).simulateCommand(flags),
  },
  demo: {
    summary: 'Simulator + Elasticsearch + setup + sync, then a few answers read back.',
    groups: ['config', 'log', 'elasticsearch', 'selection', 'sync', 'bulk', 'ilm'],
    // It prints answers read back from what it wrote, and a table rather than a progress line.
    omit: ['dryRun', 'progress'],
    describe: {
      task: 'Task id of the simulated tenant to sync (repeatable). Default: all four.',
    },
    defaults: { indexPrefix: 'talend-demo', settleDelay: '5s', logLevel: 'warn' },
    run: async (flags) => (await import('./commands/demo.ts')).demoCommand(flags),
  },
} satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}
