import { indexNames } from '../../src/config/index-names.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { ECS_VERSION } from '../../src/common/ecs-version.ts';
import { type ExecutionContext } from '../../src/documents/shapes.ts';
import type { RawLogEntry } from '../../src/contracts/talend-api.ts';
import { ChunkEnricher, type EnrichOutcome } from '../../src/pipeline/enrich/chunk-enricher.ts';
import { documentId, serializeExtra } from '../../src/pipeline/enrich/document-id.ts';
import { entryIdentity } from '../support/entry-identity.ts';
import { sourceJson, sourceOf } from '../support/enriched-document.ts';
import { OccurrenceCounter } from '../../src/pipeline/enrich/occurrences.ts';
import { entryTimestamp } from '../../src/pipeline/enrich/timestamp.ts';

const CONTEXT: ExecutionContext = {
  taskId: 'task-1',
  taskName: 'Load customers',
  executionId: '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d',
  workspaceId: 'ws-1',
  workspaceName: 'Personal',
  environmentId: 'env-1',
  environmentName: 'prod',
  status: 'execution_successful',
  executionType: 'SCHEDULED',
  triggerTimestamp: '2021-09-01T07:00:00Z',
  startTimestamp: '2021-09-01T07:00:01Z',
  finishTimestamp: '2021-09-01T07:05:00Z',
  runtime: { type: 'REMOTE_ENGINE', id: 're-1', engineId: 'eng-1' },
};

const TS = Date.UTC(2021, 8, 1, 7, 1, 45, 123);
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

function enrich(
  entry: RawLogEntry,
  enricher = new ChunkEnricher(CONTEXT, 3, indexNames('talend')),
  position = 7,
) {
  return enricher.toDocument(entry, entryTimestamp(entry.logTimestamp)!, position);
}

function idOf(outcome: EnrichOutcome): string {
  assert.equal(outcome.kind, 'document');
  return outcome.id;
}

describe('entryTimestamp', () => {
  it('accepts epoch milliseconds, numeric strings and ISO-8601 strings', () => {
    assert.equal(entryTimestamp(TS), TS);
    assert.equal(entryTimestamp(String(TS)), TS);
    assert.equal(entryTimestamp('2021-09-01T07:01:45.123Z'), TS);
    assert.equal(entryTimestamp('2021-09-01 07:01:45.123'), TS, 'zone-less is UTC');
    assert.equal(entryTimestamp('2021-09-01T09:01:45.123+02:00'), TS);
  });

  it('reads epoch numbers too small to be milliseconds since 1973 as seconds', () => {
    assert.equal(entryTimestamp(TS / 1000), TS);
    assert.equal(entryTimestamp(String(TS / 1000)), TS);
    assert.equal(entryTimestamp(Math.floor(TS / 1000)), TS - 123);
    assert.equal(entryTimestamp(`${Math.floor(TS / 1000)}`), TS - 123);
    assert.equal(entryTimestamp(99_999_999_999), 99_999_999_999_000, 'the largest number read as seconds');
    assert.equal(entryTimestamp(100_000_000_000), 100_000_000_000, 'the smallest read as milliseconds');
    assert.equal(entryTimestamp(0), 0);
  });

  it('rejects what is missing or not a date', () => {
    for (const value of [
      undefined,
      null,
      '',
      'yesterday',
      'March 7, 2021',
      '2021-13',
      true,
      {},
      [],
      NaN,
      -1,
      1e20,
    ]) {
      assert.equal(entryTimestamp(value), undefined, String(value));
    }
  });
});

describe('ChunkEnricher', () => {
  it('builds the ECS document with the execution context and the entry fields', () => {
    const outcome = enrich({
      logTimestamp: TS,
      severity: 'WARN',
      logMessage: 'Line one\nline two 😀',
      logType: 'USER',
      bundleName: 'org.talend.job',
      bundleVersion: '8.0.1',
      podName: 'pod-7',
      threadName: 'main',
      nested: { a: 1 },
    });
    assert.equal(outcome.kind, 'document');
    assert.equal(outcome.index, 'talend-logs-2021.09');
    assert.match(outcome.id, /^[A-Za-z0-9_-]{27}$/);
    assert.deepEqual(sourceOf(outcome), {
      '@timestamp': '2021-09-01T07:01:45.123Z',
      message: 'Line one\nline two 😀',
      log: { level: 'warn' },
      event: { kind: 'event', module: 'talend', dataset: 'talend.execution' },
      agent: { type: 'talend-logs-es', version: VERSION },
      ecs: { version: ECS_VERSION },
      talend: {
        task: { id: 'task-1', name: 'Load customers' },
        execution: {
          id: CONTEXT.executionId,
          status: 'execution_successful',
          type: 'SCHEDULED',
          trigger_time: '2021-09-01T07:00:00Z',
          start_time: '2021-09-01T07:00:01Z',
          finish_time: '2021-09-01T07:05:00Z',
          duration_ms: 299_000,
        },
        workspace: { id: 'ws-1', name: 'Personal' },
        environment: { id: 'env-1', name: 'prod' },
        runtime: { type: 'REMOTE_ENGINE', id: 're-1', engine_id: 'eng-1' },
        log: { type: 'USER' },
        bundle: { name: 'org.talend.job', version: '8.0.1' },
        pod: { name: 'pod-7' },
        position: { chunk: 3, line: 7 },
        extra: { threadName: 'main', nested: { a: 1 } },
      },
    });
  });

  it('summarises error lines by their first line, for "top error messages"', () => {
    const trace = `java.sql.SQLException: connection refused\n\tat tDBOutput_1.process(${'x'.repeat(40)})`;
    const error = enrich({ logTimestamp: TS, severity: 'ERROR', logMessage: trace });
    assert.equal(error.kind, 'document');
    assert.deepEqual(sourceOf(error).talend.error, { message: 'java.sql.SQLException: connection refused' });
    assert.equal(sourceOf(error).message, trace);
    const long = enrich({ logTimestamp: TS, severity: 'fatal', logMessage: 'y'.repeat(2_000) });
    assert.equal(long.kind === 'document' && sourceOf(long).talend.error?.message.length, 512);
    const info = enrich({ logTimestamp: TS, severity: 'INFO', logMessage: 'fine' });
    assert.equal(info.kind === 'document' && sourceOf(info).talend.error, undefined);
  });

  it('gives error lines the ECS error.message, and error.stack_trace when they hold a Java trace', () => {
    const ecsError = (severity: string, logMessage: string) => {
      const outcome = enrich({ logTimestamp: TS, severity, logMessage });
      assert.equal(outcome.kind, 'document');
      return sourceOf(outcome).error;
    };
    const trace =
      'Job failed\njava.sql.SQLException: refused\n\tat Job.run(Job.java:1)\n\tat Main.main(Main.java:2)';
    assert.deepEqual(ecsError('ERROR', trace), { message: 'Job failed', stack_trace: trace });
    const spaced = 'java.lang.IllegalStateException: x\r\n    at a.B.c(B.java:3)';
    assert.deepEqual(ecsError('fatal', spaced), {
      message: 'java.lang.IllegalStateException: x',
      stack_trace: spaced,
    });
    const cause = 'Wrapper: y\nCaused by: java.io.IOException: z';
    assert.deepEqual(ecsError('ERROR', cause), { message: 'Wrapper: y', stack_trace: cause });
    assert.deepEqual(ecsError('ERROR', 'Row rejected\nfield at 3 is empty'), { message: 'Row rejected' });
    assert.deepEqual(ecsError('ERROR', 'no newline\tat all'), { message: 'no newline\tat all' });
    // A backslash and an "n" are no newline, however the JSON writes them.
    assert.deepEqual(ecsError('ERROR', 'Path C:\\n\tat x'), { message: 'Path C:\\n\tat x' });
    assert.deepEqual(ecsError('ERROR', 'Path C:\\\n\tat x'), {
      message: 'Path C:\\',
      stack_trace: 'Path C:\\\n\tat x',
    });
    const long = 'y'.repeat(2_000);
    assert.equal(ecsError('ERROR', long)?.message, long.slice(0, 512));
    assert.equal(ecsError('WARN', trace), undefined, 'only error lines');
    const noMessage = enrich({ logTimestamp: TS, severity: 'ERROR' });
    assert.equal(noMessage.kind === 'document' && sourceOf(noMessage).error, undefined);
  });

  it('builds each document from its own fields, whatever entries came before', () => {
    const pods = Array.from({ length: 40 }, (_, i) => `pod-${i}`);
    const entries: RawLogEntry[] = pods.flatMap((podName, i) => [
      { logTimestamp: TS + i, severity: 'INFO', logMessage: `a${i}`, podName, bundleName: 'b' },
      { logTimestamp: TS + i, severity: 'INFO', logMessage: `b${i}`, podName, bundleVersion: '1' },
      { logTimestamp: TS + i, severity: 'ERROR', logMessage: `c${i}`, podName, logType: 'USER' },
      { logTimestamp: TS + i, logMessage: `d${i}`, podName: i % 2 === 0 ? podName : undefined },
    ]);
    const shared = new ChunkEnricher(CONTEXT, 3, indexNames('talend'));
    for (const [position, entry] of entries.entries()) {
      const actual = enrich(entry, shared, position);
      assert.deepEqual(actual, enrich(entry, new ChunkEnricher(CONTEXT, 3, indexNames('talend')), position));
    }
  });

  it('leaves the duration out while the execution runs', () => {
    const running = new ChunkEnricher({ ...CONTEXT, finishTimestamp: undefined }, 0, indexNames('talend'));
    const outcome = running.toDocument({ logTimestamp: TS, logMessage: 'x' }, TS, 0);
    assert.equal(outcome.kind === 'document' && sourceOf(outcome).talend.execution.duration_ms, undefined);
  });

  it('fills defaults for a minimal entry', () => {
    const outcome = enrich({ logTimestamp: String(TS) });
    assert.equal(outcome.kind, 'document');
    const document = sourceOf(outcome);
    assert.equal(document.message, '');
    assert.equal(document.log.level, 'unknown');
    assert.deepEqual(document.talend.log, {});
    assert.equal(document.talend.bundle, undefined);
    assert.equal(document.talend.extra, undefined);
    assert.equal(JSON.stringify(document).includes('undefined'), false);
  });

  it('names the monthly index from the UTC month of the timestamp', () => {
    const enricher = new ChunkEnricher(CONTEXT, 0, indexNames('acme'));
    const at = (iso: string) => enricher.toDocument({}, Date.parse(iso), 0) as { index: string };
    assert.equal(at('2021-12-31T23:59:59.999Z').index, 'acme-logs-2021.12');
    assert.equal(at('2022-01-01T00:00:00.000Z').index, 'acme-logs-2022.01');
    assert.equal(at('2021-12-15T00:00:00.000Z').index, 'acme-logs-2021.12');
  });

  it('writes numbers as text and refuses objects in text fields', () => {
    const numeric = enrich({ logTimestamp: TS, podName: 42 as unknown as string });
    assert.equal(numeric.kind === 'document' && sourceOf(numeric).talend.pod?.name, '42');
    assert.deepEqual(enrich({ logTimestamp: TS, logMessage: { text: 'x' } as unknown as string }), {
      kind: 'malformed',
      reason: 'logMessage is not a string',
    });
  });
});

describe('document ids', () => {
  const entry: RawLogEntry = {
    logTimestamp: TS,
    severity: 'INFO',
    logMessage: 'same',
    podName: 'p',
    custom: 1,
  };

  it('do not depend on the chunk, the position or the order of extra fields', () => {
    const a = idOf(enrich(entry, new ChunkEnricher(CONTEXT, 0, indexNames('talend')), 0));
    const b = idOf(enrich({ ...entry }, new ChunkEnricher(CONTEXT, 9, indexNames('other')), 51_234));
    assert.equal(a, b);
    const twoExtras = { logTimestamp: TS, x: 1, y: 2 };
    const reversed = { y: 2, logTimestamp: TS, x: 1 };
    assert.equal(idOf(enrich(twoExtras)), idOf(enrich(reversed)));
  });

  it('give identical entries of one chunk distinct ids, the same in any chunking', () => {
    const run = (entries: RawLogEntry[]) => {
      const enricher = new ChunkEnricher(CONTEXT, 0, indexNames('talend'));
      return entries.map((item, i) => idOf(enrich(item, enricher, i)));
    };
    const before = { ...entry, logTimestamp: TS - 1, logMessage: 'earlier' };
    const after = { ...entry, logTimestamp: TS + 1, logMessage: 'later' };
    const whole = run([before, entry, entry, entry, after]);
    assert.equal(new Set(whole).size, 5);
    // Another run cut the file elsewhere: the copies of one timestamp stay together in one chunk.
    const first = run([before]);
    const second = run([entry, entry, entry, after]);
    assert.deepEqual([...first, ...second], whole);
  });

  it('differ between executions and between contents', () => {
    const other = new ChunkEnricher({ ...CONTEXT, executionId: 'another' }, 0, indexNames('talend'));
    assert.notEqual(idOf(enrich(entry)), idOf(enrich(entry, other)));
    assert.notEqual(idOf(enrich(entry)), idOf(enrich({ ...entry, logMessage: 'Same' })));
    assert.notEqual(idOf(enrich(entry)), idOf(enrich({ ...entry, custom: 2 })));
    assert.notEqual(idOf(enrich(entry)), idOf(enrich({ ...entry, logTimestamp: TS + 1 })));
  });

  it('hash the identity, and the occurrence only for repeats', () => {
    const fields = {
      severity: '"INFO"',
      logType: 'null',
      bundleName: 'null',
      bundleVersion: 'null',
      podName: 'null',
    };
    const identity = entryIdentity('"e"', TS, {
      ...fields,
      logMessage: '"x"',
      extra: serializeExtra({ b: 1, a: 2 }),
    });
    assert.deepEqual(JSON.parse(identity), ['e', TS, 'INFO', null, null, null, null, 'x', { a: 2, b: 1 }]);
    assert.equal(documentId(identity), documentId(identity, 0));
    assert.notEqual(documentId(identity), documentId(identity, 1));
    assert.notEqual(documentId(identity, 1), documentId(identity, 2));
  });

  it('hash entryIdentity, however timestamps repeat and whatever the message size', () => {
    const enricher = new ChunkEnricher(CONTEXT, 0, indexNames('talend'));
    const entries: RawLogEntry[] = [
      { logTimestamp: TS, severity: 'INFO', logMessage: 'a', podName: 'p' },
      { logTimestamp: TS, severity: 'WARN', logMessage: 'b', custom: { z: 1, a: [2] } },
      { logTimestamp: TS + 1, logMessage: 'short' },
      { logTimestamp: TS + 1, logMessage: 'x'.repeat(40_000) },
      { logTimestamp: TS + 1, severity: 'INFO' },
      { logTimestamp: TS, severity: 'INFO', logMessage: 'back in time' },
      { logTimestamp: TS + 0.5, severity: 'INFO', logMessage: 'fractional milliseconds' },
    ];
    const json = (value: unknown) => (value === undefined ? undefined : JSON.stringify(value));
    for (const [position, entry] of entries.entries()) {
      const { logTimestamp, severity, logMessage, logType, bundleName, bundleVersion, podName, ...extra } =
        entry;
      const timestampMs = entryTimestamp(logTimestamp)!;
      const identity = entryIdentity(JSON.stringify(CONTEXT.executionId), timestampMs, {
        severity: json(severity),
        logType: json(logType),
        bundleName: json(bundleName),
        bundleVersion: json(bundleVersion),
        podName: json(podName),
        logMessage: json(logMessage),
        extra: Object.keys(extra).length === 0 ? undefined : serializeExtra(extra),
      });
      assert.equal(
        idOf(enricher.toDocument(entry, timestampMs, position)),
        documentId(identity),
        `entry ${position}`,
      );
    }
  });

  it('stay what earlier versions gave, so that a re-run overwrites instead of duplicating', () => {
    const enricher = new ChunkEnricher(CONTEXT, 3, indexNames('talend'));
    const line = {
      logTimestamp: TS,
      severity: 'INFO',
      logMessage: 'Row 1 written to Zürich',
      logType: 'USER',
      bundleName: 'org.talend.job',
      bundleVersion: '8.0.1',
      podName: 'pod-7',
    };
    const entries: RawLogEntry[] = [
      line,
      { ...line },
      {
        logTimestamp: TS + 1,
        severity: 'ERROR',
        logMessage: 'java.sql.SQLException: refused\n\tat x',
        logType: 'SYSTEM',
        podName: 'pod-8',
        threadName: 'main',
      },
      { logTimestamp: TS + 2, logMessage: 'no severity' },
    ];
    const outcomes = entries.map((entry, position) => enrich(entry, enricher, position));
    assert.deepEqual(outcomes.map(idOf), [
      'wrKO_flUMmpFJYcbEiMkpERrNlw',
      '-37E563ujXBsmDNKSEuJ1Sv06gA',
      'cbMTALA_7FVyCbtTbUB2DMecLHI',
      'Ykk21rbVtGtzJDXzSQyI4RNStiI',
    ]);
    const CONTEXT_JSON = `,"event":{"kind":"event","module":"talend","dataset":"talend.execution"},"agent":{"type":"talend-logs-es","version":"${VERSION}"},"ecs":{"version":"8.11.0"},"talend":{"task":{"id":"task-1","name":"Load customers"},"execution":{"id":"0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d","status":"execution_successful","type":"SCHEDULED","trigger_time":"2021-09-01T07:00:00Z","start_time":"2021-09-01T07:00:01Z","finish_time":"2021-09-01T07:05:00Z","duration_ms":299000},"workspace":{"id":"ws-1","name":"Personal"},"environment":{"id":"env-1","name":"prod"},"runtime":{"type":"REMOTE_ENGINE","id":"re-1","engine_id":"eng-1"}`;
    const json = (outcome: EnrichOutcome) =>
      outcome.kind === 'document' ? sourceJson(outcome) : outcome.reason;
    assert.equal(
      json(outcomes[0]!),
      `{"@timestamp":"2021-09-01T07:01:45.123Z","message":"Row 1 written to Zürich","log":{"level":"info"}${CONTEXT_JSON},"log":{"type":"USER"},"bundle":{"name":"org.talend.job","version":"8.0.1"},"pod":{"name":"pod-7"},"position":{"chunk":3,"line":0}}}`,
    );
    assert.equal(
      json(outcomes[2]!),
      `{"@timestamp":"2021-09-01T07:01:45.124Z","message":"java.sql.SQLException: refused\\n\\tat x","error":{"message":"java.sql.SQLException: refused","stack_trace":"java.sql.SQLException: refused\\n\\tat x"},"log":{"level":"error"}${CONTEXT_JSON},"log":{"type":"SYSTEM"},"pod":{"name":"pod-8"},"error":{"message":"java.sql.SQLException: refused"},"position":{"chunk":3,"line":2},"extra":{"threadName":"main"}}}`,
    );
  });
});

describe('OccurrenceCounter', () => {
  it('counts repeats and forgets them when sorted timestamps move on', () => {
    const counter = new OccurrenceCounter();
    assert.equal(counter.next(1, 'a'), 0);
    assert.equal(counter.next(1, 'a'), 1);
    assert.equal(counter.next(1, 'b'), 0);
    assert.equal(counter.size, 2);
    for (let ts = 2; ts < 10_000; ts++) counter.next(ts, `line-${ts}`);
    assert.equal(counter.size, 1);
  });

  it('also forgets on descending input, and keeps everything once the order breaks', () => {
    const descending = new OccurrenceCounter();
    for (let ts = 1000; ts > 0; ts--) descending.next(ts, 'x');
    assert.equal(descending.size, 1);

    const unordered = new OccurrenceCounter();
    unordered.next(5, 'a');
    unordered.next(6, 'b');
    unordered.next(4, 'c');
    unordered.next(6, 'b');
    assert.equal(unordered.next(6, 'b'), 2);
    assert.equal(unordered.size, 2);
  });
});
