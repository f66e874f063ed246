/**
 * A proxy in front of the simulator's API that writes down the secrets Talend hands out during a run:
 * the access tokens of service accounts, the signatures of presigned URLs and the tokens of log
 * files. The CLI is pointed at it, so a test can afterwards check that none of them leaked into the
 * CLI's output. It keeps every exchange too, for a test that holds the answers to Talend's reference.
 */
import { startProxy, type BufferedReply, type Exchange } from './http-proxy.ts';

export interface TalendRecorder {
  url: string;
  /** Access tokens and presigned URL signatures seen in answers so far. */
  readonly secrets: ReadonlySet<string>;
  /** The tokens of generated log files: secrets too, kept apart so that `secrets` counts access tokens. */
  readonly logTokens: ReadonlySet<string>;
  /** How many API answers had each HTTP status. */
  readonly statuses: ReadonlyMap<number, number>;
  /** Every request and its answer, in the order the answers came. */
  readonly exchanges: readonly RecordedExchange[];
  close(): Promise<void>;
}

export interface RecordedExchange {
  method: string;
  /** Without the query. */
  path: string;
  requestContentType: string | undefined;
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Query parameters that carry an object store's signature (the simulator's, S3's, GCS's, Azure's). */
const SIGNATURE_PARAM = /signature|^sig$|security-token/i;

export async function startTalendRecorder(options: {
  target: string;
  tls?: { key: string; cert: string };
}): Promise<TalendRecorder> {
  const secrets = new Set<string>();
  const logTokens = new Set<string>();
  const statuses = new Map<number, number>();
  const exchanges: RecordedExchange[] = [];
  const handler = async (exchange: Exchange): Promise<BufferedReply> => {
    const reply = await exchange.forward();
    statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
    exchanges.push({
      method: exchange.method,
      path: new URL(exchange.url, 'http://recorded').pathname,
      requestContentType: exchange.headers['content-type'],
      status: reply.status,
      contentType:
        reply.headers['content-type'] === undefined ? undefined : String(reply.headers['content-type']),
      body: reply.body.toString('utf8'),
    });
    if (reply.status === 200 || reply.status === 206)
      remember(reply.body.toString('utf8'), secrets, logTokens);
    return reply;
  };
  const proxy = await startProxy({ target: options.target, handler, tls: options.tls });
  return { url: proxy.url, secrets, logTokens, statuses, exchanges, close: () => proxy.close() };
}

function remember(text: string, secrets: Set<string>, logTokens: Set<string>): void {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return;
  }
  if (body === null || typeof body !== 'object') return;
  const {
    access_token: token,
    token: logToken,
    presignedURL: url,
  } = body as {
    access_token?: unknown;
    token?: unknown;
    presignedURL?: unknown;
  };
  if (typeof token === 'string') secrets.add(token);
  if (typeof logToken === 'string') logTokens.add(logToken);
  if (typeof url === 'string') {
    for (const [name, value] of new URL(url).searchParams) if (SIGNATURE_PARAM.test(name)) secrets.add(value);
  }
}
