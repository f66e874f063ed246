import type { Client } from '@elastic/elasticsearch';
import { fullJitterDelay, sleep, type BackoffOptions } from '../common/backoff.ts';
import { describeError } from '../common/errors.ts';
import {
  ElasticsearchUnavailableError,
  ElasticsearchWriteError,
  isRetryableRequestFailure,
  statusOf,
  type BulkItemError,
} from './elasticsearch-errors.ts';

/** The outcome of one action of a `_bulk` request, in request order. */
export interface BulkItemResult {
  status: number;
  error?: BulkItemError;
}

export interface BulkRequestOptions {
  /** Retries of the whole request after a network failure, a timeout, a 429 or a 5xx. */
  maxRetries: number;
  backoff: BackoffOptions;
  refresh?: boolean | 'wait_for';
  /** Told before each retry, for logs and counters. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** One `index` action of a `_bulk` body, both lines, newline-terminated; `sourceJson` is the serialized document. */
export function bulkIndexLines(index: string, id: string, sourceJson: string): string {
  return `{"index":{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)}}}\n${sourceJson}\n`;
}

/**
 * POSTs a prebuilt NDJSON body to `_bulk` and returns the per-item outcomes. Failures of the whole
 * request are retried with full-jitter backoff; past the retries they become a typed error. The
 * client's own retries are turned off so that there is one retry policy, this one.
 */
export async function postBulk(
  client: Client,
  body: string,
  actions: number,
  options: BulkRequestOptions,
): Promise<BulkItemResult[]> {
  const querystring =
    options.refresh === undefined || options.refresh === false
      ? undefined
      : { refresh: String(options.refresh) };
  for (let attempt = 0; ; attempt++) {
    try {
      const response = (await client.transport.request(
        { method: 'POST', path: '/_bulk', querystring, bulkBody: body },
        { maxRetries: 0 },
      )) as { items?: Record<string, BulkItemResult>[] };
      return itemsOf(response, actions);
    } catch (error) {
      const status = statusOf(error);
      if (!isRetryableRequestFailure(error)) {
        throw new ElasticsearchWriteError(
          `Elasticsearch rejected a bulk request of ${actions} documents: ${describeError(error)}`,
          { status, items: actions },
          error,
        );
      }
      if (attempt >= options.maxRetries) {
        throw new ElasticsearchUnavailableError(
          `Elasticsearch did not accept a bulk request of ${actions} documents after ${attempt + 1} attempts: ${describeError(error)}`,
          { status, items: actions, attempts: attempt + 1 },
          error,
        );
      }
      const delayMs = fullJitterDelay(attempt, options.backoff);
      options.onRetry?.(error, attempt + 1, delayMs);
      await sleep(delayMs);
    }
  }
}

function itemsOf(response: { items?: Record<string, BulkItemResult>[] }, actions: number): BulkItemResult[] {
  const items = response.items ?? [];
  if (items.length !== actions) {
    throw new ElasticsearchWriteError(
      `Elasticsearch answered a bulk request of ${actions} documents with ${items.length} results`,
      { items: actions },
    );
  }
  // Each item is { <action>: outcome }; we only send one kind of action per line, so take its value.
  return items.map((item) => Object.values(item)[0]!);
}
