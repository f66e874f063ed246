import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, get, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Client } from '@elastic/elasticsearch';
import type { ExecutionContext } from '../../src/documents/shapes.ts';
import type { RawLogEntry } from '../../src/contracts/talend-api.ts';
import { InterruptedError } from '../../src/common/errors.ts';
import { UnreadableLogError } from '../../src/pipeline/errors.ts';
import { ingestChunk, type ChunkResult } from '../../src/pipeline/ingest-chunk.ts';
import type { ChunkWindow } from '../../src/talend/chunk-walk.ts';
import { BulkIndexer } from '../../src/store/bulk-indexer.ts';
import { DeadLetterWriter } from '../../src/store/dead-letters.ts';
import {
  ElasticsearchUnavailableError,
  ElasticsearchWriteError,
} from '../../src/store/elasticsearch-errors.ts';
import type { ElasticsearchStore } from '../../src/store/elasticsearch-store.ts';
import { installTemplates } from '../../src/store/templates.ts';
import type { LogDownload } from '../../src/talend/presigned-download.ts';
import { removePrefix, testClient, testStore, uniquePrefix } from '../support/elasticsearch.ts';
import { DEFAULTS } from '../support/config.ts';

/** Starts one minute before a month ends, so a log spreads over two monthly indices. */
const START = Date.UTC(2024, 0, 31, 23, 59, 0);
const UNICODE = 'Zürich 東京 😀 𝄞 naïve';

/** The truth: what Talend holds, with multi-line and Unicode messages, extra fields and repeated lines. */
function truthEntries(count: number, start = START): RawLogEntry[] {
  const entries: RawLogEntry[] = [];
  for (let i = 0; entries.length < count; i++) {
    let logMessage = `row ${i} processed by tMap_${i % 5}`;
    if (i % 7 === 0) logMessage += ` ${UNICODE}`;
    if (i % 25 === 0)
      logMessage += '\njava.lang.IllegalStateException: lookup failed\n\tat org.talend.Job.run(Job.java:42)';
    const entry: RawLogEntry = {
      logTimestamp: start + i * 250,
      severity: ['INFO', 'WARN', 'ERROR', 'DEBUG'][i % 4],
      logMessage,
      logType: i % 3 === 0 ? 'SYSTEM' : 'USER',
      bundleName: 'org.talend.customers',
      bundleVersion: '0.1.0',
      podName: `pod-${i % 3}`,
    };
    if (i % 50 === 0) entry.threadName = `worker-${i}`;
    entries.push(entry);
    // Real logs repeat lines: an identical entry at the same timestamp is a line of its own.
    if (i % 40 === 1 && entries.length < count) entries.push({ ...entry });
  }
  return entries;
}

function toText(entries: RawLogEntry[]): string {
  return entries
    .map(
      (e) =>
        `${new Date(e.logTimestamp as number).toISOString()} ${e.severity} [${e.bundleName}] ${e.logMessage}\n`,
    )
    .join('');
}

const jsonLines = (entries: unknown[]) => entries.map((entry) => JSON.stringify(entry)).join('\n') + '\n';

interface Served {
  body: Buffer;
  headers?: Record<string, string>;
  /** Send the first bytes, then stall until the client goes away. */
  stall?: boolean;
}

describe('ingestChunk into Elasticsearch', () => {
  let client: Client;
  let store: ElasticsearchStore;
  let server: Server;
  let baseUrl: string;
  let indexer: BulkIndexer;
  let deadLetters: DeadLetterWriter;
  const prefix = uniquePrefix('pipeline');
  /** Installed where the cluster has ingest processors (not on the local test node). */
  let ingestPipeline: string | undefined;
  const files = new Map<string, Served>();
  const stalled = new Set<ServerResponse>();

  before(async () => {
    client = await testClient();
    store = await testStore(prefix);
    ingestPipeline = (await installTemplates(store)).ingestPipeline;
    deadLetters = new DeadLetterWriter(store);
    indexer = new BulkIndexer(store, {
      ...DEFAULTS.bulk,
      deadLetters,
      flushBytes: 256 * 1024,
      flushIntervalMs: 200,
    });
    server = createServer((request, response) => {
      const file = files.get(request.url ?? '');
      if (!file) return void response.writeHead(404).end();
      response.writeHead(200, { 'content-length': String(file.body.length), ...file.headers });
      if (file.stall) {
        response.write(file.body.subarray(0, 100));
        stalled.add(response);
        return;
      }
      response.end(file.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const response of stalled) response.destroy();
    await indexer.close();
    await new Promise((resolve) => server.close(resolve));
    await removePrefix(client, prefix);
    await store.close();
    await client.close();
  });

  function serve(path: string, body: string | Buffer, headers?: Record<string, string>, stall = false): void {
    files.set(path, { body: typeof body === 'string' ? Buffer.from(body) : body, headers, stall });
  }

  /** A plain GET, body left encoded as sent: what the Talend client hands the pipeline. */
  function download(path: string): Promise<LogDownload> {
    return new Promise((resolve, reject) => {
      get(`${baseUrl}${path}`, (response) => {
        const headers: IncomingHttpHeaders = response.headers;
        resolve({
          body: response,
          contentEncoding: headers['content-encoding'],
          contentType: headers['content-type'],
          contentLength: Number(headers['content-length']),
        });
      }).on('error', reject);
    });
  }

  function contextFor(executionId: string): ExecutionContext {
    return { taskId: 'task-it', taskName: 'Customers', executionId, status: 'execution_successful' };
  }

  async function ingest(
    path: string,
    executionId: string,
    options: {
      fileFormat?: 'JSON' | 'TEXT';
      window?: ChunkWindow;
      indexer?: BulkIndexer;
      signal?: AbortSignal;
    } = {},
  ): Promise<ChunkResult> {
    return ingestChunk({
      download: await download(path),
      fileFormat: options.fileFormat ?? 'JSON',
      context: contextFor(executionId),
      chunk: { sequence: 0, window: options.window ?? {} },
      indexer: options.indexer ?? indexer,
      deadLetters,
      names: store.names,
      signal: options.signal,
    });
  }

  async function documentsOf(executionId: string) {
    await client.indices.refresh({ index: `${prefix}-*` });
    const found = await client.search<Record<string, unknown>>({
      index: store.names.logsAlias,
      size: 10_000,
      query: { term: { 'talend.execution.id': executionId } },
      sort: [{ '@timestamp': 'asc' }, { 'talend.position.line': 'asc' }],
    });
    return found.hits.hits;
  }

  async function deadLettersOf(executionId: string) {
    await client.indices.refresh({ index: `${prefix}-*`, ignore_unavailable: true, allow_no_indices: true });
    const found = await client.search<Record<string, unknown>>(
      {
        index: deadLetters.index,
        size: 1000,
        query: { term: { 'talend.execution.id': executionId } },
        sort: [{ 'talend.position.line': 'asc' }],
      },
      { ignore: [404] },
    );
    return found.hits?.hits ?? [];
  }

  /** What a document must say about its entry, comparable with the truth. */
  function fieldsOf(source: Record<string, unknown>) {
    const talend = source.talend as Record<string, Record<string, unknown> | undefined>;
    return [
      source['@timestamp'],
      (source.log as { level: string }).level,
      source.message,
      talend.bundle?.name,
      talend.pod?.name ?? null,
      JSON.stringify(talend.extra ?? null),
    ];
  }

  function expectedFields(entries: RawLogEntry[], text = false) {
    return entries.map((entry) => {
      const { logTimestamp, severity, logMessage, logType, bundleName, bundleVersion, podName, ...extra } =
        entry;
      void logType;
      void bundleVersion;
      return [
        new Date(logTimestamp as number).toISOString(),
        severity!.toLowerCase(),
        logMessage,
        bundleName,
        text ? null : podName,
        JSON.stringify(text || Object.keys(extra).length === 0 ? null : extra),
      ];
    });
  }

  const sortFields = (rows: unknown[][]) => rows.map((row) => JSON.stringify(row)).sort();

  const truth = truthEntries(600);
  const shapes: [string, string | Buffer, Record<string, string>?, 'TEXT'?][] = [
    ['array', JSON.stringify(truth, null, 1)],
    ['data', JSON.stringify({ data: truth })],
    ['jsonl', jsonLines(truth)],
    ['gzip', gzipSync(jsonLines(truth)), { 'content-encoding': 'gzip' }],
    ['gzip-object', gzipSync(JSON.stringify(truth)), { 'content-type': 'application/gzip' }],
    ['gzip-bytes-only', gzipSync(JSON.stringify(truth)), { 'content-type': 'application/octet-stream' }],
    ['gzip-already-decoded', jsonLines(truth), { 'content-encoding': 'gzip' }],
    ['gzip-twice', gzipSync(gzipSync(jsonLines(truth))), { 'content-encoding': 'gzip' }],
    ['text', toText(truth), { 'content-type': 'text/plain' }, 'TEXT'],
  ];

  for (const [shape, body, headers, fileFormat] of shapes) {
    it(`indexes exactly the truth's entries from a ${shape} file`, async () => {
      const executionId = `exec-${shape}`;
      serve(`/${shape}`, body, headers);
      const result = await ingest(`/${shape}`, executionId, { fileFormat: fileFormat ?? 'JSON' });
      assert.equal(result.linesRead, truth.length);
      assert.equal(result.acknowledged, truth.length);
      assert.equal(result.deadLettered, 0);
      assert.equal(result.skippedOutsideWindow, 0);

      const documents = await documentsOf(executionId);
      assert.equal(documents.length, truth.length);
      assert.equal(
        new Set(documents.map((doc) => doc._id)).size,
        truth.length,
        'repeated lines keep their own ids',
      );
      assert.deepEqual(
        sortFields(documents.map((doc) => fieldsOf(doc._source!))),
        sortFields(expectedFields(truth, fileFormat === 'TEXT')),
      );
      assert.deepEqual(
        new Set(documents.map((doc) => doc._index)),
        new Set([`${prefix}-logs-2024.01`, `${prefix}-logs-2024.02`]),
      );
      const first = documents[0]!._source as {
        talend: { task: { id: string }; execution: { status: string } };
      };
      assert.equal(first.talend.task.id, 'task-it');
      assert.equal(first.talend.execution.status, 'execution_successful');
    });
  }

  it('adds nothing when the same chunk is ingested again', async () => {
    const executionId = 'exec-jsonl';
    const before = (await documentsOf(executionId)).map((doc) => doc._id).sort();
    assert.equal(before.length, truth.length);
    const again = await ingest('/jsonl', executionId);
    assert.equal(again.acknowledged, truth.length);
    const afterwards = (await documentsOf(executionId)).map((doc) => doc._id).sort();
    assert.deepEqual(afterwards, before);
  });

  it('gets event.ingested from the logs pipeline where the cluster has one, and names the connector and its version', async () => {
    const executionId = 'exec-ecs';
    const before = Date.now();
    serve('/ecs', jsonLines(truth));
    await ingest('/ecs', executionId);
    const documents = await documentsOf(executionId);
    assert.equal(documents.length, truth.length);
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    for (const { _source } of documents) {
      const { event, agent } = _source as {
        event: { kind: string; module: string; ingested?: string };
        agent: { type: string; version: string };
      };
      assert.deepEqual(agent, { type: 'talend-logs-es', version });
      assert.equal(event.kind, 'event');
      assert.equal(event.module, 'talend');
      if (ingestPipeline === undefined) {
        assert.equal(event.ingested, undefined, 'the connector does not set it');
        continue;
      }
      const ingested = Date.parse(event.ingested ?? '');
      assert.ok(
        ingested >= before - 1000 && ingested <= Date.now() + 1000,
        `event.ingested ${event.ingested}`,
      );
    }
    const count = async (query: Record<string, unknown>) =>
      (
        await client.count({
          index: store.names.logsAlias,
          query: { bool: { filter: [{ term: { 'talend.execution.id': executionId } }, query] } },
        })
      ).count;
    assert.equal(
      await count({ range: { 'event.ingested': { gte: before - 1000 } } }),
      ingestPipeline === undefined ? 0 : truth.length,
    );
    assert.equal(await count({ term: { 'agent.version': version } }), truth.length);
    const errors = truth.filter((entry) => entry.severity === 'ERROR');
    const traces = errors.filter((entry) => entry.logMessage!.includes('\n\tat '));
    assert.ok(traces.length > 0 && traces.length < errors.length);
    assert.equal(await count({ exists: { field: 'error.message' } }), errors.length);
    assert.equal(await count({ match: { 'error.message': 'processed' } }), errors.length);
    assert.equal(
      await count({ match: { 'error.message': 'java.lang.IllegalStateException' } }),
      0,
      'the first line only',
    );
    assert.equal(
      await count({ match: { 'error.stack_trace.text': 'java.lang.IllegalStateException' } }),
      traces.length,
    );
  });

  it('gives a line the same id whichever chunk carries it', async () => {
    const executionId = 'exec-split';
    serve('/whole', jsonLines(truth));
    await ingest('/whole', executionId);
    const whole = (await documentsOf(executionId)).map((doc) => doc._id).sort();
    assert.equal(whole.length, truth.length);

    // Another run cut the log elsewhere: two files overlapping by a few lines, each owning its window.
    const boundary = truth[300]!.logTimestamp as number;
    serve('/older', jsonLines(truth.slice(0, 310)));
    serve('/newer', jsonLines(truth.slice(290)));
    const older = await ingest('/older', executionId, { window: { endMs: boundary } });
    const newer = await ingest('/newer', executionId, { window: { startMs: boundary } });
    assert.equal(older.acknowledged + newer.acknowledged, truth.length);
    assert.equal(older.skippedOutsideWindow + newer.skippedOutsideWindow, 20);
    for (const result of [older, newer]) {
      assert.equal(result.linesRead, result.acknowledged + result.deadLettered + result.skippedOutsideWindow);
    }
    assert.deepEqual((await documentsOf(executionId)).map((doc) => doc._id).sort(), whole);
  });

  it('dead-letters malformed lines with their reasons and positions, and indexes the rest', async () => {
    const executionId = 'exec-malformed';
    const good = truthEntries(5, Date.UTC(2024, 1, 10));
    const lines = [
      JSON.stringify(good[0]),
      '{"logTimestamp": 1707523200000, "severity": "INFO", "logMessage": "cut he',
      JSON.stringify(good[1]),
      '42',
      JSON.stringify({ ...good[2], logTimestamp: 'not-a-timestamp' }),
      JSON.stringify({ severity: 'INFO', logMessage: 'no timestamp at all' }),
      JSON.stringify({ ...good[3], logMessage: { nested: true } }),
      JSON.stringify(good[4]),
    ];
    serve('/malformed', lines.join('\n'));
    const result = await ingest('/malformed', executionId);
    assert.deepEqual(
      { ...result, bytes: 0, durationMs: 0 },
      {
        linesRead: 8,
        acknowledged: 3,
        deadLettered: 5,
        skippedOutsideWindow: 0,
        bytes: 0,
        durationMs: 0,
        retries: 0,
      },
    );
    assert.equal((await documentsOf(executionId)).length, 3);
    const letters = (await deadLettersOf(executionId)).map((hit) => hit._source as Record<string, unknown>);
    assert.deepEqual(
      letters.map((letter) => [
        (letter.talend as { position: { line: number } }).position.line,
        stageOf(letter),
        (letter.error as { type: string }).type,
      ]),
      [
        [1, 'parse', 'malformed_line'],
        [3, 'parse', 'malformed_line'],
        [4, 'enrich', 'invalid_entry'],
        [5, 'enrich', 'invalid_entry'],
        [6, 'enrich', 'invalid_entry'],
      ],
    );
    assert.match(errorMessageOf(letters[0]!), /^invalid JSON/);
    assert.equal(originalOf(letters[0]!), lines[1]);
    assert.equal(errorMessageOf(letters[2]!), 'logTimestamp missing or not a date');
    assert.deepEqual((JSON.parse(originalOf(letters[2]!)) as RawLogEntry).logTimestamp, 'not-a-timestamp');
    assert.equal(errorMessageOf(letters[4]!), 'logMessage is not a string');

    // Again: dead letters are overwritten, not added.
    await ingest('/malformed', executionId);
    assert.equal((await deadLettersOf(executionId)).length, 5);
  });

  it('dead-letters a JSON array broken in the middle once and keeps what came before the break', async () => {
    const executionId = 'exec-broken-array';
    const entries = truthEntries(20, Date.UTC(2024, 1, 12));
    const text = JSON.stringify(entries);
    const cut = text.indexOf(',{', text.length / 2);
    serve('/broken', `${text.slice(0, cut)},{"logTimestamp": 1, "sev" x}${text.slice(cut)}`);
    const result = await ingest('/broken', executionId);
    assert.equal(result.deadLettered, 1);
    assert.equal(result.linesRead, result.acknowledged + 1);
    assert.ok(result.acknowledged >= 9, `${result.acknowledged} entries before the break`);
    const [letter] = await deadLettersOf(executionId);
    assert.match(
      errorMessageOf(letter!._source as Record<string, unknown>),
      /broken JSON array after entry \d+/,
    );
  });

  const unreadableFiles: [string, string | Buffer, Record<string, string>, 'JSON' | 'TEXT'][] = [
    [
      'html',
      `<html><body>${'<p>Bad gateway</p>\n'.repeat(5000)}</body></html>`,
      { 'content-type': 'text/html' },
      'TEXT',
    ],
    ['garbage', Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919 + 13) % 256)), {}, 'TEXT'],
    [
      'jsonl-unparsable',
      Array.from({ length: 3000 }, (_, i) => `{"logTimestamp": ${i}, oops`).join('\n'),
      {},
      'JSON',
    ],
    [
      'objects-not-entries',
      jsonLines(Array.from({ length: 3000 }, (_, i) => ({ error: 'AccessDenied', i }))),
      {},
      'JSON',
    ],
  ];
  for (const [name, body, headers, fileFormat] of unreadableFiles) {
    it(`fails a file that is no log (${name}) with one UnreadableLogError: nothing indexed or dead-lettered`, async () => {
      const executionId = `exec-unreadable-${name}`;
      serve(`/unreadable-${name}`, body, headers);
      await assert.rejects(ingest(`/unreadable-${name}`, executionId, { fileFormat }), (error: unknown) => {
        assert.ok(error instanceof UnreadableLogError, String(error));
        assert.equal(error.context.fileFormat, fileFormat);
        assert.equal(error.context.contentType, headers['content-type']);
        return true;
      });
      assert.equal((await documentsOf(executionId)).length, 0);
      assert.equal((await deadLettersOf(executionId)).length, 0);
    });
  }

  it('dead-letters exactly the documents that conflict with the index mapping', async () => {
    const executionId = 'exec-conflict';
    await client.indices.create({
      index: `${prefix}-logs-2024.03`,
      mappings: {
        properties: { talend: { properties: { pod: { properties: { name: { type: 'long' } } } } } },
      },
    });
    const entries = truthEntries(12, Date.UTC(2024, 2, 5)).map((entry, i) => ({
      ...entry,
      podName: i % 4 === 0 ? `pod-${i}` : String(i),
    }));
    serve('/conflict', jsonLines(entries));
    const result = await ingest('/conflict', executionId);
    assert.equal(result.acknowledged, 9);
    assert.equal(result.deadLettered, 3);
    const letters = (await deadLettersOf(executionId)).map((hit) => hit._source as Record<string, unknown>);
    assert.deepEqual(
      letters.map((letter) => (JSON.parse(originalOf(letter)) as RawLogEntry).podName),
      ['pod-0', 'pod-4', 'pod-8'],
    );
    for (const letter of letters) {
      assert.equal(stageOf(letter), 'index');
      assert.equal(
        (letter.talend as { dead_letter: { target_index: string } }).dead_letter.target_index,
        `${prefix}-logs-2024.03`,
      );
      assert.match(String((letter.error as { type: string }).type), /parsing_exception/);
    }
    assert.equal((await documentsOf(executionId)).length, 9);
  });

  it('fails with ElasticsearchWriteError on a read-only index, dead-lettering nothing', async () => {
    const executionId = 'exec-readonly';
    await client.indices.create({
      index: `${prefix}-logs-2024.04`,
      settings: { 'index.blocks.write': true },
    });
    serve('/readonly', jsonLines(truthEntries(10, Date.UTC(2024, 3, 2))));
    await assert.rejects(ingest('/readonly', executionId), (error: unknown) => {
      assert.ok(error instanceof ElasticsearchWriteError, String(error));
      assert.match(error.message, /index\.blocks\.write/);
      assert.equal(error.context.errorType, 'cluster_block_exception');
      return true;
    });
    assert.equal((await deadLettersOf(executionId)).length, 0);
  });

  it('fails with ElasticsearchUnavailableError after bounded retries when Elasticsearch is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    const unreachable = await testStore(prefix, {
      node: `http://127.0.0.1:${port}`,
      service: {
        requestTimeoutMs: 2000,
        retry: { maxAttempts: 3, baseMs: 5, maxMs: 20, budgetMs: 5000 },
        itemRetries: 2,
      },
    });
    const writer = new DeadLetterWriter(unreachable);
    const lonely = new BulkIndexer(unreachable, { ...DEFAULTS.bulk, deadLetters: writer });
    serve('/unreachable', jsonLines(truthEntries(10, Date.UTC(2024, 4, 2))));
    const started = Date.now();
    await assert.rejects(
      ingest('/unreachable', 'exec-unreachable', { indexer: lonely }),
      (error: unknown) => {
        assert.ok(error instanceof ElasticsearchUnavailableError, String(error));
        assert.equal(error.context.attempts, 3);
        return true;
      },
    );
    assert.ok(Date.now() - started < 5000);
    await lonely.close();
    await unreachable.close();
  });

  it('stops a stalled download when the signal aborts', async () => {
    serve('/stalled', jsonLines(truthEntries(50, Date.UTC(2024, 5, 2))), {}, true);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    await assert.rejects(ingest('/stalled', 'exec-stalled', { signal: controller.signal }), InterruptedError);
  });
});

const stageOf = (letter: Record<string, unknown>) =>
  (letter.talend as { dead_letter: { stage: string } }).dead_letter.stage;
const errorMessageOf = (letter: Record<string, unknown>) => (letter.error as { message: string }).message;
const originalOf = (letter: Record<string, unknown>) => (letter.event as { original: string }).original;
