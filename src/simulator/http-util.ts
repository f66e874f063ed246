import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** How a fault ends a response before its body is complete. */
export type BodyCut = 'reset' | 'truncate';

/** Thrown by a handler to answer with a Talend `ErrorResponse`. */
export class SimulatedHttpError extends Error {
  override readonly name = 'SimulatedHttpError';
  readonly status: number;
  readonly detail: string | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    message: string,
    options: { detail?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.detail = options.detail;
    this.headers = options.headers ?? {};
  }
}

const MAX_BODY_BYTES = 1024 * 1024;

/** The `slow` fault's wait. Unref'd: a slow answer still pending must not keep a finished test process alive. */
export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new SimulatedHttpError(413, 'Request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Writes a complete body, or only part of it when a fault cuts it. */
export async function sendBody(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer,
  cut: BodyCut | undefined,
): Promise<void> {
  if (cut === undefined) {
    res.writeHead(status, { ...headers, 'content-length': String(body.length) });
    res.end(body);
    return;
  }
  // No Content-Length: a cut body then ends like a well-formed chunked response, or not at all.
  res.writeHead(status, headers);
  await sendStream(res, [body.subarray(0, Math.floor(body.length / 2))], cut);
}

/**
 * Streams `body` into `res` with backpressure. `cut: 'reset'` resets the connection once the body
 * is written (the client sees ECONNRESET mid-body); otherwise the response ends cleanly.
 */
export async function sendStream(
  res: ServerResponse,
  body: Readable | Iterable<Buffer>,
  cut: BodyCut | undefined,
): Promise<void> {
  if (cut !== 'reset') {
    await pipeline(body, res).catch(() => {
      // The client went away: nothing to answer to, and the source is destroyed by pipeline.
    });
    return;
  }
  let flushed = Promise.resolve();
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (res.destroyed) return;
    flushed = new Promise((resolve) => res.write(chunk, () => resolve()));
    if (res.writableNeedDrain) await Promise.race([once(res, 'drain'), once(res, 'close')]);
  }
  // Reset only once the bytes written so far have reached the socket, so the client gets them first.
  await flushed;
  res.socket?.resetAndDestroy();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Talend's execution ids are UUIDs: anything else is a 400, before any lookup. */
export function requireExecutionId(id: string): string {
  if (!UUID.test(id)) throw new SimulatedHttpError(400, 'execution ID is not a UUID');
  return id;
}
