import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { SimulatorContext } from './api-types.ts';
import { pause, sendBody, sendStream } from './http-util.ts';
import { layoutFor } from './log-file-format.ts';
import { DIALECTS, StoreError, type StoreDialect } from './object-store-dialects.ts';
import { LogFileStream } from './log-file-stream.ts';

const OBJECT_PATH = /^\/logs\/(?<id>[0-9a-f]+)\/[^/]+$/;

function acceptsGzip(req: IncomingMessage): boolean {
  return /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));
}

/** The object store behind presigned URLs: checks the signature, then streams the file, stored or as it is generated. */
export function objectStoreHandler(
  context: SimulatorContext,
): (req: IncomingMessage, res: ServerResponse) => void {
  async function download(
    req: IncomingMessage,
    res: ServerResponse,
    dialect: StoreDialect,
    requestId: string,
  ): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://object-store');
    const id = OBJECT_PATH.exec(url.pathname)?.groups?.id;
    if (req.method !== 'GET' || id === undefined) throw dialect.notFound();
    context.stats.download++;
    if (req.headers.authorization !== undefined && dialect.withAuthorizationHeader) {
      throw dialect.withAuthorizationHeader;
    }
    const now = context.now();
    const { verdict, expiresAt } = context.signer.check(url, now);
    if (verdict === 'invalid' || expiresAt === undefined) throw dialect.badSignature();
    if (verdict === 'expired') throw dialect.expired(expiresAt, now);
    const file = context.files.withId(id);
    if (!file) throw dialect.notFound();

    const faults = context.faults.draw('download', file.executionId);
    if (faults.delayMs > 0) await pause(faults.delayMs);
    const status = faults.errorStatus();
    if (status !== undefined) throw dialect.failure(status);
    if (faults.has('expiredPresignedUrl')) throw dialect.expired(expiresAt, now);

    const cut = faults.bodyCut();
    const layout = layoutFor(file.format, file.jsonShape);
    const malformed = faults.has('malformedLines');
    const stored =
      malformed || cut !== undefined ? undefined : context.storedFiles?.open(file.log, file.range, layout);
    if (stored !== undefined) context.stats.storedDownloads++;
    const source =
      stored ??
      new LogFileStream({
        log: file.log,
        range: file.range,
        layout,
        malformed,
        cutAfter: cut === undefined ? undefined : Math.floor((file.range.hi - file.range.lo) / 2),
      });
    const headers: Record<string, string> = {
      'content-type': layout.contentType,
      'content-disposition': `attachment; filename="${url.pathname.split('/').pop() ?? ''}"`,
      ...dialect.headers(requestId),
    };
    let body: Readable = source;
    if (context.variants.gzip && acceptsGzip(req)) {
      headers['content-encoding'] = 'gzip';
      body = source.pipe(createGzip({ level: 1 }));
      body.on('close', () => source.destroy());
    }
    res.writeHead(200, headers);
    await sendStream(res, body, cut);
  }

  return (req, res) => {
    const dialect = DIALECTS[context.variants.objectStore];
    const requestId = dialect.newRequestId();
    download(req, res, dialect, requestId)
      .catch((error: unknown) => {
        const failure =
          error instanceof StoreError ? error : new StoreError(500, 'InternalError', String(error));
        const answer = dialect.render(failure, requestId, context.now());
        return sendBody(res, failure.status, answer.headers, answer.body, undefined);
      })
      .catch(() => res.destroy());
  };
}
