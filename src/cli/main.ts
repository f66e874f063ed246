#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { describeError, TalendLogsError } from '../common/errors.ts';
import { packageFile } from '../common/package-files.ts';
import { parseArguments } from './arguments.ts';
import { syncCommand } from './commands/sync.ts';
import { statusCommand } from './commands/status.ts';
import { setupCommand } from './commands/setup.ts';
import { simulateCommand } from './commands/simulate.ts';
import { ingestFileCommand } from './commands/ingest-file.ts';
import { demoCommand } from './commands/demo.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { helpText } from './help.ts';
import type { FlagValues } from '../config/load.ts';

type Command = (flags: FlagValues, positionals: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  sync: (flags) => syncCommand(flags),
  backfill: (flags) => syncCommand({ ...flags, backfill: true }),
  status: (flags) => statusCommand(flags),
  setup: (flags) => setupCommand(flags),
  simulate: (flags) => simulateCommand(flags),
  'ingest-file': (flags, positionals) => ingestFileCommand(flags, positionals),
  demo: (flags) => demoCommand(flags),
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
    console.error(`talend-logs: ${describeError(error)}${code === EXIT.internal ? detail : ''}`);
    process.exitCode = code;
  },
);
