import type { RawLogEntry } from '../contracts/talend-api.ts';
import { mix32, pick, unit } from './random.ts';

/** An entry as the simulator composes it: every documented field set, one optional extra. */
export interface SimulatedEntry extends RawLogEntry {
  logTimestamp: number;
  severity: string;
  logMessage: string;
  logType: string;
  bundleName: string;
  bundleVersion: string;
  podName: string;
  /** Not in Talend's documentation: proves that unknown fields survive. */
  threadName?: string;
}

/** What stays the same across one execution's entries. */
export interface LogVoice {
  jobName: string;
  bundleName: string;
  bundleVersion: string;
  podNames: readonly string[];
  errorRate: number;
}

const COMPONENTS = [
  'tDBInput_1',
  'tMap_1',
  'tMap_2',
  'tFileOutputDelimited_1',
  'tRESTClient_1',
  'tLogRow_1',
  'tJavaRow_1',
  'tS3Put_1',
  'tAggregateRow_1',
  'tSnowflakeOutput_1',
  'tKafkaInput_1',
  'tDBOutput_2',
] as const;
const TABLES = ['customers', 'orders', 'order_lines', 'invoices', 'products', 'stock_moves'] as const;
const COMPANIES = [
  'Société Générale',
  'Crédit Agricole',
  'Müller & Söhne GmbH',
  'Łódź Logistyka',
  'Øresund A/S',
] as const;
const THREADS = ['main', 'pool-3-thread-1', 'pool-3-thread-2', 'kafka-consumer-0'] as const;

const DEBUG_MESSAGES: readonly ((c: string, n: number) => string)[] = [
  (c, n) => `${c} - Parameters: batchSize=${(n % 10) * 1000 + 500}, commitEvery=${(n % 7) * 5000 + 1000}.`,
  (c, n) => `${c} - Row ${n}: {id=${n * 7 + 11}, status=ACTIVE, country=FR}`,
  (c, n) => `${c} - Fetched page ${n % 500} (${n % 200} records) in ${n % 900} ms.`,
];

const INFO_MESSAGES: readonly ((c: string, n: number, job: string) => string)[] = [
  (c) => `${c} - Start to work.`,
  (c) => `${c} - Done.`,
  (c, n) => `${c} - Processed ${n} rows.`,
  (c, n) => `${c} - Retrieving records from table "${pick(TABLES, n)}".`,
  (c, n) => `${c} - Written records count: ${n}.`,
  (_c, n) =>
    `Connection attempt to "jdbc:postgresql://db-${n % 9}.internal:5432/${pick(TABLES, n)}" with the username "etl_user".`,
  (_c, n, job) => `Job ${job} - [statistics] connecting to socket on port ${3000 + (n % 1000)}`,
  (c, n) => `${c} - Client « ${pick(COMPANIES, n)} » mis à jour (${n % 5000} lignes).`,
  (c, n) => `${c} - 顧客データ ${n} 件を読み込みました。`,
  (c, n) => `${c} - Upload to bucket finished ✅ (${n % 3000} objects) 🚀`,
];

const WARN_MESSAGES: readonly ((c: string, n: number) => string)[] = [
  (c, n) => `${c} - Column "amount" value truncated to 38 digits at row ${n}.`,
  (c, n) => `${c} - Retrying connection (attempt ${(n % 5) + 1}/5) after timeout of ${n % 30000} ms.`,
  (c, n) => `${c} - ${n % 1000} rows rejected: missing mandatory field "customer_id".`,
];

const FAILURES = [
  {
    exception: 'java.sql.SQLException: ERROR: duplicate key value violates unique constraint "orders_pkey"',
    frames: [
      'org.postgresql.core.v3.QueryExecutorImpl.receiveErrorResponse(QueryExecutorImpl.java:2676)',
      'org.postgresql.jdbc.PgStatement.executeBatch(PgStatement.java:862)',
    ],
    cause: 'java.net.SocketTimeoutException: Read timed out',
  },
  {
    exception: 'java.lang.NullPointerException: Cannot invoke "String.trim()" because "row1.email" is null',
    frames: ['routines.StringHandling.TRIM(StringHandling.java:211)'],
  },
  {
    exception:
      'org.apache.http.conn.HttpHostConnectException: Connect to api.partner.example:443 failed: Connection refused',
    frames: [
      'org.apache.http.impl.conn.DefaultHttpClientConnectionOperator.connect(DefaultHttpClientConnectionOperator.java:156)',
      'org.apache.http.impl.execchain.MainClientExec.execute(MainClientExec.java:236)',
    ],
    cause: 'java.net.ConnectException: Connection refused (Connection refused)',
  },
] as const;

/** Roughly one INFO entry in this many carries a long single-line payload. */
const LONG_LINE_PERIOD = 1000;

function stackTrace(job: string, component: string, n: number): string {
  const failure = pick(FAILURES, n);
  const jobClass = `local_project.${job.toLowerCase()}_0_1.${job}`;
  const lines = [
    `Exception in component ${component} (${job})`,
    failure.exception,
    ...failure.frames.map((frame) => `\tat ${frame}`),
    `\tat ${jobClass}.${component}Process(${job}.java:${4000 + (n % 900)})`,
    `\tat ${jobClass}.runJobInTOS(${job}.java:${9000 + (n % 500)})`,
    `\tat ${jobClass}.main(${job}.java:${8700 + (n % 100)})`,
  ];
  if ('cause' in failure) lines.push(`Caused by: ${failure.cause}`, `\t... ${(n % 20) + 3} more`);
  return lines.join('\n');
}

function longLine(component: string, n: number): string {
  const fields: string[] = [];
  const count = 60 + (n % 200);
  for (let k = 0; k < count; k++) fields.push(`"col_${k}":"value-${(n + k * 7919) % 100000}"`);
  return `${component} - Rejected row payload: {${fields.join(',')}}`;
}

function severityOf(voice: LogVoice, h: number, h2: number): string {
  const r = unit(h);
  if (r < voice.errorRate) return (h2 & 0xf) === 0 ? 'FATAL' : 'ERROR';
  if (r < voice.errorRate + 0.05) return 'WARN';
  if (r < voice.errorRate + 0.2) return 'DEBUG';
  return 'INFO';
}

function messageOf(voice: LogVoice, severity: string, h2: number, h3: number): string {
  const component = pick(COMPONENTS, h3 >>> 4);
  const n = h2 >>> 12;
  switch (severity) {
    case 'FATAL':
      return stackTrace(voice.jobName, component, n);
    case 'ERROR':
      return (h3 & 1) === 0
        ? stackTrace(voice.jobName, component, n)
        : `${component} - ${pick(FAILURES, n).exception}`;
    case 'WARN':
      return pick(WARN_MESSAGES, h3 >>> 8)(component, n);
    case 'DEBUG':
      return pick(DEBUG_MESSAGES, h3 >>> 8)(component, n);
    default:
      if ((h3 >>> 8) % LONG_LINE_PERIOD === 0) return longLine(component, n);
      return pick(INFO_MESSAGES, h3 >>> 8)(component, n, voice.jobName);
  }
}

/** The entry whose content hash is `h`: every field is a function of (voice, h, timestamp). */
export function composeEntry(voice: LogVoice, h: number, logTimestamp: number): SimulatedEntry {
  const h2 = mix32(h ^ 0x5bd1e995);
  const h3 = mix32(h2 + 0x27d4eb2f);
  const severity = severityOf(voice, h, h2);
  const entry: SimulatedEntry = {
    logTimestamp,
    severity,
    logMessage: messageOf(voice, severity, h2, h3),
    logType: (h2 & 0x700) === 0 ? 'SYSTEM' : 'USER',
    bundleName: voice.bundleName,
    bundleVersion: voice.bundleVersion,
    podName: pick(voice.podNames, h3 >>> 20),
  };
  // An occasional field Talend does not document: the connector must keep what it does not know.
  if ((h3 >>> 24) % 10 === 0) entry.threadName = pick(THREADS, h2 >>> 3);
  return entry;
}
