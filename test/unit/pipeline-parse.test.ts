import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { decodeBody } from '../../src/pipeline/download/decode.ts';
import {
  DecodeError,
  UnreadableLogError,
  TruncatedLogError,
  UnsupportedEncodingError,
} from '../../src/pipeline/errors.ts';
import { classifyHead } from '../../src/pipeline/parse/detect-shape.ts';
import { parseLog } from '../support/parsed-log.ts';
import type { ParsedLine } from '../../src/pipeline/parse/parsed-line.ts';
import type { LogFileFormat } from '../../src/contracts/talend-api.ts';

/** The bytes, cut into pieces of `size` bytes: size 1 splits every multi-byte character. */
function bytes(content: string | Buffer, size = 64 * 1024): Readable {
  const buffer = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const pieces: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += size) pieces.push(buffer.subarray(i, i + size));
  return Readable.from(pieces, { objectMode: false });
}

async function parse(content: string | Buffer | Readable, fileFormat: LogFileFormat = 'JSON', size?: number) {
  const stream = content instanceof Readable ? content : bytes(content, size);
  const out: ParsedLine[] = [];
  for await (const batch of parseLog(stream, { fileFormat })) out.push(...batch);
  return out;
}

function entries(lines: ParsedLine[]) {
  return lines.map((line) => (line.kind === 'entry' ? line.entry : line));
}

const A = { logTimestamp: 1630479705123, severity: 'INFO', logMessage: 'first' };
const B = { logTimestamp: 1630479705124, severity: 'WARN', logMessage: 'second', extraField: { x: 1 } };
const UNICODE = 'Zürich 東京 😀 𝄞 — ok';

describe('shape detection', () => {
  const head = (text: string, final = true, format: LogFileFormat = 'JSON') =>
    classifyHead(Buffer.from(text), format, final);

  it('tells arrays, wrapped objects, JSON Lines, empty and text apart', () => {
    assert.equal(head('[{"a":1}]'), 'array');
    assert.equal(head('\uFEFF \n\t [ ]'), 'array');
    assert.equal(head('{"data":[{"a":1}]}'), 'wrapped');
    assert.equal(head('{\n  "data" : [\n'), 'wrapped');
    assert.equal(head('{"size":2,"totalSize":2,"data":[]}'), 'wrapped');
    assert.equal(head('{"logTimestamp":1,"logMessage":"x"}\n{"logTimestamp":2}'), 'jsonl');
    assert.equal(head('{"data":"not an array"}'), 'jsonl');
    assert.equal(head(''), 'empty');
    assert.equal(head('\uFEFF  \r\n'), 'empty');
    assert.equal(head('2021-09-01T07:01:45Z INFO x', true, 'TEXT'), 'text');
  });

  it('reads an object as wrapping the entries when a member of its own is an array of objects', () => {
    const before = '{"count":2,"meta":{"columns":[{"name":"x"}]},"warnings":[],"notes":["a"],';
    assert.equal(head(`${before}"entries":[{"logTimestamp":1}]}`), 'wrapped');
    assert.equal(head(`${before}"entries":[ \n {`, false), 'wrapped', 'decided as soon as it is seen');
    assert.equal(head(before, false), undefined, 'nested arrays of objects do not count');
    assert.equal(head('{"size":0,"items":[]}'), 'wrapped', 'an empty file of entries');
    assert.equal(head('{"logTimestamp":1,"tags":[{"k":"v"}]}'), 'jsonl', 'an entry with an array of objects');
    assert.equal(head('{"severity":"INFO","list":[]}\n{"severity":"WARN"}'), 'jsonl', 'a value follows');
    assert.equal(head('{"severity":"INFO","list":[]}', false), undefined);
    assert.equal(head('{"a":"[{\\"x\\"",', false), undefined, 'brackets inside strings do not count');
  });

  it('reads only a clear JSON head as JSON', () => {
    assert.equal(head('[\n  {"logTimestamp":1}'), 'array');
    assert.equal(head('[', false), undefined);
    assert.equal(head('{main}', true, 'TEXT'), 'text');
    assert.equal(head('[1,2,3]', true, 'TEXT'), 'text');
    assert.equal(head('[1,2,3]', true, 'JSON'), 'array', 'JSON was asked for: read as JSON, then judged');
    assert.equal(head('{ broken', true, 'JSON'), 'jsonl');
  });

  it('waits for more bytes while the first key is cut short', () => {
    assert.equal(head('{"da', false), undefined);
    assert.equal(head('{"data":', false), undefined);
    assert.equal(head('   ', false), undefined);
    assert.equal(head('{"data":', true), 'jsonl');
  });

  it('refuses a non-JSON file when JSON was asked for, quoting its first bytes', () => {
    assert.throws(
      () => head('<html><body>Access denied</body></html>'),
      (error: unknown) =>
        error instanceof UnreadableLogError && /starts with "<html><body>Access denied/.test(error.message),
    );
  });
});

describe('JSON parsing', () => {
  it('reads a top-level array, keeping unknown fields', async () => {
    const lines = await parse(JSON.stringify([A, B], null, 2));
    assert.deepEqual(lines, [
      { kind: 'entry', entry: A, position: 0 },
      { kind: 'entry', entry: B, position: 1 },
    ]);
  });

  it('reads the array wrapped in {"data": [...]} and in a page-like object', async () => {
    assert.deepEqual(entries(await parse(JSON.stringify({ data: [A, B] }))), [A, B]);
    assert.deepEqual(
      entries(await parse(JSON.stringify({ size: 2, totalSize: 2, data: [A, B], nextIndex: 2 }))),
      [A, B],
    );
  });

  it('reads the entries of an object under any key, skipping every other member', async () => {
    const document = {
      size: 3,
      columns: [{ name: 'logTimestamp' }, { name: 'logMessage' }],
      meta: { columns: [{ name: 'x' }], nested: { data: [A] } },
      warnings: [],
      notes: ['a', 'b'],
      matrix: [[A]],
      logs: [A, 7, B],
      later: [{ logTimestamp: 9 }],
      nextIndex: 3,
    };
    for (const size of [1, 7, 64 * 1024]) {
      const lines = await parse(JSON.stringify(document, null, size === 7 ? 2 : undefined), 'JSON', size);
      assert.deepEqual(
        lines.map((line) => [line.kind, line.position]),
        [
          ['entry', 0],
          ['malformed', 1],
          ['entry', 2],
        ],
      );
      assert.deepEqual(
        [lines[0], lines[2]].map((line) => (line as { entry: unknown }).entry),
        [A, B],
      );
    }
  });

  it('fails an object whose arrays of objects hold no entries, rather than reading it as empty', async () => {
    await assert.rejects(parse('{"items":[{"ts":1},{"ts":2}],"meta":[{"a":1}]}'), (error: unknown) => {
      assert.ok(error instanceof UnreadableLogError, String(error));
      assert.match(error.message, /arrays of objects \("items", "meta"\) but none of entries/);
      return true;
    });
    assert.deepEqual(await parse('{"size":0,"logs":[],"notes":["x"]}'), []);
  });

  it('streams the entries of a wrapped file before the file ends', async () => {
    let sent = 0;
    async function* endless() {
      yield Buffer.from('{"total":1000000,"info":{"a":1},"rows":[');
      for (;;) yield Buffer.from(`${sent++ === 0 ? '' : ','}${JSON.stringify(A)}`);
    }
    const read: ParsedLine[] = [];
    for await (const batch of parseLog(Readable.from(endless(), { objectMode: false }), {
      fileFormat: 'JSON',
    })) {
      read.push(...batch);
      if (read.length >= 1000) break;
    }
    assert.ok(sent < 5000, `${sent} entries read ahead`);
    assert.deepEqual((read[999] as { entry: unknown }).entry, A);
  });

  it('reads JSON Lines, with CRLF and blank lines', async () => {
    const lines = await parse(`${JSON.stringify(A)}\r\n\r\n${JSON.stringify(B)}\n\n`);
    assert.deepEqual(lines, [
      { kind: 'entry', entry: A, position: 0 },
      { kind: 'entry', entry: B, position: 1 },
    ]);
  });

  it('reports a bad JSON line and goes on with the next', async () => {
    const lines = await parse(`${JSON.stringify(A)}\n{"logTimestamp": 12, oops\n42\n${JSON.stringify(B)}\n`);
    assert.equal(lines.length, 4);
    assert.deepEqual(lines[0], { kind: 'entry', entry: A, position: 0 });
    assert.equal(lines[1]!.kind, 'malformed');
    assert.equal(lines[1]!.position, 1);
    assert.match((lines[1] as { reason: string }).reason, /^invalid JSON: /);
    assert.equal((lines[1] as { raw: string }).raw, '{"logTimestamp": 12, oops');
    assert.deepEqual(lines[2], {
      kind: 'malformed',
      position: 2,
      reason: 'entry is not a JSON object (got number)',
      raw: '42',
    });
    assert.deepEqual(lines[3], { kind: 'entry', entry: B, position: 3 });
  });

  it('reports an element of an array that is not an object', async () => {
    const lines = await parse(JSON.stringify([A, 7, 'x', null, B]));
    assert.deepEqual(
      lines.map((line) => [line.kind, line.position]),
      [
        ['entry', 0],
        ['malformed', 1],
        ['malformed', 2],
        ['malformed', 3],
        ['entry', 4],
      ],
    );
  });

  it('turns a syntax error inside an array into one malformed record and ends', async () => {
    const text = `[${JSON.stringify(A)},${JSON.stringify(B)},{"logTimestamp": 3, "logMessage": "cut" ]`;
    const lines = await parse(text, 'JSON', 7);
    assert.equal(lines.length, 3);
    const broken = lines[2]!;
    assert.equal(broken.kind, 'malformed');
    assert.equal(broken.position, 2);
    assert.match(
      (broken as { reason: string }).reason,
      /broken JSON array after entry 2, within the first \d+ bytes: Parser/,
    );
  });

  it('reports a truncated wrapped document as cut short, to be downloaded again', async () => {
    await assert.rejects(parse(`{"data":[${JSON.stringify(A)},${JSON.stringify(B)}`), TruncatedLogError);
  });

  it('yields nothing for an empty or blank file', async () => {
    assert.deepEqual(await parse(''), []);
    assert.deepEqual(await parse(' \n \n'), []);
    assert.deepEqual(await parse('[]'), []);
    assert.deepEqual(await parse('{"data":[]}'), []);
  });

  for (const [shape, render] of [
    ['array', (list: object[]) => JSON.stringify(list)],
    ['wrapped', (list: object[]) => JSON.stringify({ data: list })],
    ['jsonl', (list: object[]) => list.map((item) => JSON.stringify(item)).join('\n')],
  ] as const) {
    it(`keeps Unicode intact when every byte arrives alone (${shape})`, async () => {
      const list = [
        { ...A, logMessage: UNICODE },
        { ...B, logMessage: `${UNICODE}\nsecond line 😀` },
      ];
      const lines = await parse(render(list), 'JSON', 1);
      assert.deepEqual(entries(lines), list);
    });

    it(`reads a 1 MB message (${shape})`, async () => {
      const big = `${'x'.repeat(512 * 1024)}😀${'y'.repeat(512 * 1024)}`;
      const list = [{ ...A, logMessage: big }, B];
      const lines = await parse(render(list), 'JSON', 1000);
      assert.deepEqual(entries(lines), list);
    });
  }

  it('throws, rather than reporting a malformed line, when the download itself fails', async () => {
    const failure = new Error('socket hang up');
    async function* broken() {
      yield Buffer.from(`[${JSON.stringify(A)},`);
      throw failure;
    }
    await assert.rejects(parse(Readable.from(broken(), { objectMode: false })), (error) => error === failure);
  });
});

describe('TEXT parsing', () => {
  it('reads timestamped lines and appends continuation lines to the previous message', async () => {
    const text = [
      '2021-09-01T07:01:45.123Z INFO  [org.talend.bundle] Job started',
      '2021-09-01 07:01:46,5 ERROR [worker] Boom',
      'java.lang.IllegalStateException: bad',
      '\tat org.talend.Foo.bar(Foo.java:12)',
      '',
      '2021-09-01T07:01:47+02:00 WARN no bundle here',
      '2021-09-01 07:01:48 plain message without level',
      '',
    ].join('\r\n');
    const lines = await parse(text, 'TEXT', 3);
    assert.deepEqual(entries(lines), [
      {
        logTimestamp: Date.UTC(2021, 8, 1, 7, 1, 45, 123),
        severity: 'INFO',
        bundleName: 'org.talend.bundle',
        logMessage: 'Job started',
      },
      {
        logTimestamp: Date.UTC(2021, 8, 1, 7, 1, 46, 500),
        severity: 'ERROR',
        bundleName: 'worker',
        logMessage: 'Boom\njava.lang.IllegalStateException: bad\n\tat org.talend.Foo.bar(Foo.java:12)',
      },
      { logTimestamp: Date.UTC(2021, 8, 1, 5, 1, 47), severity: 'WARN', logMessage: 'no bundle here' },
      { logTimestamp: Date.UTC(2021, 8, 1, 7, 1, 48), logMessage: 'plain message without level' },
    ]);
    assert.deepEqual(
      lines.map((line) => line.position),
      [0, 1, 2, 3],
    );
  });

  it('reports text before the first timestamped line as one malformed record', async () => {
    const lines = await parse('header line\nsecond header\n2021-09-01T07:01:45Z INFO ok 😀\n', 'TEXT', 1);
    assert.deepEqual(lines, [
      {
        kind: 'malformed',
        position: 0,
        reason: 'text before the first timestamped line',
        raw: 'header line\nsecond header',
      },
      {
        kind: 'entry',
        position: 1,
        entry: { logTimestamp: Date.UTC(2021, 8, 1, 7, 1, 45), severity: 'INFO', logMessage: 'ok 😀' },
      },
    ]);
  });

  it('reads bracketed timestamps, the level after the thread, and keeps stack traces with their entry', async () => {
    const text = [
      '[2024-01-01 12:00:00,123] INFO [main] Job started',
      '[2024-01-01 12:00:01.000Z] ERROR [main] Boom',
      'java.lang.IllegalStateException: bad',
      '\tat org.talend.Foo.bar(Foo.java:12)',
      'Caused by: java.io.IOException: disk full',
      '    at java.io.FileOutputStream.write(FileOutputStream.java:326)',
      '\t... 3 more',
      '[main] INFO a line without a timestamp continues the message',
      '2024-01-01 12:00:02,5 [worker-1] WARN  org.talend.X - level after the thread',
      '2024-01-01 12:00:03 INFO [b] ERROR is part of this message',
    ].join('\n');
    const lines = await parse(text, 'TEXT', 5);
    assert.deepEqual(entries(lines), [
      {
        logTimestamp: Date.UTC(2024, 0, 1, 12, 0, 0, 123),
        severity: 'INFO',
        bundleName: 'main',
        logMessage: 'Job started',
      },
      {
        logTimestamp: Date.UTC(2024, 0, 1, 12, 0, 1),
        severity: 'ERROR',
        bundleName: 'main',
        logMessage: text
          .split('\n')
          .slice(1, 8)
          .join('\n')
          .replace('[2024-01-01 12:00:01.000Z] ERROR [main] ', ''),
      },
      {
        logTimestamp: Date.UTC(2024, 0, 1, 12, 0, 2, 500),
        severity: 'WARN',
        bundleName: 'worker-1',
        logMessage: 'org.talend.X - level after the thread',
      },
      {
        logTimestamp: Date.UTC(2024, 0, 1, 12, 0, 3),
        severity: 'INFO',
        bundleName: 'b',
        logMessage: 'ERROR is part of this message',
      },
    ]);
  });

  it('never reads a text log as JSON because a line starts with a bracket', async () => {
    const text = '[main] INFO starting\n2024-01-01T12:00:00Z INFO [main] first entry\n';
    assert.equal(classifyHead(Buffer.from(text), 'TEXT', true), 'text');
    assert.equal(classifyHead(Buffer.from('[2024-01-01 12:00:00] INFO x'), 'TEXT', true), 'text');
    assert.equal(classifyHead(Buffer.from('{main} INFO x'), 'TEXT', true), 'text');
    const lines = await parse(text, 'TEXT');
    assert.deepEqual(
      lines.map((line) => line.kind),
      ['malformed', 'entry'],
    );
    await assert.rejects(parse(text, 'JSON'), UnreadableLogError);
  });

  it('still reads JSON when TEXT was asked for but JSON came', async () => {
    assert.deepEqual(entries(await parse(JSON.stringify([A]), 'TEXT')), [A]);
  });
});

describe('a file that is no log', () => {
  const unreadable = (records: number) => (error: unknown) => {
    assert.ok(error instanceof UnreadableLogError, String(error));
    assert.equal(error.context.records, records);
    assert.doesNotMatch(error.message, /\p{Cc}/u, 'no control characters in the message');
    return true;
  };

  it('fails once when no line of a JSON Lines head parses, quoting its start', async () => {
    const garbage = Array.from({ length: 5000 }, (_, i) => `{"logTimestamp": oops ${i}`).join('\n');
    await assert.rejects(parse(`${garbage}\n${JSON.stringify(A)}\n`), (error: unknown) => {
      assert.ok(unreadable(100)(error));
      assert.match((error as Error).message, /starts with "\{\\"logTimestamp\\": oops 0"/);
      assert.match(String((error as UnreadableLogError).context.firstProblem), /^invalid JSON/);
      return true;
    });
  });

  it('fails once for JSON objects that are not entries, however few', async () => {
    await assert.rejects(parse('{"error":"AccessDenied","message":"Request has expired"}'), unreadable(1));
    await assert.rejects(parse('[{"a":1},{"b":2}]'), unreadable(2));
    await assert.rejects(parse('[1,2,3]'), unreadable(3));
  });

  it('fails once for a TEXT file without a timestamped line, holding at most a bounded head', async () => {
    const page = `<html>\n${'<p>Service unavailable</p>\n'.repeat(20_000)}</html>\n`;
    await assert.rejects(parse(page, 'TEXT', 4096), (error: unknown) => {
      assert.ok(error instanceof UnreadableLogError, String(error));
      assert.ok(Number(error.context.bytesRead) < 2 * 1024 * 1024, `${error.context.bytesRead} bytes read`);
      assert.match(error.message, /starts with "<html> <p>Service unavailable/);
      return true;
    });
    const binary = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919 + 13) % 256));
    await assert.rejects(parse(binary, 'TEXT'), UnreadableLogError);
    await assert.rejects(parse(binary, 'JSON'), UnreadableLogError);
  });

  it('still dead-letters the broken lines of a head that holds an entry', async () => {
    const broken = Array.from({ length: 99 }, (_, i) => `{ broken ${i}`);
    const lines = await parse(`${broken.join('\n')}\n${JSON.stringify(A)}\n{ broken again\n`);
    assert.equal(lines.length, 101);
    assert.equal(lines.filter((line) => line.kind === 'malformed').length, 100);
    assert.deepEqual(lines[99], { kind: 'entry', entry: A, position: 99 });
    await assert.rejects(parse(`${broken.join('\n')}\n{ one more\n${JSON.stringify(A)}\n`), unreadable(100));
  });
});

describe('decoding', () => {
  const payload = JSON.stringify([A, { ...B, logMessage: UNICODE }]);

  for (const [encoding, compress] of [
    ['gzip', gzipSync],
    ['x-gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const) {
    it(`undoes ${encoding}`, async () => {
      const decoded = decodeBody(bytes(compress(payload), 5), encoding);
      assert.deepEqual(entries(await parse(decoded)), [A, { ...B, logMessage: UNICODE }]);
    });
  }

  it('undoes stacked encodings last first, and passes identity through', async () => {
    const twice = brotliCompressSync(gzipSync(payload));
    assert.equal(entries(await parse(decodeBody(bytes(twice), 'gzip, br'))).length, 2);
    assert.equal(entries(await parse(decodeBody(bytes(payload), 'identity'))).length, 2);
    assert.equal(entries(await parse(decodeBody(bytes(payload), undefined))).length, 2);
  });

  it('refuses an unknown encoding', () => {
    assert.throws(() => decodeBody(bytes(payload), 'compress'), UnsupportedEncodingError);
  });

  it('reports corrupt or truncated compressed data as a retryable DecodeError', async () => {
    const zipped = gzipSync(payload);
    await assert.rejects(
      parse(decodeBody(bytes(zipped.subarray(0, zipped.length - 20)), 'gzip')),
      (error: unknown) => {
        assert.ok(error instanceof DecodeError);
        assert.equal(error.context.retryable, true);
        return true;
      },
    );
    await assert.rejects(parse(decodeBody(bytes(zipped.subarray(0, 30), 1))), DecodeError);
  });

  it('recognizes gzip by its bytes, without Content-Encoding and read a byte at a time', async () => {
    const expected = [A, { ...B, logMessage: UNICODE }];
    assert.deepEqual(entries(await parse(decodeBody(bytes(gzipSync(payload), 1)))), expected);
    assert.deepEqual(entries(await parse(decodeBody(bytes(gzipSync(payload)), 'identity'))), expected);
  });

  it('does not decode twice a body declared gzip that something upstream already decoded', async () => {
    const expected = [A, { ...B, logMessage: UNICODE }];
    assert.deepEqual(entries(await parse(decodeBody(bytes(payload, 1), 'gzip'))), expected);
    assert.deepEqual(entries(await parse(decodeBody(bytes(payload), 'x-gzip'))), expected);
  });

  it('undoes a gzipped file served with Content-Encoding: gzip, and passes tiny bodies through', async () => {
    const twice = gzipSync(gzipSync(payload));
    assert.equal(entries(await parse(decodeBody(bytes(twice, 3), 'gzip'))).length, 2);
    assert.deepEqual(await parse(decodeBody(bytes(''), 'gzip')), []);
    assert.deepEqual(await parse(decodeBody(bytes(' '))), [], 'a body of one byte');
  });
});

describe('a file cut short', () => {
  const collect = async (text: string, fileFormat: 'JSON' | 'TEXT', truncated: 'retry' | 'dead-letter') => {
    const lines = [];
    for await (const batch of parseLog(Readable.from([Buffer.from(text)]), { fileFormat, truncated }))
      lines.push(...batch);
    return lines;
  };

  it('is a retryable TruncatedLogError, for arrays, wrapped arrays and JSON Lines', async () => {
    for (const text of [
      '[{"logTimestamp":1,"logMessage":"a"},{"logTimestamp":2,"logMe',
      '{"data":[{"logTimestamp":1,"logMessage":"a"}',
      '{"logTimestamp":1,"logMessage":"a"}\n{"logTimestamp":2,"logMe',
    ]) {
      await assert.rejects(collect(text, 'JSON', 'retry'), (error: unknown) => {
        assert.ok(error instanceof TruncatedLogError, String(error));
        assert.equal(error.context.retryable, true);
        return true;
      });
    }
  });

  it('keeps what was read and dead-letters the tail on the last attempt', async () => {
    const lines = await collect(
      '{"logTimestamp":1,"logMessage":"a"}\n{"logTimestamp":2,"logMe',
      'JSON',
      'dead-letter',
    );
    assert.deepEqual(
      lines.map((line) => line.kind),
      ['entry', 'malformed'],
    );
  });

  it('is not confused with a bad line in the middle, or a last line that only lacks its newline', async () => {
    const middle = await collect('{"logTimestamp":1}\n{broken\n{"logTimestamp":3}', 'JSON', 'retry');
    assert.deepEqual(
      middle.map((line) => line.kind),
      ['entry', 'malformed', 'entry'],
    );
    const array = await collect('[{"logTimestamp":1} x {"logTimestamp":2}]', 'JSON', 'retry');
    assert.equal(array.at(-1)?.kind, 'malformed');
  });
});
