import { describeError } from '../common/errors.ts';
import { createLogger, type Logger } from '../observability/logger.ts';
import { stderrStatusLine } from '../observability/status-line.ts';
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
 * (command, outcome, exit code), as every run that got past its arguments prints one.
 */
export function reportFailure(command: string, error: unknown): number {
  const exitCode = sayWhyItFailed(error);
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

/**
 * One line on stderr saying why the run ends; returns its exit code. A failure before the command has
 * a logger, or a refused configuration (whose level or format may be what was refused), is not said
 * with the command's logger: on a terminal it is one plain line, which people read; off one an ECS
 * JSON line at level `fatal` from a logger with the default settings, like every other line there,
 * so that programs reading them miss none.
 */
export function sayWhyItFailed(error: unknown): number {
  const exitCode = exitCodeFor(error);
  const message = failureMessage(error);
  const logger =
    commandLogger !== undefined && exitCode !== EXIT.config
      ? commandLogger
      : stderrStatusLine.onTerminal
        ? undefined
        : createLogger();
  if (logger !== undefined) {
    logger.fatal({ err: error }, message);
    logger.flush();
  } else {
    const stack = exitCode === EXIT.internal ? `\n${(error as Error)?.stack ?? ''}` : '';
    console.error(`talend-logs: ${message}${stack}`);
  }
  return exitCode;
}
