import { pipeline, Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { TalendLogsError } from '../../common/errors.ts';
import { DecodeError, UnsupportedEncodingError } from '../errors.ts';

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** Every gzip stream opens with these bytes; no JSON or text log can (0x1f is a control character). */
const GZIP_MAGIC = Buffer.from([0x1f, 0x8b]);

/**
 * Undoes the compression of a downloaded body. Encodings listed in Content-Encoding as `a, b` were
 * applied in that order, so they are undone last first. Gzip is recognized by its first bytes rather
 * than by the headers, which object stores set unreliably: a stored `.gz` file comes as
 * `application/gzip` or `application/octet-stream` without Content-Encoding, while something between
 * us and the store (a proxy, a client that decompresses) may have decoded a body and kept the header.
 * So a declared gzip is undone only if the bytes are gzip, and gzip bytes are undone once more
 * whatever the headers said. Any other unknown encoding is refused: parsing compressed bytes as JSON
 * would dead-letter every line instead of reporting the real problem.
 */
export function decodeBody(body: Readable, contentEncoding?: string): Readable {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  const unknown = codings.find((coding) => DECODERS[coding] === undefined);
  if (unknown !== undefined) {
    body.destroy();
    throw new UnsupportedEncodingError(`Cannot decode a log body with Content-Encoding "${unknown}"`, {
      contentEncoding: unknown,
    });
  }
  let stream = body;
  for (const coding of codings.reverse()) {
    stream = DECODERS[coding] === createGunzip ? gunzipIfGzip(stream) : decodeWith(stream, coding);
  }
  return gunzipIfGzip(stream);
}

/** The stream gunzipped if it starts as gzip does, else as it is; only its first two bytes are awaited. */
function gunzipIfGzip(source: Readable): Readable {
  return Readable.from(sniffGzip(source), { objectMode: false });
}

async function* sniffGzip(source: Readable): AsyncGenerator<Buffer> {
  const rest = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let headBytes = 0;
  try {
    let ended = false;
    while (!ended && headBytes < GZIP_MAGIC.length) {
      const next = await rest.next();
      if (next.done) ended = true;
      else {
        head.push(next.value);
        headBytes += next.value.length;
      }
    }
    const gzip = Buffer.concat(head, headBytes).subarray(0, GZIP_MAGIC.length).equals(GZIP_MAGIC);
    if (gzip) {
      yield* decodeWith(Readable.from(replay(head, ended ? undefined : rest), { objectMode: false }), 'gzip');
    } else {
      yield* replay(head, ended ? undefined : rest);
    }
  } finally {
    await rest.return?.();
  }
}

async function* replay(head: Buffer[], rest: AsyncIterator<Buffer> | undefined): AsyncGenerator<Buffer> {
  yield* head;
  if (rest === undefined) return;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

function decodeWith(source: Readable, coding: string): Readable {
  const decoder = DECODERS[coding]!();
  let sourceError: unknown;
  source.once('error', (error) => (sourceError = error));
  // zlib reports corrupt or truncated data by destroying itself with a bare errno error; that one
  // becomes typed, while a failure of the download itself passes through as what it is.
  const destroy = decoder.destroy.bind(decoder);
  decoder.destroy = (error?: Error) => {
    const fromZlib =
      error !== undefined &&
      error !== sourceError &&
      !(error instanceof TalendLogsError) &&
      typeof (error as NodeJS.ErrnoException).errno === 'number';
    return destroy(
      fromZlib
        ? new DecodeError(
            `The log body is not valid ${coding} data: ${error.message}`,
            { contentEncoding: coding },
            error,
          )
        : error,
    );
  };
  return pipeline(source, decoder, () => undefined);
}
