import { pipeline, type Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { TalendLogsError } from '../../common/errors.ts';
import { DecodeError, UnsupportedEncodingError } from '../errors.ts';

const DECODERS: Record<string, () => Transform> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/**
 * Undoes the Content-Encoding of a downloaded body. Encodings listed as `a, b` were applied in that
 * order, so they are undone last first. Anything unknown is refused: parsing compressed bytes as JSON
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
  for (const coding of codings.reverse()) stream = decodeWith(stream, coding);
  return stream;
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
