import { describeError } from '../common/errors.ts';
import type { Logger } from '../observability/logger.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { failureMessage } from './failure-message.ts';

/**
 * The logger of the command under way, once its configuration is loaded: a failure that ends the
 * command goes to the same stream, in the same format (ECS JSON off a terminal), as its other lines.
 */
let commandLogger: Logger | undefined;

export function reportFailuresTo(logger: Logger): void {
  commandLogger = logger;
}

/**
 * How a command that threw ends: one line on stderr saying why, then its summary line on stdout
 * (command, outcome, exit code), as every run that got past its arguments prints one. A
 * configuration problem is said in one plain line before any logger exists (README, "Watching it").
 */
export function reportFailure(command: string, error: unknown): number {
  const exitCode = exitCodeFor(error);
  const message = failureMessage(error);
  if (commandLogger !== undefined && exitCode !== EXIT.config) {
    commandLogger.fatal({ err: error }, message);
    commandLogger.flush();
  } else {
    const stack = exitCode === EXIT.internal ? `\n${(error as Error)?.stack ?? ''}` : '';
    console.error(`talend-logs: ${message}${stack}`);
  }
  console.log(
    JSON.stringify({
      msg: 'run summary',
      command,
      outcome: exitCode === EXIT.config ? 'refused' : 'fatal',
      exitCode,
      error: describeError(error),
    }),
  );
  return exitCode;
}
