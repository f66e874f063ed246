#!/usr/bin/env -S node --max-semi-space-size=4 --max-old-space-size=256
// The flags keep a run's resident memory flat, under 150 MB at any log size (README, "Memory"): left
// to itself, V8 sizes the young generation at 32 MB and lets the old one grow to four times what is
// live before collecting it. `node main.js` does not read this line: the Dockerfile sets NODE_OPTIONS.
import { packageVersion } from '../common/package-files.ts';
import { parseArguments } from './arguments.ts';
import { COMMANDS } from './command-table.ts';
import { EXIT } from './exit-codes.ts';
import { reportFailure, sayWhyItFailed } from './failure-report.ts';
import { commandHelp, helpText } from './help.ts';

async function main(argv: string[]): Promise<number> {
  const { command, positionals, flags } = parseArguments(argv);
  if (flags.version === true) {
    console.log(packageVersion());
    return EXIT.ok;
  }
  if (command === undefined) {
    // Without a command there is nothing to run: asked for, the help is the answer; else a usage error.
    if (flags.help === true) console.log(helpText(packageVersion()));
    else console.error(helpText(packageVersion()));
    return flags.help === true ? EXIT.ok : EXIT.config;
  }
  if (flags.help === true) {
    console.log(commandHelp(command));
    return EXIT.ok;
  }
  try {
    return await COMMANDS[command].run(flags, positionals);
  } catch (error) {
    return reportFailure(command, error);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Errors that reach here happened before a command ran: its arguments could not be read, so there
    // is no run to summarize on stdout.
    process.exitCode = sayWhyItFailed(error);
  },
);
