import type { estypes } from '@elastic/elasticsearch';
import type { ExecutionDocument, IndexedLines } from '../documents/shapes.ts';
import type { ElasticsearchStore } from './elasticsearch-store.ts';
import { writeWithItemRetries } from './item-retries.ts';

/** Executions counted by one search: a terms query and aggregation of this many ids is cheap. */
const IDS_PER_SEARCH = 500;
const MAX_LEVELS = 100;

interface RunBucket {
  key: string;
  doc_count: number;
  levels: { buckets: { key: string; doc_count: number }[] };
  first_at: { value: number | null; value_as_string?: string };
  last_at: { value: number | null; value_as_string?: string };
  errors: { first: { hits: { hits: { _source?: { talend?: { error?: { message?: string } } } }[] } } };
}

/**
 * `<prefix>-executions`: one document per execution, `_id` = the execution id. Writes are partial
 * updates that Elasticsearch merges into the stored document (`doc_as_upsert`): each write carries
 * whole values, never increments, so writing the same state twice leaves the same document.
 */
export class ExecutionsIndex {
  readonly index: string;

  constructor(private readonly store: ElasticsearchStore) {
    this.index = store.names.executions;
  }

  /**
   * Merges each document into the stored one. An index that refuses every write, or documents
   * pushed back beyond the item retries, fail the call, as for log lines: the run fails visibly and
   * the next one writes them again. A document Elasticsearch refuses on its own (a mapping changed
   * by hand) is logged and left: the log lines it describes are indexed already.
   */
  async upsert(documents: readonly { id: string; document: ExecutionDocument }[]): Promise<void> {
    const refused = await writeWithItemRetries(this.store, {
      index: this.index,
      what: 'executions documents',
      actions: documents.map(({ id, document }) => ({
        id,
        lines:
          `{"update":{"_index":${JSON.stringify(this.index)},"_id":${JSON.stringify(id)}}}\n` +
          `${JSON.stringify({ doc: document, doc_as_upsert: true })}\n`,
      })),
    });
    for (const { action, item } of refused) {
      this.store.logger.error(
        { executionId: action.id, index: this.index, status: item.status, reason: item.error.reason },
        'Elasticsearch refused an executions document; its log lines are indexed',
      );
    }
  }

  /**
   * Counts what the log index holds of each execution, after a refresh so that every acknowledged
   * line is seen. Executions with no line get zero counts.
   */
  async indexedLines(executionIds: readonly string[]): Promise<Map<string, IndexedLines>> {
    const { client } = this.store;
    const logs = this.store.names.logsPattern;
    const lookup = { ignore_unavailable: true, allow_no_indices: true };
    const counted = new Map<string, IndexedLines>(executionIds.map((id) => [id, { total: 0, byLevel: {} }]));
    if (executionIds.length === 0) return counted;
    await this.store.request('refresh of the log indices', () =>
      client.indices.refresh({ index: logs, ...lookup }),
    );
    for (let start = 0; start < executionIds.length; start += IDS_PER_SEARCH) {
      const ids = executionIds.slice(start, start + IDS_PER_SEARCH);
      const response = await this.store.request('count of execution lines', () =>
        client.search({ index: logs, ...lookup, ...countRequest(ids) }),
      );
      const runs = (response.aggregations?.runs as { buckets: RunBucket[] } | undefined)?.buckets ?? [];
      for (const bucket of runs) counted.set(bucket.key, linesOf(bucket));
    }
    return counted;
  }
}

function countRequest(ids: readonly string[]): estypes.SearchRequest {
  return {
    size: 0,
    track_total_hits: false,
    query: { terms: { 'talend.execution.id': [...ids] } },
    aggs: {
      runs: {
        terms: { field: 'talend.execution.id', size: ids.length },
        aggs: {
          levels: { terms: { field: 'log.level', size: MAX_LEVELS } },
          first_at: { min: { field: '@timestamp' } },
          last_at: { max: { field: '@timestamp' } },
          errors: {
            filter: { exists: { field: 'talend.error.message' } },
            aggs: {
              first: {
                top_hits: { size: 1, sort: [{ '@timestamp': 'asc' }], _source: ['talend.error.message'] },
              },
            },
          },
        },
      },
    },
  };
}

function linesOf(bucket: RunBucket): IndexedLines {
  const lines: IndexedLines = {
    total: bucket.doc_count,
    byLevel: Object.fromEntries(bucket.levels.buckets.map((level) => [level.key, level.doc_count])),
  };
  const firstError = bucket.errors.first.hits.hits[0]?._source?.talend?.error?.message;
  if (firstError !== undefined) lines.firstError = firstError;
  const firstAt = dateOf(bucket.first_at);
  const lastAt = dateOf(bucket.last_at);
  if (firstAt !== undefined) lines.firstAt = firstAt;
  if (lastAt !== undefined) lines.lastAt = lastAt;
  return lines;
}

function dateOf(metric: { value: number | null; value_as_string?: string }): string | undefined {
  if (metric.value === null) return undefined;
  return metric.value_as_string ?? new Date(metric.value).toISOString();
}
