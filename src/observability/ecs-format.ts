import { hostname } from 'node:os';
import type { Logger, LoggerOptions } from 'pino';
import { ECS_VERSION } from '../common/ecs-version.ts';

/** The ECS fields of `base`; any other field is ours, and goes under `talend.`. */
const ECS_FIELDS = new Set(['ecs.version', 'process', 'host', 'service']);
const NAMESPACE = 'talend.';

/**
 * pino options for ECS log lines (Elastic's ecs-logging layout, which Filebeat and Elastic Agent take
 * as they come): `@timestamp`, `log.level`, `message`, `ecs.version`, `process.pid`, `host.hostname`,
 * `service.name`, an `err` as `error.type`/`.message`/`.stack_trace`, and our own fields (`taskId`,
 * `executionId`, …) as `talend.<name>`. Written here rather than taken from @elastic/ecs-pino-format:
 * the mapping is these forty lines, not worth a dependency.
 */
export function ecsLoggerOptions(
  serializeError: (error: Error) => Record<string, unknown>,
): Pick<LoggerOptions, 'base' | 'messageKey' | 'timestamp' | 'formatters'> {
  return {
    base: {
      'ecs.version': ECS_VERSION,
      process: { pid: process.pid },
      host: { hostname: hostname() },
      service: { name: 'talend-logs-es' },
    },
    messageKey: 'message',
    timestamp: () => `,"@timestamp":"${new Date().toISOString()}"`,
    formatters: {
      level: (label) => ({ 'log.level': label }),
      bindings: namespaced,
      log: ({ err, ...fields }) => {
        if (!(err instanceof Error)) return namespaced(err === undefined ? fields : { err, ...fields });
        // What pino's serializer finds beyond these (our errors' context) stays as `talend.err`.
        const { type, message, stack, ...details } = serializeError(err);
        delete details.name;
        const error = { type, message, stack_trace: stack };
        const extra = Object.keys(details).length > 0 ? { err: details } : {};
        return { error, ...namespaced({ ...extra, ...fields }) };
      },
    },
  };
}

/**
 * pino formats a child logger's bindings (`taskId`, `executionId`) with `formatters.bindings` only when
 * the child is created with it again; every child of this logger is.
 */
export function namespaceChildren(logger: Logger): Logger {
  const child = logger.child;
  logger.child = function (this: Logger, bindings, options) {
    return child.call(this, bindings, {
      ...options,
      formatters: { ...options?.formatters, bindings: namespaced },
    });
  } as Logger['child'];
  return logger;
}

function namespaced(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) out[ECS_FIELDS.has(key) ? key : NAMESPACE + key] = value;
  return out;
}

/**
 * pino's redaction paths for the same fields once under `talend.`: a top-level name becomes the dotted
 * key it is written as; paths starting with a wildcard match those keys already.
 */
export function ecsRedactPaths(paths: readonly string[]): string[] {
  return paths.map((path) => {
    if (path.startsWith('*')) return path;
    const [first, ...rest] = path.split('.');
    return [`["${NAMESPACE}${first}"]`, ...rest].join('.');
  });
}
