import { Agent, FormData, request } from 'undici';
import { parseRetryAfter } from '../common/backoff.ts';
import { ConfigError, describeError } from '../common/errors.ts';
import { describeAnswer, productOf, type HttpAnswer } from '../common/http-answer.ts';
import { retry } from '../common/retry.ts';
import { registerSecret, safeUrl } from '../common/secrets.ts';
import type { KibanaAuth } from '../config/config.ts';
import type { IndexNames } from '../config/index-names.ts';
import type { KibanaService } from '../config/services.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { KibanaImportError, type KibanaErrorContext } from './errors.ts';
import { describeObjectError, errorBodyMessage, isImportResponse } from './import-response.ts';
import { readSavedObjects, toNdjson, withIndexPrefix } from './saved-objects.ts';

export interface ImportSavedObjectsOptions {
  /** Kibana's base URL, with its base path if it has one. */
  kibanaUrl: string;
  /** Absent: the default space. */
  space?: string;
  auth?: KibanaAuth;
  /** The indices the data views must cover. */
  names: IndexNames;
  /** PEM of extra CA certificates. */
  ca?: string;
  rejectUnauthorized?: boolean;
  logger?: Logger;
  /** Timeout and retries towards Kibana. */
  service: KibanaService;
}

export interface ImportReport {
  kibana: string;
  space?: string;
  imported: number;
  warnings: string[];
}

const FILE_NAME = 'talend-logs.ndjson';

interface Answer extends HttpAnswer {
  retryAfter: string | undefined;
}

/**
 * Imports the dashboard, its visualizations, saved searches and data view into Kibana, overwriting
 * earlier versions (the objects have fixed ids), with the data view pointed at `prefix`. Throws a
 * KibanaImportError listing every object Kibana refused.
 */
export async function importSavedObjects(options: ImportSavedObjectsOptions): Promise<ImportReport> {
  const logger = options.logger ?? silentLogger;
  const policy = options.service.retry;
  const where: KibanaErrorContext = {
    kibana: safeUrl(options.kibanaUrl),
    ...(options.space ? { space: options.space } : {}),
  };
  const ndjson = toNdjson(withIndexPrefix(readSavedObjects(), options.names));
  const headers = { 'kbn-xsrf': 'true', ...authorization(options.auth) };
  const dispatcher = new Agent({
    connect: {
      ...(options.ca ? { ca: options.ca } : {}),
      rejectUnauthorized: options.rejectUnauthorized ?? true,
    },
    headersTimeout: options.service.requestTimeoutMs,
    bodyTimeout: options.service.requestTimeoutMs,
  });
  const post = async (): Promise<Answer> => {
    // undici's own FormData: the global one is typed after Node's bundled undici, which undici 7 refuses.
    const form = new FormData();
    form.append('file', new Blob([ndjson], { type: 'application/ndjson' }), FILE_NAME);
    const response = await request(importUrl(options.kibanaUrl, options.space), {
      method: 'POST',
      headers,
      body: form,
      dispatcher,
    });
    const retryAfter = response.headers['retry-after'];
    return {
      status: response.statusCode,
      headers: response.headers,
      retryAfter: Array.isArray(retryAfter) ? retryAfter[0] : retryAfter,
      body: await response.body.text(),
    };
  };

  const attempt = async (attempts: number): Promise<ImportReport> => {
    let answer: Answer;
    try {
      answer = await post();
    } catch (error) {
      throw new KibanaImportError(
        `Kibana at ${where.kibana} could not be reached after ${attempts} attempt(s): ${describeError(error)}. ` +
          'Check --kibana-url / KIBANA_URL and that Kibana is running.',
        { ...where, attempts },
        error,
      );
    }
    return outcome(answer, { ...where, attempts });
  };
  try {
    const report = await retry(attempt, policy, undefined, (event) =>
      logger.warn(
        { ...where, attempt: event.attempt, waitMs: event.delayMs, reason: describeError(event.error) },
        'Kibana is not ready: retrying the saved objects import',
      ),
    );
    for (const warning of report.warnings) logger.warn({ ...where }, `Kibana: ${warning}`);
    logger.info({ ...where, objects: report.imported }, 'Kibana saved objects imported');
    return report;
  } finally {
    await dispatcher.close();
  }
}

function importUrl(kibanaUrl: string, space: string | undefined): string {
  const base = kibanaUrl.replace(/\/+$/, '');
  const spacePath = space ? `/s/${encodeURIComponent(space)}` : '';
  return `${base}${spacePath}/api/saved_objects/_import?overwrite=true`;
}

function authorization(auth: KibanaAuth | undefined): Record<string, string> {
  if (auth === undefined) return {};
  if ('apiKey' in auth) {
    registerSecret(auth.apiKey);
    return { authorization: `ApiKey ${auth.apiKey}` };
  }
  registerSecret(auth.password);
  const encoded = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
  registerSecret(encoded);
  return { authorization: `Basic ${encoded}` };
}

function outcome(answer: Answer, context: KibanaErrorContext): ImportReport {
  const { status, body: text } = answer;
  const body: unknown = parseJson(text);
  if (status === 200 && isImportResponse(body)) {
    const failures = body.errors ?? [];
    if (!body.success || failures.length > 0) {
      throw new KibanaImportError(
        `Kibana imported ${body.successCount} saved object(s) and refused ${failures.length}:\n  - ` +
          failures.map(describeObjectError).join('\n  - '),
        { ...context, status, failedObjects: failures.length },
      );
    }
    return {
      kibana: context.kibana,
      ...(context.space ? { space: context.space } : {}),
      imported: body.successCount,
      warnings: (body.warnings ?? []).map((warning) => warning.message ?? String(warning.type)),
    };
  }
  // Kibana answers JSON, its errors included, and names itself: a page or another product is not it.
  // A 5xx page is a proxy's while Kibana starts: retried below.
  const product = productOf(answer.headers);
  const foreign = status < 500 && product !== 'Kibana' && (product !== undefined || body === undefined);
  if (status === 200 || foreign) {
    throw new KibanaImportError(
      `${context.kibana} is not Kibana: the saved objects import answered ${describeAnswer(answer)}. ` +
        'Check --kibana-url / KIBANA_URL: it must be the address of Kibana (with its base path, if any).',
      { ...context, status },
    );
  }
  const message = errorBodyMessage(text);
  if (status === 401 || status === 403) {
    throw new KibanaImportError(
      `Kibana refused the credentials (HTTP ${status}: ${message}). Set KIBANA_API_KEY or ` +
        'KIBANA_USERNAME/KIBANA_PASSWORD (they default to the Elasticsearch ones); the user needs the ' +
        'saved objects management privilege (All) in the space.',
      { ...context, status },
    );
  }
  if (status === 404) {
    throw new ConfigError(
      context.space
        ? `Kibana at ${context.kibana} has no space "${context.space}" (HTTP 404): create it or fix --kibana-space.`
        : `${context.kibana} has no saved objects API (HTTP 404): is --kibana-url the address of Kibana?`,
      { ...context, status },
    );
  }
  throw new KibanaImportError(`Kibana answered HTTP ${status} to the saved objects import: ${message}`, {
    ...context,
    status,
    retryAfterMs: parseRetryAfter(answer.retryAfter),
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
