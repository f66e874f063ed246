import { errors } from '@elastic/elasticsearch';
import { TalendLogsError, type ErrorContext } from '../common/errors.ts';
import type { BulkItemError } from '../documents/dead-letter.ts';

/**
 * Elasticsearch refuses to write, and will go on refusing until someone acts: a read-only or closed
 * index, a missing index or alias, missing privileges. The message says what to do.
 */
export class ElasticsearchWriteError extends TalendLogsError {
  constructor(message: string, context?: ErrorContext, cause?: unknown) {
    super(message, { category: 'elasticsearch', context, cause });
  }
}

/** Elasticsearch could not be reached, or stayed overloaded, through every retry. */
export class ElasticsearchUnavailableError extends TalendLogsError {
  constructor(message: string, context?: ErrorContext, cause?: unknown) {
    super(message, { category: 'elasticsearch', context, cause });
  }
}

/**
 * What to do with one failed `_bulk` item:
 * - `retry`: Elasticsearch is busy or a shard is not ready; the same item may pass later;
 * - `fatal`: the target refuses every write (see ElasticsearchWriteError): dead-lettering would only
 *   move the whole log aside, so the chunk fails and is retried after the operator's fix;
 * - `dead-letter`: this document is at fault (mapping conflict, unparsable field): set it aside.
 */
export type ItemVerdict = 'retry' | 'fatal' | 'dead-letter';

const RETRYABLE_TYPES = new Set([
  'es_rejected_execution_exception',
  'circuit_breaking_exception',
  'unavailable_shards_exception',
  'no_shard_available_action_exception',
  'node_not_connected_exception',
  'node_closed_exception',
  'process_cluster_event_timeout_exception',
]);

const FATAL_TYPES = new Set([
  'cluster_block_exception',
  'index_closed_exception',
  'index_not_found_exception',
  'security_exception',
  'invalid_alias_name_exception',
]);

export function classifyItemFailure(status: number, error: BulkItemError): ItemVerdict {
  if (status === 429 || status >= 500 || RETRYABLE_TYPES.has(error.type)) return 'retry';
  if (FATAL_TYPES.has(error.type) || status === 401 || status === 403 || status === 404) return 'fatal';
  return 'dead-letter';
}

/** The operator's to-do for a `fatal` item. */
export function writeRefused(index: string, status: number, error: BulkItemError): ElasticsearchWriteError {
  const reason = error.reason ?? error.type;
  const context = { index, status, errorType: error.type };
  switch (error.type) {
    case 'cluster_block_exception':
      return new ElasticsearchWriteError(
        `Elasticsearch refuses writes to index ${index}: ${reason}. If the disk filled up, free space first; ` +
          `then clear the block with PUT ${index}/_settings {"index.blocks.write": null, "index.blocks.read_only": null, "index.blocks.read_only_allow_delete": null}`,
        context,
      );
    case 'index_closed_exception':
      return new ElasticsearchWriteError(
        `Index ${index} is closed: open it with POST ${index}/_open`,
        context,
      );
    case 'index_not_found_exception':
      return new ElasticsearchWriteError(
        `Index ${index} does not exist and Elasticsearch would not create it (${reason}): ` +
          'allow automatic creation of the log indices (action.auto_create_index) and run the setup command to install the templates',
        context,
      );
    case 'security_exception':
      return new ElasticsearchWriteError(
        `The Elasticsearch user may not write to ${index} (${reason}): grant it create_doc/index and create_index on the log and dead-letter indices`,
        context,
      );
    default:
      return new ElasticsearchWriteError(`Elasticsearch refuses writes to ${index}: ${reason}`, context);
  }
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof errors.ResponseError ? error.statusCode : undefined;
}
