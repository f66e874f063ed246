import { redactUrlQueries, scrubSecrets } from './secrets.ts';

/** One HTTP answer as a client received it: enough to say what answered. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export type Product = 'Elasticsearch' | 'Kibana';

const QUOTE_LENGTH = 160;

/**
 * The Elastic product that sent an answer, by the header each sets on every answer:
 * `X-elastic-product` (Elasticsearch 7.14+, as its clients check) and `kbn-name` (Kibana).
 */
export function productOf(headers: HttpAnswer['headers']): Product | undefined {
  if (header(headers, 'x-elastic-product') === 'Elasticsearch') return 'Elasticsearch';
  if (header(headers, 'kbn-name') !== undefined) return 'Kibana';
  return undefined;
}

/**
 * What answered, in a few words for an error that says a URL is not the service expected: the
 * product when it names itself, an HTML page by its title (never the page), else the start of the
 * body on one line. Secrets and URL queries are scrubbed.
 */
export function describeAnswer(answer: HttpAnswer): string {
  const product = productOf(answer.headers);
  const status = `HTTP ${answer.status}`;
  if (product !== undefined) return `${status} from ${product}`;
  const body = answer.body.trim();
  const type = header(answer.headers, 'content-type') ?? '';
  if (/html/i.test(type) || /^<(!doctype|html|head|body)/i.test(body)) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
    return `${status}, an HTML page${title ? ` titled "${quote(title)}"` : ''}`;
  }
  if (body === '') return `${status} with an empty body`;
  const talend = /"requestId"/.test(body) && /"message"/.test(body) ? " (Talend's ErrorResponse)" : '';
  return `${status}${talend}, ${type.split(';')[0] || 'a body'}: ${quote(body)}`;
}

function quote(text: string): string {
  const line = scrubSecrets(redactUrlQueries(text.replace(/\s+/g, ' ')));
  return line.length > QUOTE_LENGTH ? `${line.slice(0, QUOTE_LENGTH)}…` : line;
}

function header(headers: HttpAnswer['headers'], name: string): string | undefined {
  // Node and undici give header names in lower case.
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
