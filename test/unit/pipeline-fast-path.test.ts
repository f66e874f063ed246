/**
 * The fast path (entries sliced by their layout, documents joined from the slices) against the object
 * path (JSON.parse, then JSON.stringify of each field): the same records, positions, documents and
 * `_id`s, whatever the file's shape and however its bytes are cut, and the object path wherever the
 * fast path must not vouch for an entry.
 */
import { indexNames } from '../../src/config/index-names.ts';
import { sourceBytes, sourceJson } from '../support/enriched-document.ts';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import type { RawLogEntry } from '../../src/contracts/talend-api.ts';
import { ChunkEnricher } from '../../src/pipeline/enrich/chunk-enricher.ts';
import { entryTimestamp } from '../../src/pipeline/enrich/timestamp.ts';
import { readLog } from '../../src/pipeline/parse/parse-log.ts';
import type { LogRecord } from '../../src/pipeline/parse/parsed-line.ts';
import {
  bulkBody,
  bulkIndexLines,
  LineSlabs,
  storeIndexAction,
  type StoredLines,
} from '../../src/store/bulk-request.ts';

const CONTEXT = {
  taskId: 'task-1',
  taskName: 'Tâche «1»',
  executionId: 'exec-1',
  status: 'execution_successful',
};
const TS = Date.UTC(2024, 4, 17, 2, 0, 0);

/** Entries written the usual way, with the odd extra field, Unicode, escapes, errors and repeats. */
function usualEntries(count: number): RawLogEntry[] {
  const messages = [
    'Start to work.',
    'Client « Société Générale » mis à jour 😀',
    'java.sql.SQLException: boom\n\tat Job.run(Job.java:12)\n\tat Job.main(Job.java:3)',
    'quote " backslash \\ control \u0001 tab\t',
    '顧客データ 12 件を読み込みました。',
    'trailing space before newline \nsecond line',
  ];
  return Array.from({ length: count }, (_, i) => {
    const entry: RawLogEntry = {
      logTimestamp: TS + Math.floor(i / 3),
      severity: ['INFO', 'ERROR', 'WARN', 'FATAL', 'DEBUG'][i % 5],
      logMessage: messages[i % messages.length],
      logType: i % 4 === 0 ? 'SYSTEM' : 'USER',
      bundleName: 'org.talend.job',
      bundleVersion: '0.1.0',
      podName: `pod-${i % 3}`,
    };
    if (i % 7 === 0) entry.threadName = 'main';
    if (i % 11 === 0) Object.assign(entry, { zeta: 1, alpha: true, middle: null });
    return entry;
  });
}

/** Entries the fast path must leave to JSON.parse, or that must come out exactly as JSON.parse reads them. */
const UNUSUAL_LINES = [
  '{"logTimestamp":1715911200000,"severity":"INFO","logMessage":"slash \\/ and \\u00e9 escaped"}',
  '{"logTimestamp":"2024-05-17T02:00:00.123Z","severity":"INFO","logMessage":"ISO timestamp"}',
  '{"logTimestamp":1715911200000.5,"severity":"INFO","logMessage":"fractional timestamp"}',
  '{"logTimestamp":1715911200000,"podName":42,"logMessage":"numeric pod"}',
  '{"logTimestamp":1715911200000,"podName":null,"logMessage":"null pod"}',
  '{"logTimestamp":1715911200000,"nested":{"a":[1,2]},"logMessage":"nested extra"}',
  '{"logTimestamp":1715911200000,"logMessage":"first","logMessage":"duplicate key"}',
  '{"logTimestamp":1715911200000,"__proto__":{"x":1},"logMessage":"proto key"}',
  '{"logTimestamp":1715911200000,"2":"b","1":"a","logMessage":"index keys"}',
  '{"logTimestamp":1715911200000,"big":12345678901234567890,"logMessage":"big number"}',
  '{ "logTimestamp" : 1715911200000 , "logMessage" : "spaced out" }',
  '{"logTimestamp":1715911200000,"logMessage":"upper-case hex \\u001F"}',
  '{"logMessage":"no timestamp"}',
];

function bytes(text: string, size: number): Readable {
  const buffer = Buffer.from(text, 'utf8');
  const pieces: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) pieces.push(buffer.subarray(i, i + size));
  return Readable.from(pieces, { objectMode: false });
}

async function records(text: string, size = 64 * 1024): Promise<LogRecord[]> {
  const out: LogRecord[] = [];
  for await (const batch of readLog(bytes(text, size), { fileFormat: 'JSON', truncated: 'dead-letter' })) {
    out.push(...batch);
  }
  return out;
}

/** What the pipeline makes of each record, and what the object path makes of the same entry. */
function compareWithObjectPath(read: LogRecord[], lines: string[]) {
  const fast = new ChunkEnricher(CONTEXT, 0, indexNames('talend'));
  const slow = new ChunkEnricher(CONTEXT, 0, indexNames('talend'));
  let scanned = 0;
  for (const [k, record] of read.entries()) {
    assert.equal(record.position, k);
    const object = JSON.parse(lines[k]!) as RawLogEntry;
    if (record.kind === 'malformed') throw new Error(`line ${k} malformed: ${record.reason}`);
    const timestamp = entryTimestamp(object.logTimestamp);
    if (timestamp === undefined) {
      assert.equal(record.kind, 'entry', `line ${k} has no timestamp the fast path could read`);
      continue;
    }
    const expected = slow.toDocument(object, timestamp, k);
    if (record.kind === 'scanned') {
      scanned++;
      assert.deepEqual(record.entry.original().toObject(), object);
      const actual = fast.fromJson(record.entry, k);
      assert.equal(expected.kind, 'document');
      assert.equal(actual.id, expected.kind === 'document' ? expected.id : '', `id of line ${k}`);
      assert.equal(
        sourceBytes(actual),
        expected.kind === 'document' ? sourceBytes(expected) : '',
        `line ${k}`,
      );
    } else {
      assert.deepEqual(record.entry, object);
      const actual = fast.toDocument(record.entry, timestamp, k);
      assert.deepEqual(actual, expected);
    }
  }
  return scanned;
}

describe('the fast path', () => {
  const usual = usualEntries(400).map((entry) => JSON.stringify(entry));

  for (const size of [64 * 1024, 97, 7]) {
    it(`reads JSON Lines as the object path does (reads of ${size} bytes)`, async () => {
      const lines = [...usual, ...UNUSUAL_LINES, ...usual.slice(0, 50)];
      const read = await records(`${lines.join('\n')}\n`, size);
      assert.equal(read.length, lines.length);
      const scanned = compareWithObjectPath(read, lines);
      assert.ok(scanned >= 440, `only ${scanned} lines took the fast path`);
    });

    it(`reads a JSON array as the object path does, unusual entries included (reads of ${size} bytes)`, async () => {
      // stream-json assigns keys, so a `__proto__` key is lost in arrays as it always was.
      const unusual = UNUSUAL_LINES.slice(0, 10).filter((line) => !line.includes('__proto__'));
      const lines = [...usual, ...unusual, ...usual.slice(0, 50)];
      const read = await records(`[\n${lines.join(',\n')}\n]\n`, size);
      assert.equal(read.length, lines.length);
      const scanned = compareWithObjectPath(read, lines);
      assert.ok(scanned >= 390, `only ${scanned} entries took the fast path`);
    });
  }

  it('reads epoch seconds, whole or fractional, at the instant the object path reads', async () => {
    const seconds = usualEntries(60).map((entry, i) =>
      JSON.stringify({
        ...entry,
        logTimestamp:
          i % 2 === 0
            ? Math.floor((entry.logTimestamp as number) / 1000)
            : (entry.logTimestamp as number) / 1000,
      }),
    );
    const read = await records(`${seconds.join('\n')}\n`, 97);
    assert.ok(compareWithObjectPath(read, seconds) >= 20, 'whole seconds take the fast path');
    for (const record of read) {
      const ms =
        record.kind === 'scanned'
          ? record.entry.timestampMs
          : entryTimestamp((record as { entry: RawLogEntry }).entry.logTimestamp);
      assert.ok(ms !== undefined && Math.abs(ms - TS) < 1000, `${ms} is in the second of ${TS}`);
    }
  });

  it('hands a spaced-out array to stream-json from the first entry it cannot slice, positions intact', async () => {
    const lines = [...usual.slice(0, 20), UNUSUAL_LINES[10]!, ...usual.slice(20, 40)];
    const read = await records(`[${lines.join(',')}]`, 1000);
    const kinds = read.map((record) => record.kind);
    // The first entry of each layout is parsed whole, and teaches the layout of the next ones.
    assert.ok(kinds.slice(0, 20).filter((kind) => kind === 'scanned').length >= 15, kinds.join());
    assert.deepEqual(kinds.slice(20), Array(21).fill('entry'));
    compareWithObjectPath(read, lines);
  });

  it('keeps the error reports of stream-json and JSON.parse', async () => {
    const kinds = (read: LogRecord[]) => read.map((record) => record.kind === 'malformed');
    const array = await records(`[${usual[2]},${usual[3]},{"logTimestamp": 3, "logMessage": "cut" ]`, 5);
    assert.equal(array[1]?.kind, 'scanned');
    assert.deepEqual(kinds(array), [false, false, true]);
    assert.equal(array[2]?.position, 2);
    assert.match((array[2] as { reason: string }).reason, /broken JSON array after entry 2/);
    const trailingComma = await records(`[${usual[0]},]`);
    assert.equal(trailingComma.at(-1)?.kind, 'malformed');
    const lines = await records(`${usual[2]}\n{"logTimestamp": 1, oops\n${usual[3]}\n`);
    assert.deepEqual(kinds(lines), [false, true, false]);
    assert.equal(lines[2]?.kind, 'scanned');
  });

  it('leaves bytes that are not valid UTF-8 to the decoder, which replaces them as it always has', async () => {
    const good = Buffer.from(`${usual[0]}\n`);
    const bad = Buffer.from('{"logTimestamp":1715911200000,"logMessage":"bad \xff byte"}\n', 'latin1');
    const read: LogRecord[] = [];
    for await (const batch of readLog(Readable.from([Buffer.concat([good, bad])]), { fileFormat: 'JSON' })) {
      read.push(...batch);
    }
    assert.equal(read[1]?.kind, 'entry');
    assert.equal((read[1] as { entry: RawLogEntry }).entry.logMessage, 'bad \uFFFD byte');
  });
});

/** `text` holds bytes one per character (U+0000 to U+00FF). */
function storeText(slabs: LineSlabs, text: string, target: StoredLines): void {
  slabs.storeBytes(Buffer.from(text, 'latin1'), 0, text.length, target);
}

describe('bulk request lines', () => {
  it('are written into slabs, sent as a view when they lie together, copied when they do not', () => {
    const slabs = new LineSlabs(64);
    const line = (text: string) => {
      const stored = {} as StoredLines;
      storeText(slabs, text, stored);
      return stored;
    };
    const a = line('{"a":1}\n');
    const b = line('{"b":2}\n');
    const body = bulkBody([a, b]);
    assert.equal(body.toString(), '{"a":1}\n{"b":2}\n');
    assert.equal(body.buffer, a.slab.buffer.buffer, 'one run: a view of the slab');
    assert.equal(bulkBody([b, a]).toString(), '{"b":2}\n{"a":1}\n');
    const big = line(`{"text":"${'é'.repeat(20)}"}\n`);
    assert.equal(bulkBody([big]).toString('latin1'), `{"text":"${'é'.repeat(20)}"}\n`);
  });

  it('hold an enriched document as bulkIndexLines writes it, whatever its fields and id', () => {
    const enricher = new ChunkEnricher(CONTEXT, 2, indexNames('talend'));
    const slabs = new LineSlabs(64 * 1024);
    const entries = [
      ...usualEntries(12),
      { logTimestamp: TS, severity: 'ERROR', logMessage: 'cause\nline 2' },
    ];
    for (const [position, entry] of entries.entries()) {
      const document = enricher.toDocument(entry, entryTimestamp(entry.logTimestamp)!, position);
      assert.equal(document.kind, 'document');
      if (document.kind !== 'document') continue;
      for (const id of [document.id, 'needs "escaping" \\ é']) {
        const stored = {} as StoredLines;
        const bytes = storeIndexAction(slabs, document.index, id, document, stored);
        const expected = bulkIndexLines(document.index, id, sourceJson(document));
        assert.equal(bulkBody([stored]).toString('utf8'), expected, `entry ${position}`);
        assert.equal(bytes, Buffer.byteLength(expected));
        assert.equal(stored.end - stored.start, bytes);
      }
    }
  });

  it('reuse a slab once every line in it is released', () => {
    const slabs = new LineSlabs(16);
    const first = {} as StoredLines;
    storeText(slabs, '0123456789\n', first);
    const second = {} as StoredLines;
    storeText(slabs, 'abcdefghij\n', second);
    assert.notEqual(second.slab, first.slab);
    slabs.release(first);
    slabs.release(second);
    const third = {} as StoredLines;
    storeText(slabs, 'ABCDEFGHIJ\n', third);
    assert.equal(third.slab, first.slab, 'the released slab comes back');
  });

  it('keep every released slab: no more are allocated than were ever in use at once', () => {
    const slabs = new LineSlabs(16);
    const fill = () =>
      Array.from({ length: 5 }, (_, i) => {
        const stored = {} as StoredLines;
        storeText(slabs, `line ${i} ...\n`, stored);
        return stored;
      });
    const first = fill();
    const used = new Set(first.map((lines) => lines.slab));
    assert.equal(used.size, 5, 'one slab per line');
    for (const lines of first) slabs.release(lines);
    const again = fill();
    assert.ok(
      again.every((lines) => used.has(lines.slab)),
      'the five lines held at once again take the five slabs allocated before',
    );
  });
});
