import type { RetryPolicy } from '../common/retry.ts';

/**
 * What we say to each outside service, and how long we wait for it: timeouts, TLS, retry policies,
 * chunk attempts and status polling for Talend, Elasticsearch and Kibana, in one place. Built by
 * `loadConfig` from the settings; the clients take it as it is.
 */
export interface OutsideServices {
  talend: TalendService;
  elasticsearch: ElasticsearchService;
  kibana: KibanaService;
}

/** How the Talend client paces its calls and waits on Talend: what `createTalendClient` requires. */
export interface TalendClientTuning {
  /** Requests per minute per API family; 0 = unlimited. */
  rateLimits: { monitoringPerMinute: number; processingPerMinute: number; orchestrationPerMinute: number };
  /** `/logs/status` is polled from `initialMs` apart up to `maxMs`, for `maxWaitMs` in all. */
  statusPoll: { initialMs: number; maxMs: number; maxWaitMs: number };
  /** Keep-alive connections per origin. */
  connections: number;
  /** Time allowed for response headers, and between body chunks. */
  requestTimeoutMs: number;
}

export interface TlsOptions {
  /** PEM of extra CA certificates. */
  ca?: string;
  rejectUnauthorized: boolean;
}

export interface TalendService {
  client: TalendClientTuning;
  tls: TlsOptions;
  /** Every call of the API and of the object store. */
  retry: RetryPolicy;
  /** Downloads of one chunk, the first included, before the execution's attempt fails. */
  chunkAttempts: number;
}

export interface ElasticsearchService {
  requestTimeoutMs: number;
  /** Every call, whole: through restarts, overload and shards still starting. */
  retry: RetryPolicy;
  /** Retries of one document of a `_bulk` request Elasticsearch pushed back (429, busy shard). */
  itemRetries: number;
}

export interface KibanaService {
  requestTimeoutMs: number;
  retry: RetryPolicy;
}

/**
 * How a run retries one call to Talend or Elasticsearch, under the outage budget: enough attempts
 * that the budget, not their number, ends a long outage (fifty waits of up to ten seconds average
 * over four minutes).
 */
const RUN_ATTEMPTS = 50;
const RUN_FIRST_WAIT_MS = 500;
const LONGEST_WAIT_MS = 10_000;
/** Talend's tuning that no setting changes: how often to ask whether a log file is ready... */
const STATUS_POLL = { initialMs: 1000, maxMs: 10_000 };
/** ...how many connections to keep open per origin, and how long to wait for an answer. */
const TALEND_CONNECTIONS = 8;
const TALEND_REQUEST_TIMEOUT_MS = 60_000;
/** A cut or failed transfer is downloaded again twice before the execution's attempt fails. */
const CHUNK_ATTEMPTS = 3;
/** Long enough for a bulk request of the largest size under a loaded cluster. */
const ELASTICSEARCH_REQUEST_TIMEOUT_MS = 120_000;
const KIBANA_REQUEST_TIMEOUT_MS = 60_000;
/**
 * A Kibana that has just started answers 503 for a while, and a proxy in front may answer 502/504:
 * worth a few spaced tries, since the import overwrites and can be repeated safely. Fewer attempts
 * than a run's, so that a mistyped URL fails `setup` within seconds; never longer than the outage
 * budget.
 */
const KIBANA_ATTEMPTS = 4;
const KIBANA_FIRST_WAIT_MS = 1_000;

/** What the settings decide of the outside services. */
export interface ServiceSettings {
  outageBudgetMs: number;
  itemRetries: number;
  statusMaxWaitMs: number;
  rateLimits: TalendClientTuning['rateLimits'];
  talendTls: TlsOptions;
}

/** One outage budget for every service: the operator sets how long an outage may last. */
export function outsideServices(settings: ServiceSettings): OutsideServices {
  const retry: RetryPolicy = {
    maxAttempts: RUN_ATTEMPTS,
    baseMs: RUN_FIRST_WAIT_MS,
    maxMs: LONGEST_WAIT_MS,
    budgetMs: settings.outageBudgetMs,
  };
  return {
    talend: {
      client: {
        rateLimits: settings.rateLimits,
        statusPoll: { ...STATUS_POLL, maxWaitMs: settings.statusMaxWaitMs },
        connections: TALEND_CONNECTIONS,
        requestTimeoutMs: TALEND_REQUEST_TIMEOUT_MS,
      },
      tls: settings.talendTls,
      retry,
      chunkAttempts: CHUNK_ATTEMPTS,
    },
    elasticsearch: {
      requestTimeoutMs: ELASTICSEARCH_REQUEST_TIMEOUT_MS,
      retry,
      itemRetries: settings.itemRetries,
    },
    kibana: {
      requestTimeoutMs: KIBANA_REQUEST_TIMEOUT_MS,
      retry: {
        maxAttempts: KIBANA_ATTEMPTS,
        baseMs: KIBANA_FIRST_WAIT_MS,
        maxMs: LONGEST_WAIT_MS,
        budgetMs: settings.outageBudgetMs,
      },
    },
  };
}
