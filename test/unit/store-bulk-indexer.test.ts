/**
 * The bulk engine against a small `_bulk` endpoint on 127.0.0.1 that answers each item as the test
 * says: the cases a real cluster produces only under load (429 per item, 503 per request) or never
 * on demand, with every request body recorded.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import { ECS_VERSION } from '../../src/common/ecs-version.ts';
import { BulkIndexer, type BulkIndexerOptions } from '../../src/store/bulk-indexer.ts';
import { DeadLetterWriter, DeadLetterWriteError } from '../../src/store/dead-letters.ts';
import {
  ElasticsearchUnavailableError,
  ElasticsearchWriteError,
} from '../../src/store/elasticsearch-errors.ts';
import { ElasticsearchStore } from '../../src/store/elasticsearch-store.ts';
import { silentLogger } from '../../src/observability/logger.ts';
import { createIndexWriter } from '../../src/store/index-writer.ts';
import { DEFAULTS } from '../support/config.ts';
import { testStore } from '../support/elasticsearch.ts';
import { serializedDocument } from '../support/serialized-document.ts';

interface Action {
  index: string;
  id: string;
  source: Record<string, unknown>;
}

type ItemAnswer = { status: number; error?: { type: string; reason: string } };

/** Decides each item's answer; `undefined` means success. */
type Judge = (action: Action, attempt: number) => ItemAnswer | undefined;

describe('BulkIndexer', () => {
  let server: Server;
  let client: Client;
  let store: ElasticsearchStore;
  /** Short waits, so that retries take milliseconds. */
  const retry = { maxAttempts: 6, baseMs: 1, maxMs: 5, budgetMs: 5000 };
  /** The same client under other item retries. */
  const withItemRetries = (itemRetries: number) =>
    new ElasticsearchStore(client, store.names, { retry, itemRetries }, silentLogger);
  let judge: Judge;
  /** Answers a whole request with this status instead of judging its items, while > 0. */
  let failRequests: { status: number; times: number };
  let responseDelayMs: number;
  let gate: Promise<void> | undefined;
  let requests: Action[][];
  let inFlight: number;
  let maxInFlight: number;
  let created: { index: string; body: unknown }[];
  const attempts = new Map<string, number>();

  before(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const headers = { 'content-type': 'application/json', 'x-elastic-product': 'Elasticsearch' };
        if (request.method === 'PUT') {
          // A monthly index created before its first document (see LogIndexCreator).
          created.push({
            index: decodeURIComponent(new URL(request.url!, 'http://x').pathname.slice(1)),
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown,
          });
          response.writeHead(200, headers).end(JSON.stringify({ acknowledged: true }));
          return;
        }
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        if (gate) await gate;
        if (responseDelayMs > 0) await delay(responseDelayMs);
        inFlight--;
        if (failRequests.times > 0) {
          failRequests.times--;
          response
            .writeHead(failRequests.status, headers)
            .end(JSON.stringify({ error: 'busy', status: failRequests.status }));
          return;
        }
        const lines = Buffer.concat(chunks).toString('utf8').split('\n').filter(Boolean);
        const actions: Action[] = [];
        for (let i = 0; i < lines.length; i += 2) {
          const meta = (JSON.parse(lines[i]!) as { index: { _index: string; _id: string } }).index;
          actions.push({
            index: meta._index,
            id: meta._id,
            source: JSON.parse(lines[i + 1]!) as Record<string, unknown>,
          });
        }
        requests.push(actions);
        const items = actions.map((action) => {
          const attempt = (attempts.get(`${action.index}/${action.id}`) ?? 0) + 1;
          attempts.set(`${action.index}/${action.id}`, attempt);
          const answer = judge(action, attempt) ?? { status: 201 };
          return { index: { _index: action.index, _id: action.id, ...answer } };
        });
        response
          .writeHead(200, headers)
          .end(JSON.stringify({ took: 1, errors: items.some((i) => i.index.error), items }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    store = await testStore('unit', {
      node: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      service: { retry },
    });
    client = store.client;
  });

  after(async () => {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    judge = () => undefined;
    failRequests = { status: 503, times: 0 };
    responseDelayMs = 0;
    gate = undefined;
    requests = [];
    inFlight = 0;
    maxInFlight = 0;
    created = [];
    attempts.clear();
  });

  const context = (chunk: number) => ({
    talend: {
      task: { id: 'task', name: 'Orders' },
      execution: { id: 'exec', status: 'execution_successful' },
    },
    chunk,
  });
  function makeIndexer(options: Partial<BulkIndexerOptions> = {}, on: ElasticsearchStore = store) {
    const deadLetters = new DeadLetterWriter(on);
    return new BulkIndexer(on, { ...DEFAULTS.bulk, deadLetters, flushIntervalMs: 20, ...options });
  }

  const doc = (id: string, index = 'unit-logs-2024.01') => ({
    index,
    id,
    serialized: serializedDocument({ message: `message of ${id}`, padding: 'x'.repeat(200) }),
    source: { logMessage: id },
  });

  const logRequests = () => requests.filter((batch) => batch[0]?.index !== 'unit-deadletter');
  const deadLetterRequests = () => requests.filter((batch) => batch[0]?.index === 'unit-deadletter');

  it('retries only the items Elasticsearch was too busy for', async () => {
    judge = (action, attempt) =>
      action.id.startsWith('busy') && attempt === 1
        ? { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } }
        : undefined;
    const indexer = makeIndexer();
    const session = indexer.session({ label: 's', context: context(0) });
    for (const id of ['a', 'busy-1', 'b', 'busy-2', 'c']) await session.add(doc(id));
    const result = await session.done();
    await indexer.close();
    assert.equal(result.acknowledged, 5);
    assert.equal(result.deadLettered, 0);
    assert.equal(result.retries, 2);
    assert.deepEqual(
      logRequests().map((batch) => batch.map((action) => action.id)),
      [
        ['a', 'busy-1', 'b', 'busy-2', 'c'],
        ['busy-1', 'busy-2'],
      ],
    );
  });

  it('retries a whole request that failed with 503, then succeeds', async () => {
    failRequests = { status: 503, times: 2 };
    const indexer = makeIndexer();
    const session = indexer.session({ label: 's', context: context(0) });
    await session.add(doc('a'));
    const result = await session.done();
    await indexer.close();
    assert.deepEqual({ ...result, bytes: 0 }, { acknowledged: 1, deadLettered: 0, retries: 2, bytes: 0 });
  });

  it('creates each monthly index once, before its first document, dated from the end of its month', async () => {
    const indexer = makeIndexer({ flushBytes: 1_000 });
    const session = indexer.session({ label: 's', context: context(0) });
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) await session.add(doc(id));
    await session.add(doc('g', 'unit-logs-2024.12'));
    await session.add(doc('h', 'unit-other'));
    await session.done();
    await indexer.close();
    assert.ok(logRequests().length > 1);
    assert.deepEqual(created, [
      {
        index: 'unit-logs-2024.01',
        body: { settings: { 'index.lifecycle.origination_date': Date.UTC(2024, 1, 1) } },
      },
      {
        index: 'unit-logs-2024.12',
        body: { settings: { 'index.lifecycle.origination_date': Date.UTC(2025, 0, 1) } },
      },
    ]);
  });

  it('gives up after the item retries with ElasticsearchUnavailableError', async () => {
    judge = () => ({ status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } });
    const indexer = makeIndexer({}, withItemRetries(3));
    const session = indexer.session({ label: 's', context: context(0) });
    await session.add(doc('a'));
    await assert.rejects(session.done(), ElasticsearchUnavailableError);
    await indexer.close();
    assert.equal(attempts.get('unit-logs-2024.01/a'), 4);
  });

  it('dead-letters documents Elasticsearch refuses, with the original entry and the reason', async () => {
    judge = (action) =>
      action.id === 'bad' && action.index !== 'unit-deadletter'
        ? {
            status: 400,
            error: { type: 'document_parsing_exception', reason: 'failed to parse field [talend.pod.name]' },
          }
        : undefined;
    const indexer = makeIndexer();
    const session = indexer.session({ label: 's', context: context(4) });
    await session.add(doc('good'));
    await session.add({ ...doc('bad'), position: 17 });
    const result = await session.done();
    await indexer.close();
    assert.equal(result.acknowledged, 1);
    assert.equal(result.deadLettered, 1);
    const [letters] = deadLetterRequests();
    assert.equal(letters!.length, 1);
    const letter = letters![0]!.source;
    assert.deepEqual(letter.error, {
      type: 'document_parsing_exception',
      message: 'failed to parse field [talend.pod.name]',
    });
    assert.deepEqual(letter.http, { response: { status_code: 400 } });
    assert.deepEqual(letter.event, { original: JSON.stringify({ logMessage: 'bad' }) });
    assert.deepEqual(letter.ecs, { version: ECS_VERSION });
    assert.deepEqual(letter.talend, {
      task: { id: 'task', name: 'Orders' },
      execution: { id: 'exec', status: 'execution_successful' },
      position: { chunk: 4, line: 17 },
      dead_letter: { stage: 'index', target_index: 'unit-logs-2024.01', document_id: 'bad' },
    });
  });

  it('tells the session of each document once it is indexed or dead-lettered', async () => {
    judge = (action) =>
      action.id === 'bad' && action.index !== 'unit-deadletter'
        ? { status: 400, error: { type: 'document_parsing_exception', reason: 'bad pod' } }
        : undefined;
    const settled: [string, string][] = [];
    const indexer = makeIndexer();
    const session = indexer.session({
      label: 's',
      context: context(0),
      onSettled: (id, outcome) => settled.push([id, outcome]),
    });
    for (const id of ['a', 'bad', 'b']) await session.add(doc(id));
    await session.done();
    await indexer.close();
    assert.deepEqual(settled.sort(), [
      ['a', 'indexed'],
      ['b', 'indexed'],
      ['bad', 'dead-lettered'],
    ]);
  });

  it('waits for a full request while another session still adds documents', async () => {
    const indexer = makeIndexer({ flushIntervalMs: 60_000 });
    const ending = indexer.session({ label: 'ending', context: context(0) });
    const feeding = indexer.session({ label: 'feeding', context: context(1) });
    await ending.add(doc('a'));
    await feeding.add(doc('b'));
    const ended = ending.done();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(logRequests().length, 0, 'no request cut short while a session feeds the buffer');
    await feeding.add(doc('c'));
    const fed = feeding.done();
    assert.equal((await ended).acknowledged, 1);
    assert.equal((await fed).acknowledged, 2);
    await indexer.close();
    assert.deepEqual(
      logRequests().map((batch) => batch.map((action) => action.id)),
      [['a', 'b', 'c']],
    );
  });

  it('sends the documents of sessions that end while a short request is in flight together, next', async () => {
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    const indexer = makeIndexer({ flushIntervalMs: 60_000, concurrency: 4 });
    const first = indexer.session({ label: 'first', context: context(0) });
    await first.add(doc('a'));
    const firstDone = first.done();
    let later: Promise<{ acknowledged: number }>[] = [];
    try {
      // However busy the machine, the first request goes out without waiting for the flush interval.
      for (let waited = 0; inFlight === 0 && waited < 10_000; waited += 5) await delay(5);
      assert.equal(inFlight, 1, 'the first session’s documents go out at once');
      later = ['b', 'c', 'd'].map((id, i) => {
        const session = indexer.session({ label: id, context: context(i + 1) });
        return session.add(doc(id)).then(() => session.done());
      });
      await delay(50);
      assert.equal(inFlight, 1, 'no second short request while one is in flight, though slots are free');
    } finally {
      release();
      gate = undefined;
    }
    await firstDone;
    for (const done of later) assert.equal((await done).acknowledged, 1);
    await indexer.close();
    assert.deepEqual(
      logRequests().map((batch) => batch.map((action) => action.id)),
      [['a'], ['b', 'c', 'd']],
    );
  });

  it('keeps an entry given as downloaded JSON apart from the buffer it came in, for its dead letter', async () => {
    judge = (action) =>
      action.index !== 'unit-deadletter'
        ? { status: 400, error: { type: 'document_parsing_exception', reason: 'bad pod' } }
        : undefined;
    const indexer = makeIndexer();
    const session = indexer.session({ label: 's', context: context(0) });
    const download = Buffer.from('[{"logMessage":"héllo ✓","podName":"p-1"},{"logMessage":"two"}]');
    const second = download.indexOf('{"logMessage":"two"');
    const fromDownload = (id: string, textStart: number, textEnd: number) => ({
      ...doc(id),
      source: undefined,
      sourceBytes: { bytes: download, textStart, textEnd },
    });
    await session.add(fromDownload('a', 1, second - 1));
    await session.add(fromDownload('b', second, download.length - 1));
    // The downloaded buffer is reused for the next read while the documents wait.
    download.fill(0x20);
    const result = await session.done();
    await indexer.close();
    assert.equal(result.deadLettered, 2);
    const letters = deadLetterRequests().flat();
    assert.deepEqual(
      letters.map((letter) => (letter.source.event as { original: string }).original),
      ['{"logMessage":"héllo ✓","podName":"p-1"}', '{"logMessage":"two"}'],
      'the entry as downloaded',
    );
  });

  it('fails the session when its dead letters cannot be stored', async () => {
    judge = (action) =>
      action.id !== 'good'
        ? { status: 400, error: { type: 'mapper_parsing_exception', reason: 'no' } }
        : undefined;
    const indexer = makeIndexer();
    const session = indexer.session({ label: 's', context: context(0) });
    await session.add(doc('good'));
    await session.add(doc('bad'));
    await assert.rejects(session.done(), DeadLetterWriteError);
    await indexer.close();
  });

  it('gives dead letters the configured retries, as the lines they stand for, then the same advice', async () => {
    // Every dead letter is pushed back (429): the writer gives up after the configured retries.
    judge = (action) =>
      action.index === 'unit-deadletter'
        ? { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'busy' } }
        : { status: 400, error: { type: 'mapper_parsing_exception', reason: 'no' } };
    const itemRetries = 2;
    const { indexer } = createIndexWriter(withItemRetries(itemRetries), DEFAULTS.bulk);
    const session = indexer.session({ label: 's', context: context(0) });
    await session.add(doc('bad'));
    await assert.rejects(session.done(), (error: unknown) => {
      assert.ok(error instanceof ElasticsearchUnavailableError, String(error));
      assert.match(error.message, /kept refusing dead letters .* after 2 retries.*--bulk-retries/);
      return true;
    });
    await indexer.close();
    assert.equal(deadLetterRequests().length, itemRetries + 1);
  });

  it('fails only the session whose index refuses writes', async () => {
    judge = (action) =>
      action.index === 'unit-logs-blocked'
        ? {
            status: 403,
            error: {
              type: 'cluster_block_exception',
              reason: 'index [unit-logs-blocked] blocked by: [FORBIDDEN/8/index write (api)];',
            },
          }
        : undefined;
    const indexer = makeIndexer();
    const blocked = indexer.session({ label: 'blocked', context: context(0) });
    const fine = indexer.session({ label: 'fine', context: context(1) });
    await blocked.add(doc('a', 'unit-logs-blocked'));
    await fine.add(doc('b'));
    await blocked.add(doc('c', 'unit-logs-blocked'));
    const [blockedResult, fineResult] = await Promise.allSettled([blocked.done(), fine.done()]);
    await indexer.close();
    assert.equal(blockedResult.status, 'rejected');
    assert.ok((blockedResult as PromiseRejectedResult).reason instanceof ElasticsearchWriteError);
    assert.match(
      String((blockedResult as PromiseRejectedResult).reason.message),
      /PUT unit-logs-blocked\/_settings/,
    );
    assert.deepEqual(fineResult.status === 'fulfilled' && fineResult.value.acknowledged, 1);
    assert.equal(deadLetterRequests().length, 0);
  });

  it('keeps at most `concurrency` requests in flight, sized by bytes', async () => {
    responseDelayMs = 30;
    const indexer = makeIndexer({ flushBytes: 2048, concurrency: 2 });
    const session = indexer.session({ label: 's', context: context(0) });
    for (let i = 0; i < 60; i++) await session.add(doc(`d${i}`));
    const result = await session.done();
    await indexer.close();
    assert.equal(result.acknowledged, 60);
    assert.equal(maxInFlight, 2);
    for (const batch of logRequests()) {
      const bytes = batch.reduce((sum, action) => sum + JSON.stringify(action.source).length + 60, 0);
      assert.ok(bytes <= 2048 + 400, `a request of ${bytes} bytes`);
    }
  });

  it('holds adds back while its byte budget is used up, and lets them go as requests complete', async () => {
    let release!: () => void;
    gate = new Promise((resolve) => (release = resolve));
    const indexer = makeIndexer({ flushBytes: 1024, concurrency: 1 });
    const session = indexer.session({ label: 's', context: context(0) });
    let added = 0;
    const adding = (async () => {
      for (let i = 0; i < 40; i++) {
        await session.add(doc(`d${i}`));
        added++;
      }
    })();
    await delay(100);
    // Each document is about 300 bytes; the budget is flushBytes * (concurrency + 1) = 2048.
    assert.ok(added >= 5 && added <= 8, `${added} documents buffered while Elasticsearch did not answer`);
    release();
    await adding;
    const result = await session.done();
    await indexer.close();
    assert.equal(result.acknowledged, 40);
  });

  it('flushes a partial buffer after flushIntervalMs without done()', async () => {
    const indexer = makeIndexer({ flushIntervalMs: 30 });
    const session = indexer.session({ label: 's', context: context(0) });
    await session.add(doc('lonely'));
    await delay(150);
    assert.equal(logRequests().length, 1);
    await session.done();
    await indexer.close();
  });

  it('drops an aborted session’s buffered documents and rejects its calls', async () => {
    const indexer = makeIndexer({ flushIntervalMs: 10_000 });
    const session = indexer.session({ label: 's', context: context(0) });
    await session.add(doc('never-sent'));
    const reason = new Error('stop');
    session.abort(reason);
    await assert.rejects(session.add(doc('late')), (error) => error === reason);
    await assert.rejects(session.done(), (error) => error === reason);
    await indexer.close();
    assert.equal(requests.length, 0);
  });
});
