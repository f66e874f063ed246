import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { decodeBody } from '../../src/pipeline/download/decode.ts';
import {
  DecodeError,
  NotALogFileError,
  TruncatedLogError,
  UnsupportedEncodingError,
} from '../../src/pipeline/errors.ts';
import { classifyHead } from '../../src/pipeline/parse/detect-shape.ts';
import { parseLog } from '../../src/pipeline/parse/parse-log.ts';
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
        error instanceof NotALogFileError && /starts with "<html><body>Access denied/.test(error.message),
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

  it('still reads JSON when TEXT was asked for but JSON came', async () => {
    assert.deepEqual(entries(await parse(JSON.stringify([A]), 'TEXT')), [A]);
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
