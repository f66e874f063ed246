import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { SimulatorContext } from './api-types.ts';
import type { DrawnFaults } from './faults.ts';
import { pause, sendBody, sendStream } from './http-util.ts';
import { DIALECTS, StoreError, type StoreDialect } from './object-store-dialects.ts';
import { LogFileStream } from './log-file-stream.ts';

/** Seconds a fault-made 429 asks the client to wait. */
const RETRY_AFTER_SECONDS = 1;

const OBJECT_PATH = /^\/logs\/(?<id>[0-9a-f]+)\/[^/]+$/;

function acceptsGzip(req: IncomingMessage): boolean {
  return /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));
}

/**
 * What a proxy or a misconfigured store may answer in place of the file, with a 200: a gateway's
 * HTML error page, or bytes of another kind (neither JSON, text nor gzip).
 */
function strangeBody(faults: DrawnFaults): { contentType: string; body: Buffer } | undefined {
  if (faults.has('htmlBody')) {
    const page = `<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body>\n${'<p>The upstream server is unavailable.</p>\n'.repeat(2000)}</body></html>\n`;
    return { contentType: 'text/html', body: Buffer.from(page) };
  }
  if (!faults.has('binaryBody')) return undefined;
  // Deterministic and never gzip's magic: 0x00 first.
  return {
    contentType: 'application/octet-stream',
    body: Buffer.from(Array.from({ length: 256 * 1024 }, (_, i) => (i * 7919) % 251)),
  };
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
    if (status === 404) throw dialect.notFound();
    if (status !== undefined) throw dialect.failure(status);
    if (faults.has('expiredPresignedUrl')) throw dialect.expired(expiresAt, now);

    const stranger = strangeBody(faults);
    if (stranger !== undefined) {
      res.writeHead(200, { 'content-type': stranger.contentType, 'x-amz-request-id': requestId });
      res.end(stranger.body);
      return;
    }

    const cut = faults.bodyCut();
    const layout = file.layout;
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
    const { gzip } = context.variants;
    const gzippedFile = gzip === 'content-type' || gzip === 'bytes-only';
    if (gzippedFile || (gzip === 'content-encoding' && acceptsGzip(req))) {
      // A file stored gzipped is served as it is; only the transfer encoding depends on the request.
      if (gzip === 'content-encoding') headers['content-encoding'] = 'gzip';
      else
        headers['content-type'] = gzip === 'content-type' ? 'application/gzip' : 'application/octet-stream';
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
        // The store behind Talend's URLs follows the same `retryAfter` reading as the API.
        const headers: Record<string, string> = { ...answer.headers };
        if (failure.status === 429 && context.variants.retryAfter)
          headers['retry-after'] = String(RETRY_AFTER_SECONDS);
        return sendBody(res, failure.status, headers, answer.body, undefined);
      })
      .catch(() => res.destroy());
  };
}
