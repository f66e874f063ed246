import type { estypes } from '@elastic/elasticsearch';
import { InterruptedError } from '../common/errors.ts';
import type { BulkSettings } from '../config/config.ts';
import type { TalendContext } from '../documents/shapes.ts';
import type { RawLogEntry } from '../contracts/talend-api.ts';
import { postBulk } from '../store/bulk-request.ts';
import type { DeadLetter, DeadLetterStage } from '../documents/dead-letter.ts';
import { ElasticsearchWriteError } from '../store/elasticsearch-errors.ts';
import { executionContexts } from '../store/execution-lookup.ts';
import type { ElasticsearchStore } from '../store/elasticsearch-store.ts';
import type { BulkIndexer } from '../store/bulk-indexer.ts';
import { createIndexWriter } from '../store/index-writer.ts';
import { ensureTemplates } from '../store/templates.ts';
import { ChunkEnricher } from '../pipeline/enrich/chunk-enricher.ts';
import { executionContextOf, talendContext } from '../documents/talend-context.ts';
import { entryTimestamp } from '../pipeline/enrich/timestamp.ts';

export interface ReplayOptions {
  store: ElasticsearchStore;
  /** Only the dead letters of this execution, these tasks, this stage. */
  executionId?: string;
  taskIds?: readonly string[];
  stage?: DeadLetterStage;
  /** Read and re-enrich, write and delete nothing. */
  dryRun?: boolean;
  bulk: BulkSettings;
  signal?: AbortSignal;
}

export interface ReplayReport {
  /** Dead letters read. */
  read: number;
  /** Lines made documents again and sent (in a dry run: that would be sent). */
  replayed: number;
  /** Of those, indexed: their dead letters are deleted. */
  indexed: number;
  /** Dead letters deleted: the line is indexed, or set aside again at a later stage. */
  deleted: number;
  /** The dead letters left (after a dry run: all of them), by stage and error type. */
  remaining: RemainingDeadLetters[];
}

export interface RemainingDeadLetters {
  stage: string;
  errorType: string;
  count: number;
  /** One of their `error.message`s. */
  example: string;
  /** The executions with most of them (ten at most). */
  executionIds: string[];
}

const PAGE_SIZE = 500;

/**
 * `replay-dead-letters`: each dead letter of the selection whose line can now be a document (the
 * template or the index was fixed, the connector upgraded) is enriched again, with the context the
 * dead letter carries updated from `<prefix>-executions` where that knows the execution, and indexed
 * under its `_id` (a refused document keeps the one it was refused under). Its dead letter is deleted
 * once Elasticsearch holds the document. A line refused again gets its dead letter rewritten with the
 * new reason; an unreadable line (`parse`) stays as it is.
 */
export async function replayDeadLetters(options: ReplayOptions): Promise<ReplayReport> {
  const { store, signal } = options;
  const { client } = store;
  const index = store.names.deadLetters;
  const report: ReplayReport = { read: 0, replayed: 0, indexed: 0, deleted: 0, remaining: [] };
  if (!(await store.request('a check of the dead-letter index', () => client.indices.exists({ index }))))
    return report;
  if (!options.dryRun) await ensureTemplates(store);
  await store.request('a refresh of the dead-letter index', () => client.indices.refresh({ index }));

  const query = selection(options);
  const { indexer } = createIndexWriter(store, options.bulk);
  const pit = await store.request('the opening of a point in time on the dead letters', () =>
    client.openPointInTime({ index, keep_alive: '5m' }),
  );
  try {
    let after: estypes.SortResults | undefined;
    for (;;) {
      if (signal?.aborted)
        throw new InterruptedError('The replay of dead letters was interrupted', { index });
      const page = await store.request('a page of dead letters', () =>
        client.search<DeadLetter>({
          pit: { id: pit.id, keep_alive: '5m' },
          size: PAGE_SIZE,
          query,
          sort: [
            { 'talend.execution.id': { order: 'asc', unmapped_type: 'keyword' } },
            { 'talend.position.chunk': { order: 'asc', unmapped_type: 'integer' } },
            { 'talend.position.line': { order: 'asc', unmapped_type: 'integer' } },
            { _shard_doc: 'asc' },
          ],
          ...(after ? { search_after: after } : {}),
        }),
      );
      const hits = page.hits.hits;
      if (hits.length === 0) break;
      await replayPage(hits, { ...options, indexer, report });
      after = hits.at(-1)!.sort;
    }
  } finally {
    await indexer.close();
    // Left open, it expires by itself after its keep-alive: no reason to fail a replay for it.
    await store
      .request('the closing of the point in time', () => client.closePointInTime({ id: pit.id }))
      .catch(() => undefined);
  }
  if (!options.dryRun) {
    await store.request('a refresh after the replay', () =>
      client.indices.refresh({ index: `${store.names.logsPattern},${index}`, ignore_unavailable: true }),
    );
  }
  report.remaining = await remainingDeadLetters(store, query);
  return report;
}

interface PageContext extends ReplayOptions {
  indexer: BulkIndexer;
  report: ReplayReport;
}

/** One page of dead letters, sorted by execution, chunk and line: one bulk session per chunk. */
async function replayPage(hits: estypes.SearchHit<DeadLetter>[], page: PageContext): Promise<void> {
  const { store, report } = page;
  const letters = hits.filter((hit) => hit._source?.talend?.execution?.id !== undefined);
  report.read += hits.length;
  const known = await executionContexts(store, [
    ...new Set(letters.map((hit) => hit._source!.talend.execution.id)),
  ]);
  const toDelete: string[] = [];
  const sessions: Promise<unknown>[] = [];
  for (const chunk of byChunk(letters)) {
    const first = chunk[0]!._source!.talend;
    const context = executionContextOf(merged(first, known.get(first.execution.id)));
    const enricher = new ChunkEnricher(context, first.position.chunk, store.names);
    const replayed = new Map<string, { letterId: string; stage: DeadLetterStage }>();
    const session = page.dryRun
      ? undefined
      : page.indexer.session({
          label: `replay of ${first.execution.id}#${first.position.chunk}`,
          context: { talend: talendContext(context), chunk: first.position.chunk },
          onSettled: (id, outcome) => {
            const letter = replayed.get(id)!;
            if (outcome === 'indexed') report.indexed++;
            // Set aside again at the index stage: the new dead letter, with this one's `_id` if it was
            // refused before, tells why now.
            if (outcome === 'indexed' || letter.stage !== 'index') toDelete.push(letter.letterId);
          },
        });
    for (const hit of chunk) {
      const letter = hit._source!;
      const document = documentOf(letter, enricher);
      if (document === undefined) continue;
      report.replayed++;
      if (session === undefined) continue;
      const id = letter.talend.dead_letter.document_id ?? document.id;
      replayed.set(id, { letterId: hit._id!, stage: letter.talend.dead_letter.stage });
      const original = Buffer.from(letter.event.original);
      await session.add({
        index: document.index,
        id,
        serialized: document,
        sourceBytes: { bytes: original, textStart: 0, textEnd: original.length },
        position: letter.talend.position.line,
      });
    }
    if (session !== undefined) sessions.push(session.done());
  }
  await Promise.all(sessions);
  report.deleted += await deleteDeadLetters(page, toDelete);
}

/** The line as a document again, if it now makes one. */
function documentOf(letter: DeadLetter, enricher: ChunkEnricher) {
  if (letter.talend.dead_letter.stage === 'parse') return undefined;
  let entry: unknown;
  try {
    entry = JSON.parse(letter.event.original);
  } catch {
    return undefined;
  }
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return undefined;
  const timestampMs = entryTimestamp((entry as RawLogEntry).logTimestamp);
  if (timestampMs === undefined) return undefined;
  const outcome = enricher.toDocument(entry as RawLogEntry, timestampMs, letter.talend.position.line);
  return outcome.kind === 'document' ? outcome : undefined;
}

function* byChunk(hits: estypes.SearchHit<DeadLetter>[]): Generator<estypes.SearchHit<DeadLetter>[]> {
  let start = 0;
  for (let i = 1; i <= hits.length; i++) {
    const a = hits[start]!._source!.talend;
    const b = hits[i]?._source!.talend;
    if (b === undefined || b.execution.id !== a.execution.id || b.position.chunk !== a.position.chunk) {
      yield hits.slice(start, i);
      start = i;
    }
  }
}

/** What the dead letter knew of the execution, overridden field by field by the executions index. */
function merged(letter: TalendContext, latest: Partial<TalendContext> | undefined): TalendContext {
  return {
    task: { ...letter.task, ...latest?.task, id: letter.task.id },
    execution: { ...letter.execution, ...latest?.execution, id: letter.execution.id },
    workspace: { ...letter.workspace, ...latest?.workspace },
    environment: { ...letter.environment, ...latest?.environment },
    runtime: { ...letter.runtime, ...latest?.runtime },
  };
}

async function deleteDeadLetters(page: PageContext, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const index = page.store.names.deadLetters;
  const body = ids.map((id) => `${JSON.stringify({ delete: { _index: index, _id: id } })}\n`).join('');
  const items = await postBulk(page.store, body, ids.length);
  const failed = items.find((item) => item.error !== undefined && item.status !== 404);
  if (failed !== undefined) {
    throw new ElasticsearchWriteError(
      `Could not delete replayed dead letters from ${index}: ${failed.error!.reason ?? failed.error!.type}`,
      { index, status: failed.status, errorType: failed.error!.type },
    );
  }
  return items.filter((item) => item.error === undefined).length;
}

function selection(options: ReplayOptions): estypes.QueryDslQueryContainer {
  const filter: estypes.QueryDslQueryContainer[] = [];
  if (options.executionId !== undefined)
    filter.push({ term: { 'talend.execution.id': options.executionId } });
  if (options.taskIds !== undefined && options.taskIds.length > 0)
    filter.push({ terms: { 'talend.task.id': [...options.taskIds] } });
  if (options.stage !== undefined) filter.push({ term: { 'talend.dead_letter.stage': options.stage } });
  return { bool: { filter } };
}

interface GroupBucket {
  key: string;
  doc_count: number;
  types: {
    buckets: {
      key: string;
      doc_count: number;
      example: { hits: { hits: { _source?: { error?: { message?: string } } }[] } };
      executions: { buckets: { key: string }[] };
    }[];
  };
}

async function remainingDeadLetters(
  store: ElasticsearchStore,
  query: estypes.QueryDslQueryContainer,
): Promise<RemainingDeadLetters[]> {
  const response = await store.request('a count of the dead letters left', () =>
    store.client.search({
      index: store.names.deadLetters,
      size: 0,
      query,
      aggs: {
        stages: {
          terms: { field: 'talend.dead_letter.stage', size: 10 },
          aggs: {
            types: {
              terms: { field: 'error.type', size: 50 },
              aggs: {
                example: { top_hits: { size: 1, _source: ['error.message'] } },
                executions: { terms: { field: 'talend.execution.id', size: 10 } },
              },
            },
          },
        },
      },
    }),
  );
  const stages = (response.aggregations?.stages as { buckets: GroupBucket[] } | undefined)?.buckets ?? [];
  return stages.flatMap((stage) =>
    stage.types.buckets.map((type) => ({
      stage: stage.key,
      errorType: type.key,
      count: type.doc_count,
      example: type.example.hits.hits[0]?._source?.error?.message ?? '',
      executionIds: type.executions.buckets.map((bucket) => bucket.key),
    })),
  );
}
