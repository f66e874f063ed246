#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=256
// The flags keep a run's resident memory flat, under 150 MB at any log size (README, "Memory"): left
// to itself, V8 sizes the young generation at 32 MB and lets the old one grow to four times what is
// live before collecting it. `node main.js` does not read this line: the Dockerfile sets NODE_OPTIONS.
import { readFileSync } from 'node:fs';
import { TalendLogsError } from '../common/errors.ts';
import { packageFile } from '../common/package-files.ts';
import { parseArguments } from './arguments.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { failureMessage } from './failure-message.ts';
import { helpText } from './help.ts';
import type { FlagValues } from '../config/load.ts';

type Command = (flags: FlagValues, positionals: string[]) => Promise<number>;

/**
 * Each command is loaded when it runs: a scheduled `sync` then carries neither the simulator nor
 * the Kibana importer in memory.
 */
const COMMANDS: Record<string, Command> = {
  sync: async (flags) => (await import('./commands/sync.ts')).syncCommand(flags),
  backfill: async (flags) => (await import('./commands/sync.ts')).syncCommand({ ...flags, backfill: true }),
  status: async (flags) => (await import('./commands/status.ts')).statusCommand(flags),
  setup: async (flags) => (await import('./commands/setup.ts')).setupCommand(flags),
  simulate: async (flags) => (await import('./commands/simulate.ts')).simulateCommand(flags),
  'ingest-file': async (flags, positionals) =>
    (await import('./commands/ingest-file.ts')).ingestFileCommand(flags, positionals),
  demo: async (flags) => (await import('./commands/demo.ts')).demoCommand(flags),
};

function version(): string {
  const manifest = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}

async function main(argv: string[]): Promise<number> {
  const { command, positionals, flags } = parseArguments(argv);
  if (flags.version === true) {
    console.log(version());
    return EXIT.ok;
  }
  if (command === undefined || flags.help === true || command === 'help') {
    console.log(helpText(version()));
    return command === undefined && flags.help !== true ? EXIT.config : EXIT.ok;
  }
  const run = COMMANDS[command];
  if (run === undefined) {
    console.error(
      `Unknown command "${command}". Commands: ${Object.keys(COMMANDS).join(', ')}. See talend-logs --help.`,
    );
    return EXIT.config;
  }
  return run(flags, positionals);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Errors that reach here happened outside a run's own reporting (configuration, setup).
    const code = exitCodeFor(error);
    const detail = error instanceof TalendLogsError ? '' : `\n${(error as Error)?.stack ?? ''}`;
    console.error(`talend-logs: ${failureMessage(error)}${code === EXIT.internal ? detail : ''}`);
    process.exitCode = code;
  },
);
