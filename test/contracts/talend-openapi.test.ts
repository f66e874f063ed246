/**
 * Every answer of the simulator that the connector can receive, held to Talend's published OpenAPI
 * documents (see talend-openapi.schema.json for the sources): a whole `talend-logs sync` with a
 * service account, then each remaining read of the client, all through a recording proxy, over a
 * tenant that produces every value the reference declares for a run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { DEFAULTS } from '../support/config.ts';
import { recordTalendSecrets } from '../support/fault-harness.ts';
import { executionIdsOf, startJobHarness, type JobHarness } from '../support/job-harness.ts';
import type { RecordedExchange, TalendRecorder } from '../support/talend-recorder.ts';
import { createTalendApiClient, resolveBaseUrl, type TalendApiClient } from '../../src/talend/index.ts';
import type { ExecutionRuntime } from '../../src/contracts/talend-api.ts';
import type { ExecutionSpec, TenantSpec } from '../../src/simulator/index.ts';

const SCHEMA = JSON.parse(readFileSync(new URL('talend-openapi.schema.json', import.meta.url), 'utf8')) as {
  definitions: Record<string, Definition>;
};

interface Definition {
  properties?: Record<string, Definition>;
  items?: Definition;
  enum?: string[];
  $ref?: string;
}

/** What the reference declares each operation answers, by HTTP status: a definition, or a body it does not describe. */
const OPERATIONS: { method: string; path: RegExp; answers: Record<number, string | null> }[] = [
  {
    method: 'POST',
    path: /^\/security\/oauth\/token$/,
    answers: { 200: 'TokenResponse', 401: null, 403: null, 500: null },
  },
  {
    method: 'GET',
    path: /^\/orchestration\/workspaces$/,
    answers: { 200: 'WorkspaceList', ...errors('OrchestrationErrorResponse', 400, 401, 403, 500) },
  },
  {
    method: 'GET',
    path: /^\/orchestration\/executables\/tasks$/,
    answers: { 200: 'PageTask', ...errors('OrchestrationErrorResponse', 400, 401, 403, 500) },
  },
  {
    method: 'GET',
    path: /^\/processing\/executables\/tasks\/executions$/,
    answers: { 200: 'PageTaskExecutionStatus', ...errors('ProcessingErrorResponse', 400, 401, 403, 500) },
  },
  {
    method: 'GET',
    path: /^\/processing\/executables\/tasks\/[^/]+\/executions$/,
    answers: {
      200: 'PageTaskExecutionStatus',
      ...errors('ProcessingErrorResponse', 400, 401, 403, 404, 500),
    },
  },
  {
    method: 'GET',
    path: /^\/processing\/executions\/[^/]+$/,
    answers: {
      200: 'JobExecutionStatusV21',
      ...errors('ProcessingErrorResponse', 400, 401, 403, 404, 429, 500),
    },
  },
  {
    method: 'POST',
    path: /^\/monitoring\/executions\/[^/]+\/logs$/,
    answers: {
      200: 'GenerateLogResponse',
      206: 'GenerateLogResponse',
      ...errors('LogsErrorResponse', 400, 401, 403, 404, 500),
    },
  },
  {
    method: 'POST',
    path: /^\/monitoring\/executions\/[^/]+\/logs\/status$/,
    answers: { 200: 'LogStatusResponse', ...errors('LogsErrorResponse', 400, 401, 403, 404, 500) },
  },
  {
    method: 'GET',
    path: /^\/monitoring\/executions\/[^/]+\/logs$/,
    answers: { 200: 'LogsPage', ...errors('LogsErrorResponse', 400, 401, 403, 404, 500) },
  },
  {
    method: 'DELETE',
    path: /^\/monitoring\/executions\/[^/]+\/logs$/,
    answers: { 200: 'DeleteLogsResponse', ...errors('LogsErrorResponse', 400, 401, 403, 404, 500) },
  },
];

function errors(definition: string, ...statuses: number[]): Record<number, string> {
  return Object.fromEntries(statuses.map((status) => [status, definition]));
}

const CLIENT_ID = 'contract-client-id';
const CLIENT_SECRET = 'contract-client-secret';
const MINUTE = 60_000;

const STATUSES = SCHEMA.definitions.TaskExecutionStatus!.properties!.status!.enum!;
const MISFIRED = SCHEMA.definitions.TaskExecutionStatus!.properties!.misfiredExecutionReason!.enum!;
const RUNTIMES: ExecutionRuntime[] = [
  { type: 'CLOUD' },
  { type: 'CLOUD_EXCLUSIVE', runProfileId: uuid(801) },
  { type: 'REMOTE_ENGINE', id: uuid(802), engineId: uuid(802), runProfileId: uuid(803) },
  {
    type: 'REMOTE_ENGINE_CLUSTER',
    id: uuid(804),
    clusterId: uuid(804),
    engineId: uuid(805),
    runProfileId: uuid(806),
  },
];
const EXECUTION_TYPES = ['MANUAL', 'SCHEDULED', 'WEBHOOK', 'PLAN'] as const;

function uuid(n: number): string {
  return `c0c0c0c0-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/**
 * One run per declared status, one per misfire reason, and the in-flight statuses the reference
 * pairs with `dispatching` and `executing` besides the usual ones; runtimes, types and the optional
 * `timeout` and `parallelExecutionAllowed` spread over them.
 */
function tenant(): TenantSpec {
  const now = Date.now();
  const runs: ExecutionSpec[] = [];
  const add = (spec: Partial<ExecutionSpec> & { status: string }) => {
    const n = runs.length;
    const running = spec.status === 'dispatching' || spec.status === 'executing';
    const startTime = now - (90 - n) * MINUTE;
    runs.push({
      id: uuid(n + 1),
      startTime,
      // A run still going logs one line every 20 minutes: a few files in all.
      ...(running ? { entriesPerSecond: 1 / 1200 } : { finishTime: startTime + 30_000 }),
      // The successful run takes two files: a 206, then a 200.
      entryCount: spec.status === 'execution_successful' ? 15 : 6,
      executionType: EXECUTION_TYPES[n % EXECUTION_TYPES.length],
      runtime: RUNTIMES[n % RUNTIMES.length],
      ...(n % 3 === 0 ? { timeout: 60, parallelExecutionAllowed: n % 2 === 0 } : {}),
      ...(spec.status.startsWith('execution_') && spec.status !== 'execution_successful'
        ? { errorMessage: 'tMap_1 failed' }
        : {}),
      ...spec,
    });
  };
  for (const status of STATUSES) add({ status });
  add({ status: 'dispatching', executionStatus: 'EXECUTION_EVENT_RECEIVED' });
  add({ status: 'executing', executionStatus: 'STOPPING_FLOW_EXECUTION' });
  for (const reason of MISFIRED)
    add({ status: 'execution_rejected', misfiredExecutionReason: reason, entryCount: 0 });
  return {
    seed: 2021,
    environments: [{ id: uuid(901), name: 'Production' }],
    workspaces: [{ id: uuid(902), name: 'Finance', environmentId: uuid(901) }],
    tasks: [{ id: uuid(903), name: 'Contract_Task', workspaceId: uuid(902), executions: runs }],
  };
}

describe("the simulator's answers hold to Talend's OpenAPI documents", () => {
  let harness: JobHarness;
  let recorder: TalendRecorder;
  let client: TalendApiClient;
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats.default(ajv);
  ajv.addFormat('int32', {
    type: 'number',
    validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31,
  });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isSafeInteger(n) });
  ajv.addSchema(SCHEMA, 'talend');
  const validators = new Map<string, ValidateFunction>();
  const validator = (definition: string) => {
    let validate = validators.get(definition);
    if (!validate) {
      validate = ajv.getSchema(`talend#/definitions/${definition}`)!;
      validators.set(definition, validate);
    }
    return validate;
  };

  before(async () => {
    harness = await startJobHarness('contract', {
      tenant: tenant(),
      auth: { serviceAccounts: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }] },
      maxEntriesPerFile: 10,
    });
    recorder = await recordTalendSecrets(harness);
    delete harness.env.TALEND_TOKEN;
    Object.assign(harness.env, { TALEND_CLIENT_ID: CLIENT_ID, TALEND_CLIENT_SECRET: CLIENT_SECRET });
    client = createTalendApiClient({
      ...DEFAULTS.services.talend.client,
      retry: DEFAULTS.services.talend.retry,
      baseUrl: resolveBaseUrl({ baseUrl: recorder.url }),
      auth: { kind: 'serviceAccount', clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    });
  });
  after(async () => {
    await client?.close();
    await harness?.close();
  });

  it('through a whole sync and every other read of the client', async () => {
    const result = await harness.runCli(['sync']);
    assert.equal(result.code, 0, result.stderr);
    const ids = executionIdsOf(harness.simulator.tenant);
    for (const id of ids) await client.getExecution(id);
    await client.listWorkspaces();
    await client.pageLogs(ids[0]!, { count: 5 });
    await client.deleteLogs(ids[1]!);

    const failures: string[] = [];
    const seen = new Set<number>();
    for (const exchange of recorder.exchanges) {
      seen.add(exchange.status);
      const problem = check(exchange);
      if (problem !== undefined)
        failures.push(`${exchange.method} ${exchange.path} ${exchange.status}: ${problem}`);
    }
    assert.deepEqual(failures, []);
    assert.ok(recorder.exchanges.length > 100, `${recorder.exchanges.length} exchanges`);
    assert.ok(seen.has(206) && seen.has(404), 'a 206 walk and a rejected run without a log were answered');
    assert.ok(
      recorder.exchanges.some((e) => e.path === '/orchestration/workspaces' && e.status === 200),
      'the workspace list was answered',
    );
  });

  it('with every value the reference declares for a run, and its optional fields, produced', () => {
    const listed = bodies('GET', /\/executions$/).flatMap((page) => (page as { items: object[] }).items);
    const details = bodies('GET', /^\/processing\/executions\/[^/]+$/);
    const missing = [
      ...unseenValues(SCHEMA.definitions.TaskExecutionStatus!, listed),
      // A detail's destination is its listing runtime's type, which has no ELASTIC_ENGINE; one
      // environment version is enough of the two.
      ...unseenValues(SCHEMA.definitions.JobExecutionStatusV21!, details).filter(
        (value) => value !== 'executionDestination=ELASTIC_ENGINE' && value !== 'environmentVersion=1.2',
      ),
      ...unseenValues(SCHEMA.definitions.LogStatusResponse!, bodies('POST', /\/logs\/status$/)),
    ];
    assert.deepEqual(missing, []);
    const absent = (items: object[], fields: string[]) =>
      fields.filter((field) => !items.some((item) => field in item));
    assert.deepEqual(
      absent(listed, [
        'parallelExecutionAllowed',
        'timeout',
        'planId',
        'misfiredExecutionReason',
        'errorMessage',
      ]),
      [],
    );
    const runtimes = listed.map((item) => (item as { runtime: object }).runtime);
    assert.deepEqual(absent(runtimes, ['id', 'engineId', 'clusterId', 'runProfileId']), []);
    assert.deepEqual(
      absent(details, [
        'remoteEngineId',
        'remoteEngineClusterId',
        'runProfileId',
        'jobId',
        'jobVersion',
        'errorType',
      ]),
      [],
    );
  });

  function check(exchange: RecordedExchange): string | undefined {
    const operation = OPERATIONS.find((o) => o.method === exchange.method && o.path.test(exchange.path));
    if (!operation) return 'an operation the schema does not hold';
    const definition = operation.answers[exchange.status];
    if (definition === undefined) return 'a status the reference does not declare for it';
    if (definition === null) return undefined;
    if (!/^application\/json\b/.test(exchange.contentType ?? ''))
      return `answered as ${exchange.contentType}`;
    let body: unknown;
    try {
      body = JSON.parse(exchange.body);
    } catch {
      return `not JSON: ${exchange.body.slice(0, 80)}`;
    }
    const validate = validator(definition);
    return validate(body) ? undefined : ajv.errorsText(validate.errors, { dataVar: definition });
  }

  function bodies(method: string, path: RegExp): object[] {
    return recorder.exchanges
      .filter((e) => e.method === method && path.test(e.path) && e.status === 200)
      .map((e) => JSON.parse(e.body) as object);
  }
});

/** `field=value` for each enum value of the definition (one level of nesting) no answer carried. */
function unseenValues(definition: Definition, answers: object[]): string[] {
  const unseen: string[] = [];
  const walk = (
    properties: Record<string, Definition>,
    values: (name: string) => unknown[],
    prefix: string,
  ) => {
    for (const [name, property] of Object.entries(properties)) {
      if (property.enum) {
        const carried = new Set(values(name));
        for (const value of property.enum) if (!carried.has(value)) unseen.push(`${prefix}${name}=${value}`);
      } else if (property.properties) {
        walk(
          property.properties,
          (inner) => values(name).map((nested) => (nested as Record<string, unknown> | undefined)?.[inner]),
          `${prefix}${name}.`,
        );
      }
    }
  };
  walk(
    definition.properties ?? {},
    (name) => answers.map((answer) => (answer as Record<string, unknown>)[name]),
    '',
  );
  return unseen;
}
