import { TalendLogsError } from '../common/errors.ts';

/** Process exit codes, documented in README.md ("Exit codes"). */
export const EXIT = {
  ok: 0,
  /** A bug or an unexpected failure: the message and stack say where. */
  internal: 1,
  /** Bad flags, environment or config file: nothing was fetched or written. */
  config: 2,
  /** Some executions failed; everything else was indexed and checkpointed. The next run retries them. */
  partial: 3,
  /** SIGINT/SIGTERM: in-flight work was abandoned, acknowledged work committed. */
  interrupted: 4,
  /** Elasticsearch, Talend or Kibana unusable (unreachable, credentials refused, writes or imports refused). */
  unavailable: 5,
} as const;

/** Errors of the Elasticsearch client's transport: the cluster is unreachable or refused us. */
const ELASTICSEARCH_TRANSPORT_ERRORS = new Set([
  'ConnectionError',
  'TimeoutError',
  'NoLivingConnectionsError',
  'ResponseError',
  'ProductNotSupportedError',
]);

export function exitCodeFor(error: unknown): number {
  if (!(error instanceof TalendLogsError)) {
    return error instanceof Error && ELASTICSEARCH_TRANSPORT_ERRORS.has(error.name)
      ? EXIT.unavailable
      : EXIT.internal;
  }
  switch (error.category) {
    case 'config':
      return EXIT.config;
    case 'interrupted':
      return EXIT.interrupted;
    case 'talend':
    case 'elasticsearch':
    case 'kibana':
      return EXIT.unavailable;
    case 'input':
      return EXIT.partial;
    default:
      return EXIT.internal;
  }
}
