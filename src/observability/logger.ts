import { pino, type Logger, type DestinationStream } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { scrubSecrets } from '../common/secrets.ts';
import { ecsLoggerOptions, ecsRedactPaths, namespaceChildren } from './ecs-format.ts';
import { stderrStatusLine } from './status-line.ts';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Defaults to stderr, so stdout stays free for command output (summaries, JSON). */
  destination?: DestinationStream;
  /** Human-readable lines instead of ECS JSON; the CLI asks for it on a TTY (see LOG_FORMAT). */
  pretty?: boolean;
}

/** Field names that must never carry a value into a log line, whatever their content. */
const REDACT_PATHS = [
  'token',
  'accessToken',
  'access_token',
  'clientSecret',
  'password',
  'apiKey',
  'authorization',
  'headers.authorization',
  'presignedURL',
  '*.token',
  '*.accessToken',
  '*.clientSecret',
  '*.password',
  '*.apiKey',
  '*.authorization',
  '*.presignedURL',
];

export function createLogger(options: LoggerOptions = {}): Logger {
  const pretty = options.pretty ?? false;
  const logger = pino(
    {
      level: options.level ?? 'info',
      redact: { paths: pretty ? REDACT_PATHS : ecsRedactPaths(REDACT_PATHS), censor: '[REDACTED]' },
      hooks: {
        // Registered secret values are scrubbed from the final line, whatever field carried them.
        streamWrite: (line: string) => scrubSecrets(line),
      },
      ...(pretty
        ? { base: undefined, serializers: { err: serializeError } }
        : ecsLoggerOptions(serializeError)),
    },
    options.destination ?? stderrDestination(pretty),
  );
  return pretty ? logger : namespaceChildren(logger);
}

/**
 * Off a terminal, JSON lines straight to file descriptor 2, buffered. On a terminal, lines go above
 * the progress display (StatusLine), prettified here rather than in a pino-pretty worker thread,
 * which could not know where the progress line is.
 */
function stderrDestination(pretty: boolean): DestinationStream {
  if (!pretty && !stderrStatusLine.onTerminal) return pino.destination({ fd: 2, sync: false });
  const format = pretty ? prettyFactory({ colorize: stderrStatusLine.onTerminal }) : undefined;
  return { write: (line: string) => stderrStatusLine.writeAbove(format === undefined ? line : format(line)) };
}

/**
 * Pino's error serializer, minus `meta`: the Elasticsearch client's errors carry the whole request
 * there, bulk body included, which made each retry warning megabytes of other people's log lines.
 */
function serializeError(error: Error): ReturnType<typeof pino.stdSerializers.err> {
  const serialized = pino.stdSerializers.err(error);
  if (serialized !== null && typeof serialized === 'object') delete (serialized as { meta?: unknown }).meta;
  return serialized;
}

/** A logger that writes nothing: the default for library code called without one. */
export const silentLogger: Logger = pino({ level: 'silent' });
