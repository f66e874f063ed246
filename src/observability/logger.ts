import { pino, type Logger, type DestinationStream } from 'pino';
import { scrubSecrets } from '../common/secrets.ts';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Defaults to stderr, so stdout stays free for command output (summaries, JSON). */
  destination?: DestinationStream;
  /** Human-readable lines instead of JSON; the CLI asks for it on a TTY. */
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
  const destination = options.destination ?? pino.destination({ fd: 2, sync: false });
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      serializers: { err: serializeError },
      hooks: {
        // Registered secret values are scrubbed from the final line, whatever field carried them.
        streamWrite: (line: string) => scrubSecrets(line),
      },
      ...(options.pretty ? { transport: { target: 'pino-pretty', options: { destination: 2 } } } : {}),
    },
    options.pretty ? undefined : destination,
  );
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
