/**
 * The faults an Elasticsearch cluster shows a client, made by a proxy in front of the shared test node
 * (which must never be stopped): refused connections, bulk requests held without an answer, whole bulk
 * requests and single bulk items rejected with 429, answers lost after Elasticsearch acted, and basic or
 * API-key authentication and missing privileges (the local node has no security, so the proxy checks the
 * credentials and strips them, and answers 403 where a role would).
 */
import { seededRandom } from '../../src/simulator/random.ts';
import { jsonReply, startProxy, type BufferedReply, type Exchange, type RunningProxy } from './http-proxy.ts';

export interface BulkRejections {
  /** Share of `_bulk` requests answered 429 as a whole. */
  requestRate: number;
  /** Share of the remaining items answered `es_rejected_execution_exception` (not forwarded). */
  itemRate: number;
  seed: number;
  /** Only items for the indices this matches are rejected; every index without it. */
  index?: RegExp;
}

export interface ElasticsearchProxyOptions {
  target: string;
  basicAuth?: { username: string; password: string };
  /** An API key (base64 `id:key`) the proxy requires in an `ApiKey` header; the test node cannot make one. */
  apiKey?: string;
  tls?: { key: string; cert: string };
}

export interface ElasticsearchProxyCounters {
  bulkRequests: number;
  bulkRequestsRejected: number;
  itemsRejected: number;
  bulkRequestsHeld: number;
  unauthorized: number;
  answersDropped: number;
  forbidden: number;
}

/** Which requests lose their answer: method and path (with query) as the proxy received them. */
export type RequestMatcher = (request: { method: string; url: string }) => boolean;

export interface ElasticsearchProxy {
  url: string;
  counters: ElasticsearchProxyCounters;
  /** The cluster is "down": connections are closed as soon as they open. */
  refuseConnections(on: boolean): void;
  /** Connections closed by `refuseConnections` so far. */
  readonly refused: number;
  /** `_bulk` requests get no answer until released; everything else passes. */
  holdBulk(on: boolean): void;
  rejectBulk(rejections: BulkRejections | undefined): void;
  /**
   * The next `times` requests `matches` accepts reach Elasticsearch, which acts on them, but the
   * connection is closed instead of answering: the client cannot tell whether they were done.
   */
  dropAnswers(matches: RequestMatcher, times?: number): void;
  /** Requests `matches` accepts are refused as a user lacking the privilege is (403), until cleared. */
  forbid(matches: RequestMatcher | undefined): void;
  close(): Promise<void>;
}

const PRODUCT_HEADER = { 'x-elastic-product': 'Elasticsearch' };
const REJECTION = {
  type: 'es_rejected_execution_exception',
  reason: 'rejected execution of coordinating operation [injected by the test proxy]',
};

export async function startElasticsearchProxy(
  options: ElasticsearchProxyOptions,
): Promise<ElasticsearchProxy> {
  const counters: ElasticsearchProxyCounters = {
    bulkRequests: 0,
    bulkRequestsRejected: 0,
    itemsRejected: 0,
    bulkRequestsHeld: 0,
    unauthorized: 0,
    answersDropped: 0,
    forbidden: 0,
  };
  let forbidden: RequestMatcher | undefined;
  let drops: { matches: RequestMatcher; remaining: number } | undefined;
  let rejections: { rules: BulkRejections; random: () => number } | undefined;
  let releaseHeld: (() => void) | undefined;
  let held: Promise<void> | undefined;
  const expected = options.basicAuth
    ? `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`
    : options.apiKey === undefined
      ? undefined
      : `ApiKey ${options.apiKey}`;

  const handler = async (exchange: Exchange): Promise<BufferedReply> => {
    if (expected !== undefined && exchange.headers.authorization !== expected) {
      counters.unauthorized++;
      return jsonReply(
        401,
        {
          error: {
            type: 'security_exception',
            reason: 'unable to authenticate user for REST request [injected by the test proxy]',
          },
          status: 401,
        },
        { 'www-authenticate': 'Basic realm="security" charset="UTF-8"' },
      );
    }
    if (forbidden?.(exchange)) {
      counters.forbidden++;
      return jsonReply(
        403,
        {
          error: {
            type: 'security_exception',
            reason: `action [${exchange.method} ${exchange.url}] is unauthorized for user [talend-logs-sync] [injected by the test proxy]`,
          },
          status: 403,
        },
        PRODUCT_HEADER,
      );
    }
    if (drops && drops.remaining > 0 && drops.matches(exchange)) {
      drops.remaining--;
      counters.answersDropped++;
      await exchange.forward({ dropHeaders: ['authorization'] });
      // The proxy closes a connection whose handler fails, without an answer.
      throw new Error('answer dropped by the test proxy');
    }
    if (!isBulk(exchange.url)) return exchange.forward({ dropHeaders: ['authorization'] });
    counters.bulkRequests++;
    if (held) {
      counters.bulkRequestsHeld++;
      await held;
    }
    if (rejections && rejections.random() < rejections.rules.requestRate) {
      counters.bulkRequestsRejected++;
      return jsonReply(429, { error: REJECTION, status: 429 }, PRODUCT_HEADER);
    }
    return rejections
      ? rejectSomeItems(exchange, rejections, counters)
      : exchange.forward({ dropHeaders: ['authorization'] });
  };

  const proxy: RunningProxy = await startProxy({ target: options.target, handler, tls: options.tls });
  return {
    url: proxy.url,
    counters,
    refuseConnections: (on) => proxy.refuseConnections(on),
    get refused() {
      return proxy.refused;
    },
    holdBulk(on) {
      if (on) {
        held ??= new Promise((resolve) => (releaseHeld = resolve));
        return;
      }
      releaseHeld?.();
      held = undefined;
    },
    rejectBulk(rules) {
      rejections = rules ? { rules, random: seededRandom(rules.seed) } : undefined;
    },
    dropAnswers(matches, times = 1) {
      drops = { matches, remaining: times };
    },
    forbid(matches) {
      forbidden = matches;
    },
    async close() {
      releaseHeld?.();
      await proxy.close();
    },
  };
}

function isBulk(url: string): boolean {
  return /(^|\/)_bulk(\?|$)/.test(url);
}

/**
 * Takes some actions out of the request, forwards the rest, and answers for the removed ones
 * as an overloaded node would: so a client that does not retry them loses them for real.
 */
async function rejectSomeItems(
  exchange: Exchange,
  rejections: { rules: BulkRejections; random: () => number },
  counters: ElasticsearchProxyCounters,
): Promise<BufferedReply> {
  const lines = exchange.body.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  const kept: string[] = [];
  const rejected = new Map<number, [action: string, target: { _index: string; _id: string }]>();
  for (let item = 0; item * 2 < lines.length; item++) {
    const action = lines[item * 2]!;
    const source = lines[item * 2 + 1] ?? '';
    // Any action (index, create, update): the answer names the action it answers.
    const [kind, target] = Object.entries(
      JSON.parse(action) as Record<string, { _index: string; _id: string }>,
    )[0]!;
    const targeted = rejections.rules.index?.test(target._index) ?? true;
    if (targeted && rejections.random() < rejections.rules.itemRate) {
      rejected.set(item, [kind, target]);
    } else {
      kept.push(action, source);
    }
  }
  counters.itemsRejected += rejected.size;
  const total = Math.ceil(lines.length / 2);
  const forwarded =
    kept.length > 0
      ? await exchange.forward({ body: Buffer.from(`${kept.join('\n')}\n`), dropHeaders: ['authorization'] })
      : undefined;
  if (forwarded !== undefined && forwarded.status !== 200) return forwarded;
  const answered = forwarded
    ? (JSON.parse(forwarded.body.toString('utf8')) as { took: number; items: unknown[] })
    : { took: 0, items: [] };
  const items: unknown[] = [];
  let next = 0;
  for (let item = 0; item < total; item++) {
    const target = rejected.get(item);
    items.push(
      target ? { [target[0]]: { ...target[1], status: 429, error: REJECTION } } : answered.items[next++],
    );
  }
  const body = { took: answered.took, errors: true, items };
  return jsonReply(200, body, forwarded?.headers ?? PRODUCT_HEADER);
}
