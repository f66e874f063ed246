import { errors } from '@elastic/elasticsearch';
import { TalendLogsError } from '../common/errors.ts';
import { describeAnswer, productOf, type HttpAnswer } from '../common/http-answer.ts';
import type { ElasticsearchStore } from './elasticsearch-store.ts';

/** The configured URL answers, but not as Elasticsearch: nothing is read or written there. */
export class NotElasticsearchError extends TalendLogsError {
  constructor(message: string, found: string) {
    super(message, { category: 'elasticsearch', context: { found } });
  }
}

interface Banner {
  tagline?: unknown;
  version?: { number?: unknown };
}

/**
 * The first call of every command that uses Elasticsearch: `GET /`, whose banner (`tagline`,
 * `version.number`) and `X-elastic-product` header Elasticsearch's own clients check. Anything
 * else that answers (another service, a web server, a proxy's page) would make searches look empty
 * and writes look lost: it is refused here, saying what answered instead.
 */
export async function verifyElasticsearch(store: ElasticsearchStore, where: string): Promise<void> {
  let answer: HttpAnswer;
  try {
    const response = await store.request('the GET / banner', () =>
      store.client.transport.request<Banner>({ method: 'GET', path: '/' }, { meta: true }),
    );
    const banner = response.body;
    if (typeof banner?.version?.number === 'string' && typeof banner.tagline === 'string') return;
    answer = { status: response.statusCode ?? 200, headers: response.headers ?? {}, body: text(banner) };
  } catch (error) {
    if (!(error instanceof errors.ResponseError || error instanceof errors.ProductNotSupportedError))
      throw error;
    const meta: Partial<NonNullable<typeof error.meta>> = error.meta ?? {};
    const headers = meta.headers ?? {};
    // Refused credentials are the failure to report, whoever sent them; any other refusal by
    // Elasticsearch (a user without `monitor`) leaves the calls that matter to say what they lack.
    if (meta.statusCode === 401) throw error;
    if (productOf(headers) === 'Elasticsearch') return;
    answer = { status: meta.statusCode ?? 0, headers, body: text(meta.body) };
  }
  const found = describeAnswer(answer);
  throw new NotElasticsearchError(
    `${where} is not Elasticsearch: GET / answered ${found}, without Elasticsearch's banner. ` +
      'Check --es-url / ES_URL (or ES_CLOUD_ID): it must name an Elasticsearch node, not Talend, Kibana or a web page.',
    found,
  );
}

function text(body: unknown): string {
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  return typeof body === 'string' ? body : (JSON.stringify(body) ?? '');
}
