import assert from 'node:assert/strict';
import { mkdtemp, readdir } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { NEXT_END_TIME_HEADER, type RawLogEntry } from '../../src/contracts/talend-api.ts';
import {
  DEFAULT_AUTH,
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
  type TenantSpec,
} from '../../src/simulator/index.ts';

const PAT = DEFAULT_AUTH.personalAccessTokens[0] ?? '';
const ACCOUNT = DEFAULT_AUTH.serviceAccounts[0] ?? { clientId: '', clientSecret: '' };
const T0 = Date.parse('2024-05-01T12:00:00Z');
const SECOND = 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const ENV = '0e3c7c1a-1111-4c1a-9f00-000000000001';
const WS_A = '0e3c7c1a-2222-4c1a-9f00-000000000002';
const WS_B = '0e3c7c1a-3333-4c1a-9f00-000000000003';
const TASK_A = '6a0b1c2d-0000-4e5f-8a9b-00000000000a';
const TASK_B = '6a0b1c2d-0000-4e5f-8a9b-00000000000b';
const SMALL = 'e0000000-0000-4000-8000-000000000001';
const WALK = 'e0000000-0000-4000-8000-000000000002';
const RUNNING = 'e0000000-0000-4000-8000-000000000003';
const FAILED = 'e0000000-0000-4000-8000-000000000004';
const OLD = 'e0000000-0000-4000-8000-000000000005';
const UNKNOWN = 'e0000000-0000-4000-8000-0000000000ff';

function testTenant(): TenantSpec {
  return {
    seed: 99,
    environments: [{ id: ENV, name: 'Production' }],
    workspaces: [
      { id: WS_A, name: 'Finance', environmentId: ENV },
      { id: WS_B, name: 'Sales', environmentId: ENV },
    ],
    tasks: [
      {
        id: TASK_A,
        name: 'Customers_Sync',
        workspaceId: WS_A,
        executions: [
          {
            id: SMALL,
            status: 'execution_successful',
            startTime: T0 - 2 * HOUR,
            finishTime: T0 - 2 * HOUR + 60 * SECOND,
            entryCount: 300,
            executionType: 'MANUAL',
          },
          {
            id: WALK,
            status: 'execution_successful',
            startTime: T0 - 5 * HOUR,
            finishTime: T0 - 5 * HOUR + 20 * SECOND,
            entryCount: 3_500,
          },
          {
            id: RUNNING,
            status: 'executing',
            startTime: T0 - 60 * SECOND,
            entryCount: 0,
            entriesPerSecond: 5,
          },
        ],
      },
      {
        id: TASK_B,
        name: 'Orders_Load',
        workspaceId: WS_B,
        executions: [
          {
            id: FAILED,
            status: 'execution_failed',
            startTime: T0 - 26 * HOUR,
            finishTime: T0 - 25 * HOUR,
            entryCount: 800,
            errorRate: 0.2,
            errorMessage: 'Job failed',
          },
          {
            id: OLD,
            status: 'execution_successful',
            startTime: T0 - 90 * DAY,
            finishTime: T0 - 90 * DAY + HOUR,
            entryCount: 50,
          },
        ],
      },
    ],
  };
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- assertions read whatever came back
  json: any;
}

interface CallOptions {
  method?: 'GET' | 'POST' | 'DELETE';
  headers?: Record<string, string>;
  body?: string;
}

async function call(url: string, options: CallOptions = {}): Promise<Answer> {
  const res = await request(url, {
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
  });
  const text = await res.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode, headers: res.headers, text, json };
}

function api(
  sim: RunningSimulator,
  path: string,
  options: CallOptions & { token?: string } = {},
): Promise<Answer> {
  const headers = {
    authorization: `Bearer ${options.token ?? PAT}`,
    'talend-version': '2021-03',
    ...options.headers,
  };
  return call(`${sim.apiUrl}${path}`, { ...options, headers });
}

interface Clock {
  now: number;
}

const running: RunningSimulator[] = [];

async function launch(options: SimulatorOptions = {}): Promise<{ sim: RunningSimulator; clock: Clock }> {
  const clock = { now: T0 };
  const sim = await startSimulator({ tenant: testTenant(), now: () => clock.now, ...options });
  running.push(sim);
  return { sim, clock };
}

after(async () => {
  await Promise.all(running.map((sim) => sim.close()));
});

function generate(sim: RunningSimulator, id: string, query = ''): Promise<Answer> {
  return api(sim, `/monitoring/executions/${id}/logs${query}`, { method: 'POST' });
}

function pollStatus(sim: RunningSimulator, id: string, token: string, asJson = false): Promise<Answer> {
  return api(sim, `/monitoring/executions/${id}/logs/status`, {
    method: 'POST',
    headers: { 'content-type': asJson ? 'application/json' : 'text/plain' },
    body: asJson ? JSON.stringify(token) : token,
  });
}

async function presignedUrl(sim: RunningSimulator, id: string, token: string): Promise<string> {
  for (let poll = 0; poll < 10; poll++) {
    const answer = await pollStatus(sim, id, token);
    assert.equal(answer.status, 200, answer.text);
    if (answer.json.status === 'READY') return answer.json.presignedURL as string;
  }
  throw new Error('log file never became READY');
}

/** Generate, poll, download: the whole documented round trip for one file. */
async function download(
  sim: RunningSimulator,
  id: string,
  query = '',
): Promise<{ generated: Answer; file: Answer }> {
  const generated = await generate(sim, id, query);
  assert.ok(generated.status === 200 || generated.status === 206, generated.text);
  const file = await call(await presignedUrl(sim, id, generated.json.token as string));
  return { generated, file };
}

function jsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as unknown);
}

const TEXT_ENTRY = /^(\d{4}-\d{2}-\d{2}T\S+) (\S+)\s+\[([^\]]*)\] ([\s\S]*)$/;

/** Splits a TEXT log into entries: a line starting with a timestamp opens one, others continue it. */
function textEntries(text: string): string[] {
  const entries: string[] = [];
  for (const line of text.split('\n').slice(0, -1)) {
    if (/^\d{4}-\d{2}-\d{2}T/.test(line) || entries.length === 0) entries.push(line);
    else entries[entries.length - 1] += `\n${line}`;
  }
  return entries;
}

describe('simulator: authentication', () => {
  let sim: RunningSimulator;
  let clock: Clock;
  before(async () => ({ sim, clock } = await launch()));

  function issueToken(authorization: string, body: unknown): Promise<Answer> {
    return call(`${sim.apiUrl}/security/oauth/token`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  }
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const grant = { audience: 'https://api.us.cloud.talend.com', grant_type: 'client_credentials' };

  it('accepts a personal access token and refuses a missing or unknown one with an ErrorResponse', async () => {
    assert.equal((await api(sim, '/orchestration/workspaces')).status, 200);
    const missing = await call(`${sim.apiUrl}/orchestration/workspaces`);
    const unknown = await api(sim, '/orchestration/workspaces', { token: 'not-a-token' });
    for (const answer of [missing, unknown]) {
      assert.equal(answer.status, 401);
      assert.equal(answer.json.status, 401);
      assert.equal(typeof answer.json.message, 'string');
      assert.equal(answer.json.requestId, answer.headers['x-request-id']);
    }
    assert.notEqual(missing.json.requestId, unknown.json.requestId);
  });

  it('issues service-account tokens that work until they expire', async () => {
    const issued = await issueToken(basic(ACCOUNT.clientId, ACCOUNT.clientSecret), grant);
    assert.equal(issued.status, 200, issued.text);
    assert.equal(issued.json.token_type, 'Bearer');
    assert.equal(issued.json.expires_in, '1800', 'a string, as the reference declares it');
    const token = issued.json.access_token as string;
    assert.equal((await api(sim, '/orchestration/workspaces', { token })).status, 200);
    clock.now += 1800 * SECOND;
    const expired = await api(sim, '/orchestration/workspaces', { token });
    clock.now = T0;
    assert.equal(expired.status, 401);
    assert.match(expired.json.detail, /expired/i);
  });

  it('refuses wrong client credentials and a wrong grant', async () => {
    assert.equal((await issueToken(basic(ACCOUNT.clientId, 'wrong-secret'), grant)).status, 401);
    assert.equal((await issueToken(`Bearer ${PAT}`, grant)).status, 401);
    const wrongGrant = await issueToken(basic(ACCOUNT.clientId, ACCOUNT.clientSecret), {
      ...grant,
      grant_type: 'password',
    });
    assert.equal(wrongGrant.status, 400);
    const noAudience = await issueToken(basic(ACCOUNT.clientId, ACCOUNT.clientSecret), {
      grant_type: 'client_credentials',
    });
    assert.equal(noAudience.status, 400);
  });

  it("issues tokens only for the tenant's audiences when they are configured", async () => {
    const { sim: regional } = await launch({
      auth: { serviceAccounts: [ACCOUNT], audiences: ['https://api.eu.cloud.talend.com'] },
    });
    const ask = (audience: string) =>
      call(`${regional.apiUrl}/security/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: basic(ACCOUNT.clientId, ACCOUNT.clientSecret),
          'content-type': 'application/json',
        },
        body: JSON.stringify({ ...grant, audience }),
      });
    const refused = await ask(regional.apiUrl);
    assert.equal(refused.status, 401);
    assert.deepEqual([refused.json.status, refused.json.message], [401, 'Invalid audience']);
    assert.match(refused.json.detail, /not issued for audience http:\/\/127\.0\.0\.1/);
    assert.equal(refused.json.requestId, refused.headers['x-request-id']);
    assert.equal((await ask('https://api.eu.cloud.talend.com')).status, 200);
    assert.equal(
      (await issueToken(basic(ACCOUNT.clientId, ACCOUNT.clientSecret), grant)).status,
      200,
      'any audience by default',
    );
  });

  it('answers expires_in as a number when configured so (the reference declares a string)', async () => {
    const { sim: other } = await launch({
      auth: {
        serviceAccounts: [{ clientId: 'svc', clientSecret: 'svc-secret' }],
        accessTokenTtlSeconds: 60,
        expiresInAsNumber: true,
      },
    });
    const issued = await call(`${other.apiUrl}/security/oauth/token`, {
      method: 'POST',
      headers: { authorization: basic('svc', 'svc-secret'), 'content-type': 'application/json' },
      body: JSON.stringify(grant),
    });
    assert.equal(issued.json.expires_in, 60);
    assert.equal(
      (await api(other, '/orchestration/workspaces')).status,
      401,
      'the default PAT is not configured here',
    );
  });

  it('counts requests per kind and those without the talend-version header', async () => {
    const before = sim.stats();
    await call(`${sim.apiUrl}/orchestration/workspaces`, { headers: { authorization: `Bearer ${PAT}` } });
    await api(sim, '/orchestration/executables/tasks');
    const stats = sim.stats();
    assert.equal(stats.withoutVersionHeader, before.withoutVersionHeader + 1);
    assert.equal(stats.workspaces, before.workspaces + 1);
    assert.equal(stats.tasks, before.tasks + 1);
  });
});

describe('simulator: discovery', () => {
  let sim: RunningSimulator;
  let clock: Clock;
  before(async () => ({ sim, clock } = await launch()));

  it('lists workspaces as a plain array, each with its environment', async () => {
    const answer = await api(sim, '/orchestration/workspaces');
    assert.ok(Array.isArray(answer.json));
    assert.deepEqual(
      answer.json.map((w: { id: string; environment: { id: string } }) => [w.id, w.environment.id]),
      [
        [WS_A, ENV],
        [WS_B, ENV],
      ],
    );
  });

  it('lists tasks with filters and paging, and validates limit', async () => {
    const all = await api(sim, '/orchestration/executables/tasks');
    assert.equal(all.json.total, 2);
    assert.deepEqual(
      all.json.items.map((t: { executable: string; workspace: { id: string } }) => [
        t.executable,
        t.workspace.id,
      ]),
      [
        [TASK_A, WS_A],
        [TASK_B, WS_B],
      ],
    );
    const byWorkspace = await api(sim, `/orchestration/executables/tasks?workspaceId=${WS_B}`);
    assert.deepEqual(
      byWorkspace.json.items.map((t: { name: string }) => t.name),
      ['Orders_Load'],
    );
    const byName = await api(sim, '/orchestration/executables/tasks?name=customers');
    assert.deepEqual(
      byName.json.items.map((t: { executable: string }) => t.executable),
      [TASK_A],
    );
    const second = await api(sim, '/orchestration/executables/tasks?offset=1&limit=1');
    assert.deepEqual(
      [second.json.items.length, second.json.offset, second.json.limit, second.json.total],
      [1, 1, 1, 2],
    );
    assert.equal((await api(sim, '/orchestration/executables/tasks?limit=0')).status, 400);
    assert.equal((await api(sim, '/orchestration/executables/tasks?limit=101')).status, 400);
  });

  it("lists a task's executions newest first, with both status cases and RFC 3339 times", async () => {
    const answer = await api(sim, `/processing/executables/tasks/${TASK_A}/executions`);
    assert.equal(answer.status, 200);
    assert.deepEqual(
      answer.json.items.map((e: { executionId: string }) => e.executionId),
      [RUNNING, SMALL, WALK],
    );
    assert.deepEqual([answer.json.total, answer.json.limit, answer.json.offset], [3, 100, 0]);
    const [live, small] = answer.json.items;
    assert.deepEqual(
      [live.status, live.executionStatus, live.finishTimestamp],
      ['executing', 'STARTING_FLOW_EXECUTION', undefined],
    );
    assert.equal(small.executionStatus, 'EXECUTION_SUCCESS');
    assert.equal(small.startTimestamp, new Date(T0 - 2 * HOUR).toISOString());
    assert.equal(small.finishTimestamp, new Date(T0 - 2 * HOUR + 60 * SECOND).toISOString());
    assert.equal(small.executionType, 'MANUAL');
    assert.equal(small.taskId, TASK_A);
  });

  it('selects executions by trigger time by default, by overlap as an option, and refuses windows over 60 days', async () => {
    const path = `/processing/executables/tasks/${TASK_A}/executions`;
    const ids = (answer: { json: { items: { executionId: string }[] } }) =>
      answer.json.items.map((e) => e.executionId);
    // [T0-2h+30s, T0-2h+45s] lies inside SMALL only; [T0-1s, T0] inside the running one only.
    const inside = `${path}?from=${T0 - 2 * HOUR + 30 * SECOND}&to=${T0 - 2 * HOUR + 45 * SECOND}`;
    const recent = `${path}?from=${T0 - SECOND}&to=${T0}`;
    const triggered = `${path}?from=${T0 - 2 * HOUR - 10 * SECOND}&to=${T0}`;
    assert.deepEqual(ids(await api(sim, inside)), [], 'SMALL was triggered before the window');
    assert.deepEqual(ids(await api(sim, recent)), []);
    assert.deepEqual(ids(await api(sim, triggered)), [RUNNING, SMALL], 'newest first');
    sim.setVariants({ listingFilter: 'overlap', listingOrder: 'oldest-first' });
    try {
      assert.deepEqual(ids(await api(sim, inside)), [SMALL]);
      // The running one lasts until now.
      assert.deepEqual(ids(await api(sim, recent)), [RUNNING]);
      assert.deepEqual(ids(await api(sim, triggered)), [SMALL, RUNNING], 'oldest first');
    } finally {
      sim.setVariants({ listingFilter: 'trigger', listingOrder: 'newest-first' });
    }
    assert.equal((await api(sim, `${path}?from=${T0 - 61 * DAY}&to=${T0}`)).status, 400);
    assert.equal((await api(sim, `${path}?from=${T0}&to=${T0 - 1}`)).status, 400);
    assert.equal((await api(sim, `${path}?lastDays=61`)).status, 400);
    assert.equal((await api(sim, `${path}?lastDays=0`)).status, 400);
    const old = await api(
      sim,
      `/processing/executables/tasks/${TASK_B}/executions?from=${T0 - 91 * DAY}&to=${T0 - 89 * DAY}`,
    );
    assert.deepEqual(
      old.json.items.map((e: { executionId: string }) => e.executionId),
      [OLD],
    );
    const lastDay = await api(sim, `/processing/executables/tasks/${TASK_B}/executions?lastDays=2`);
    assert.deepEqual(
      lastDay.json.items.map((e: { executionId: string }) => e.executionId),
      [FAILED],
    );
  });

  it('filters by status and pages with offset and limit', async () => {
    const path = `/processing/executables/tasks/${TASK_A}/executions`;
    const ok = await api(sim, `${path}?status=execution_successful`);
    assert.deepEqual(
      ok.json.items.map((e: { executionId: string }) => e.executionId),
      [SMALL, WALK],
    );
    const page = await api(sim, `${path}?offset=1&limit=1`);
    assert.deepEqual([page.json.items[0].executionId, page.json.total], [SMALL, 3]);
    sim.setVariants({ listingTotal: false });
    try {
      const withoutTotal = await api(sim, `${path}?offset=1&limit=1`);
      assert.deepEqual([withoutTotal.json.items[0].executionId, withoutTotal.json.total], [SMALL, undefined]);
    } finally {
      sim.setVariants({ listingTotal: true });
    }
    assert.equal((await api(sim, `${path}?limit=101`)).status, 400);
    assert.equal((await api(sim, `${path}?offset=-1`)).status, 400);
    assert.equal((await api(sim, `/processing/executables/tasks/${UNKNOWN}/executions`)).status, 404);
  });

  it('lists across tasks, filtered by environment and workspace', async () => {
    const all = await api(sim, `/processing/executables/tasks/executions?environmentId=${ENV}`);
    assert.deepEqual(
      all.json.items.map((e: { executionId: string }) => e.executionId),
      [RUNNING, SMALL, WALK, FAILED],
    );
    const sales = await api(sim, `/processing/executables/tasks/executions?workspaceId=${WS_B}`);
    assert.deepEqual(
      sales.json.items.map((e: { executionId: string }) => e.executionId),
      [FAILED],
    );
  });

  it('details one execution with its workspace and error, and nothing the reference does not declare', async () => {
    const answer = await api(sim, `/processing/executions/${FAILED}`);
    assert.equal(answer.json.workspaceId, WS_B);
    for (const undeclared of ['taskId', 'taskVersion', 'runtime', 'environmentId']) {
      assert.equal(answer.json[undeclared], undefined, undeclared);
    }
    assert.equal(answer.json.executionDestination, 'CLOUD');
    assert.equal(answer.json.errorMessage, 'Job failed');
    assert.equal(answer.json.status, 'execution_failed');
    assert.equal(typeof answer.json.numberOfProcessedRows, 'number');
    assert.equal((await api(sim, `/processing/executions/${UNKNOWN}`)).status, 404);
    assert.equal((await api(sim, '/processing/executions/not-a-uuid')).status, 400);
  });

  it('shows a rejected run without finishTimestamp and answers 404 for its log, or as documented', async () => {
    const rejected = 'e0000000-0000-4000-8000-0000000000bb';
    sim.addExecution(TASK_B, {
      id: rejected,
      status: 'execution_rejected',
      startTime: T0 - 10 * SECOND,
      finishTime: T0 - 10 * SECOND,
      entryCount: 0,
    });
    try {
      const observed = await api(sim, `/processing/executions/${rejected}`);
      assert.deepEqual(
        [observed.json.status, observed.json.finishTimestamp],
        ['execution_rejected', undefined],
      );
      assert.equal((await generate(sim, rejected)).status, 404);
      sim.setVariants({ rejectedRuns: 'finished-with-log' });
      const documented = await api(sim, `/processing/executions/${rejected}`);
      assert.equal(documented.json.finishTimestamp, new Date(T0 - 10 * SECOND).toISOString());
      assert.equal((await generate(sim, rejected)).status, 200);
    } finally {
      sim.setVariants({ rejectedRuns: 'no-finish-no-log' });
      sim.deleteExecution(rejected);
    }
  });

  it('shows executions appearing, finishing and disappearing', async () => {
    const added = 'e0000000-0000-4000-8000-0000000000aa';
    sim.addExecution(TASK_B, { id: added, status: 'executing', startTime: T0 - 10 * SECOND, entryCount: 0 });
    assert.equal((await api(sim, `/processing/executions/${added}`)).json.status, 'executing');
    clock.now = T0 + 20 * SECOND;
    sim.finishExecution(added, T0 + 15 * SECOND);
    const finished = await api(sim, `/processing/executions/${added}`);
    assert.equal(finished.json.finishTimestamp, new Date(T0 + 15 * SECOND).toISOString());
    assert.equal(finished.json.status, 'execution_successful');
    assert.equal(sim.entryCount(added), 51, 'two entries per second by default, over 25 s');
    sim.deleteExecution(added);
    assert.equal((await api(sim, `/processing/executions/${added}`)).status, 404);
    assert.equal((await generate(sim, added)).status, 404);
    clock.now = T0;
  });
});

describe('simulator: generate, status and download', () => {
  let sim: RunningSimulator;
  let clock: Clock;
  before(async () => ({ sim, clock } = await launch({ maxEntriesPerFile: 1000 })));
  const truth = (id: string, range?: { startTime?: number; endTime?: number }) => [...sim.entries(id, range)];

  it('round-trips a small log as a JSON array equal to the truth', async () => {
    const { generated, file } = await download(sim, SMALL);
    assert.equal(generated.status, 200);
    assert.equal(generated.json.size, 300);
    assert.equal(generated.headers[NEXT_END_TIME_HEADER], undefined);
    assert.equal(file.status, 200);
    assert.equal(file.headers['content-encoding'], undefined);
    assert.deepEqual(JSON.parse(file.text), truth(SMALL));
    assert.equal(sim.entryCount(SMALL), 300);
  });

  it('writes every JSON shape and the TEXT format', async () => {
    const expected = truth(FAILED);
    sim.setVariants({ jsonShape: 'data' });
    assert.deepEqual(JSON.parse((await download(sim, FAILED)).file.text), { data: expected });
    sim.setVariants({ jsonShape: 'jsonl' });
    assert.deepEqual(jsonLines((await download(sim, FAILED)).file.text), expected);
    sim.setVariants({ jsonShape: 'array' });

    const text = (await download(sim, FAILED, '?fileFormat=TEXT')).file.text;
    const parsed = textEntries(text).map((entry) => TEXT_ENTRY.exec(entry)?.slice(1));
    assert.deepEqual(
      parsed,
      expected.map((e) => [
        new Date(e.logTimestamp as number).toISOString(),
        e.severity,
        e.bundleName,
        e.logMessage,
      ]),
    );
    assert.ok(
      expected.some((e) => String(e.logMessage).includes('\n\tat ')),
      'stack traces continue over lines',
    );
  });

  it('names the file taskId_executionId.log when asked', async () => {
    const generated = await generate(sim, SMALL, '?newFileName=true');
    const url = new URL(await presignedUrl(sim, SMALL, generated.json.token as string));
    assert.ok(url.pathname.endsWith(`/${TASK_A}_${SMALL}.log`), url.pathname);
    assert.ok(url.href.startsWith(sim.objectStoreUrl));
    assert.ok(url.searchParams.get('X-Amz-Signature'));
    assert.equal(url.searchParams.get('X-Amz-Expires'), '3600');
  });

  it('selects [startTime, endTime], endTime inclusive or exclusive per variant', async () => {
    const all = truth(SMALL);
    const startTime = all[50]?.logTimestamp as number;
    const endTime = Math.floor((all[200]?.logTimestamp as number) / SECOND) * SECOND;
    const query = `?startTime=${new Date(startTime).toISOString()}&endTime=${new Date(endTime).toISOString().slice(0, 19)}Z`;
    const inclusive = JSON.parse((await download(sim, SMALL, query)).file.text) as RawLogEntry[];
    assert.deepEqual(inclusive, truth(SMALL, { startTime, endTime }));
    assert.ok(inclusive.length > 100);

    sim.setVariants({ boundary: 'exclusive' });
    const exclusive = JSON.parse((await download(sim, SMALL, query)).file.text) as RawLogEntry[];
    sim.setVariants({ boundary: 'inclusive' });
    assert.deepEqual(exclusive, truth(SMALL, { startTime, endTime: endTime - 1 }));
  });

  it('refuses a non-UUID id, an unknown execution, an unparsable time and an unknown format', async () => {
    assert.equal((await generate(sim, 'not-a-uuid')).status, 400);
    assert.equal((await generate(sim, UNKNOWN)).status, 404);
    assert.equal((await generate(sim, SMALL, '?endTime=yesterday')).status, 400);
    assert.equal((await generate(sim, SMALL, '?endTime=2024-05-01%2012:00:00')).status, 400);
    assert.equal((await generate(sim, SMALL, '?fileFormat=XML')).status, 400);
    assert.equal((await api(sim, '/monitoring/executions/not-a-uuid/logs')).status, 400);
  });

  it('answers IN_PROGRESS for the configured polls, then READY; takes the token as text or JSON string', async () => {
    sim.setVariants({ statusPollsBeforeReady: 2 });
    const { token } = (await generate(sim, SMALL)).json;
    assert.equal((await pollStatus(sim, SMALL, token)).json.status, 'IN_PROGRESS');
    assert.equal((await pollStatus(sim, SMALL, token, true)).json.status, 'IN_PROGRESS');
    const ready = await pollStatus(sim, SMALL, token, true);
    sim.setVariants({ statusPollsBeforeReady: 1 });
    assert.equal(ready.json.status, 'READY');
    assert.equal((await call(ready.json.presignedURL)).status, 200);
    assert.equal((await pollStatus(sim, SMALL, 'no-such-token')).status, 404);
    assert.equal((await pollStatus(sim, FAILED, token)).status, 404, 'a token belongs to its execution');
  });

  it('expires tokens after the configured lifetime', async () => {
    sim.setVariants({ logTokenTtlSeconds: 60 });
    const { token } = (await generate(sim, SMALL)).json;
    sim.setVariants({ logTokenTtlSeconds: 3600 });
    clock.now = T0 + 61 * SECOND;
    const expired = await pollStatus(sim, SMALL, token);
    clock.now = T0;
    assert.equal(expired.status, 400);
    assert.match(expired.json.message, /expired/);
  });

  interface WalkVariant {
    /** Milliseconds the header is floored to. */
    precision: number;
    exclusive: boolean;
    /** Added to the header to make the next endTime. */
    widenMs: number;
  }

  /**
   * Walks the 3,500-entry log backwards in files of 1,000, checking each file against the truth;
   * returns the positions of the entries that some file covered.
   */
  async function walk({ precision, exclusive, widenMs }: WalkVariant): Promise<Set<number>> {
    const all = truth(WALK);
    const covered = new Set<number>();
    let endTime: number | undefined;
    for (let file = 0; file < 10; file++) {
      const query = endTime === undefined ? '' : `?endTime=${new Date(endTime).toISOString()}`;
      const { generated, file: body } = await download(sim, WALK, query);
      const entries = JSON.parse(body.text) as RawLogEntry[];
      const upTo =
        endTime === undefined
          ? all.length
          : sim.entryCount(WALK, { endTime: exclusive ? endTime - 1 : endTime });
      const expected = all.slice(Math.max(0, upTo - 1000), upTo);
      assert.deepEqual(entries, expected, `file ${file}`);
      for (let i = upTo - expected.length; i < upTo; i++) covered.add(i);
      if (generated.status === 200) return covered;
      assert.equal(generated.status, 206);
      assert.equal(generated.json.size, 1000);
      const header = generated.headers[NEXT_END_TIME_HEADER] as string;
      assert.match(header, precision === SECOND ? /T\d{2}:\d{2}:\d{2}Z$/ : /\.\d{3}Z$/);
      assert.equal(
        Date.parse(header),
        Math.floor((entries[0]?.logTimestamp as number) / precision) * precision,
      );
      endTime = Date.parse(header) + widenMs;
    }
    throw new Error('the walk did not end');
  }

  it('206-walks backwards: seconds header, inclusive; verbatim loses the floored gap, +1 s covers all', async () => {
    assert.equal(sim.entryCount(WALK), 3_500);
    const verbatim = await walk({ precision: SECOND, exclusive: false, widenMs: 0 });
    assert.ok(
      verbatim.size < 3_500,
      'flooring to the second skips the entries between the floor and the oldest',
    );
    assert.equal((await walk({ precision: SECOND, exclusive: false, widenMs: SECOND })).size, 3_500);
  });

  it('206-walks backwards: millisecond header, inclusive covers all; exclusive needs +1 ms', async () => {
    sim.setVariants({ nextEndTimeFormat: 'millis' });
    assert.equal((await walk({ precision: 1, exclusive: false, widenMs: 0 })).size, 3_500);
    sim.setVariants({ boundary: 'exclusive' });
    const verbatim = await walk({ precision: 1, exclusive: true, widenMs: 0 });
    const widened = await walk({ precision: 1, exclusive: true, widenMs: 1 });
    sim.setVariants({ boundary: 'inclusive', nextEndTimeFormat: 'seconds' });
    assert.ok(verbatim.size <= 3_500);
    assert.equal(widened.size, 3_500);
  });

  it('pages through entries newest first or oldest first, with validation', async () => {
    const all = truth(SMALL);
    const first = await api(sim, `/monitoring/executions/${SMALL}/logs`);
    assert.deepEqual(
      [first.json.size, first.json.totalSize, first.json.totalSizeFiltered, first.json.nextIndex],
      [50, 300, 300, 50],
    );
    assert.deepEqual(first.json.data, all.slice(-50).reverse());
    const last = await api(sim, `/monitoring/executions/${SMALL}/logs?order=ASC&startIndex=250&count=200`);
    assert.deepEqual(last.json.data, all.slice(250));
    assert.equal(last.json.nextIndex, undefined);
    const startTime = all[100]?.logTimestamp as number;
    const endTime = all[119]?.logTimestamp as number;
    const window = await api(
      sim,
      `/monitoring/executions/${SMALL}/logs?order=asc&startTime=${startTime}&endTime=${endTime}&count=200`,
    );
    assert.deepEqual(window.json.data, truth(SMALL, { startTime, endTime }));
    assert.equal(window.json.totalSizeFiltered, window.json.data.length);
    for (const bad of ['count=201', 'count=0', 'startIndex=-1', 'order=SIDEWAYS', 'startTime=soon']) {
      assert.equal((await api(sim, `/monitoring/executions/${SMALL}/logs?${bad}`)).status, 400, bad);
    }
  });

  it('follows a running execution as it logs, and deletes logs for good', async () => {
    const firstCount = (await generate(sim, RUNNING)).json.size as number;
    assert.equal(firstCount, sim.entryCount(RUNNING));
    assert.equal(firstCount, 301, 'five entries per second for 60 s, the first at the start');
    clock.now = T0 + 10 * SECOND;
    assert.equal((await generate(sim, RUNNING)).json.size, 351);
    const { file } = await download(sim, RUNNING, `?startTime=${new Date(T0).toISOString().slice(0, 19)}Z`);
    assert.deepEqual(JSON.parse(file.text), truth(RUNNING, { startTime: T0 }));

    assert.equal((await api(sim, `/monitoring/executions/${FAILED}/logs`, { method: 'DELETE' })).status, 200);
    assert.deepEqual(truth(FAILED), []);
    assert.equal((await generate(sim, FAILED)).json.size, 0);
    assert.equal((await api(sim, `/monitoring/executions/${FAILED}/logs`)).json.totalSize, 0);
    assert.equal(
      (await api(sim, `/monitoring/executions/${UNKNOWN}/logs`, { method: 'DELETE' })).status,
      404,
    );
    clock.now = T0;
  });
});

describe('simulator: object store', () => {
  let sim: RunningSimulator;
  let clock: Clock;
  let url: string;
  before(async () => {
    ({ sim, clock } = await launch({ variants: { presignedUrlTtlSeconds: 600 } }));
    url = await presignedUrl(sim, SMALL, (await generate(sim, SMALL)).json.token as string);
  });

  it('serves a valid URL, refuses a tampered signature or path', async () => {
    assert.equal((await call(url)).status, 200);
    const tampered = new URL(url);
    tampered.searchParams.set('X-Amz-Signature', '0'.repeat(64));
    const bad = await call(tampered.href);
    assert.equal(bad.status, 403);
    assert.match(bad.text, /SignatureDoesNotMatch/);
    const longer = new URL(url);
    longer.searchParams.set('X-Amz-Expires', '999999');
    assert.equal((await call(longer.href)).status, 403);
    const otherKey = url.replace(/\/logs\/[0-9a-f]+\//, '/logs/0123456789abcdef/');
    assert.equal((await call(otherKey)).status, 403);
  });

  it('refuses a request that also carries an Authorization header', async () => {
    const answer = await call(url, { headers: { authorization: `Bearer ${PAT}` } });
    assert.equal(answer.status, 400);
    assert.match(answer.text, /InvalidArgument/);
  });

  it('expires presigned URLs after their lifetime', async () => {
    clock.now = T0 + 601 * SECOND;
    const answer = await call(url);
    clock.now = T0;
    assert.equal(answer.status, 403);
    assert.match(answer.text, /Request has expired/);
  });

  it('gzips when the variant is on and the client accepts it', async () => {
    sim.setVariants({ gzip: 'content-encoding' });
    const zipped = await request(url, { headers: { 'accept-encoding': 'gzip' } });
    const body = Buffer.from(await zipped.body.arrayBuffer());
    const plain = await call(url);
    sim.setVariants({ gzip: false });
    assert.equal(zipped.headers['content-encoding'], 'gzip');
    assert.deepEqual(JSON.parse(gunzipSync(body).toString('utf8')), [...sim.entries(SMALL)]);
    assert.equal(plain.headers['content-encoding'], undefined, 'no gzip unless accepted');
    assert.deepEqual(JSON.parse(plain.text), [...sim.entries(SMALL)]);
  });

  it('serves a file stored gzipped as it is, typed application/gzip or octet-stream, without Content-Encoding', async () => {
    for (const [gzip, contentType] of [
      ['content-type', 'application/gzip'],
      ['bytes-only', 'application/octet-stream'],
    ] as const) {
      sim.setVariants({ gzip });
      const answer = await request(url);
      const body = Buffer.from(await answer.body.arrayBuffer());
      sim.setVariants({ gzip: false });
      assert.equal(answer.headers['content-encoding'], undefined, gzip);
      assert.equal(answer.headers['content-type'], contentType);
      assert.deepEqual(JSON.parse(gunzipSync(body).toString('utf8')), [...sim.entries(SMALL)]);
    }
  });
});

describe('simulator: object store in Azure style', () => {
  let sim: RunningSimulator;
  let clock: Clock;
  let url: string;
  const AUTH_FAILED =
    /^<\?xml[^>]*><Error><Code>AuthenticationFailed<\/Code><Message>Server failed to authenticate the request\. Make sure the value of Authorization header is formed correctly including the signature\.\nRequestId:[0-9a-f-]{36}\nTime:\S+<\/Message><AuthenticationErrorDetail>/;
  before(async () => {
    ({ sim, clock } = await launch({ variants: { presignedUrlTtlSeconds: 600, objectStore: 'azure' } }));
    url = await presignedUrl(sim, SMALL, (await generate(sim, SMALL)).json.token as string);
  });

  it('hands out SAS URLs and serves them', async () => {
    const params = new URL(url).searchParams;
    assert.deepEqual([...params.keys()].sort(), ['se', 'sig', 'sp', 'sr', 'sv']);
    assert.equal(params.get('se'), new Date(T0 + 600 * SECOND).toISOString().replace('.000', ''));
    const answer = await call(url);
    assert.equal(answer.status, 200);
    assert.match(answer.headers['x-ms-request-id'] as string, /^[0-9a-f-]{36}$/);
    assert.deepEqual(JSON.parse(answer.text), [...sim.entries(SMALL)]);
  });

  it('refuses a tampered signature or expiry with AuthenticationFailed, not as an expiry', async () => {
    for (const [name, value] of [
      ['sig', Buffer.alloc(32).toString('base64')],
      ['se', '2099-01-01T00:00:00Z'],
    ]) {
      const tampered = new URL(url);
      tampered.searchParams.set(name!, value!);
      const answer = await call(tampered.href);
      assert.equal(answer.status, 403, name);
      assert.equal(answer.headers['x-ms-error-code'], 'AuthenticationFailed');
      assert.match(answer.text, AUTH_FAILED);
      assert.match(answer.text, /<AuthenticationErrorDetail>Signature did not match/);
    }
    const missing = await call(url.replace(/\/logs\/[0-9a-f]+\//, '/logs/0123456789abcdef/'));
    assert.equal(missing.status, 403, 'the path is signed too');
  });

  it('expires SAS URLs after their lifetime, and early by fault, in Azure words', async () => {
    clock.now = T0 + 601 * SECOND;
    const late = await call(url);
    clock.now = T0;
    sim.setFaults([{ kind: 'download', fault: 'expiredPresignedUrl', times: 1 }]);
    const early = await call(url);
    sim.setFaults([]);
    const expiry = new Date(T0 + 600 * SECOND).toUTCString();
    for (const [answer, usedAt] of [
      [late, T0 + 601 * SECOND],
      [early, T0 + 601 * SECOND],
    ] as const) {
      assert.equal(answer.status, 403);
      assert.equal(answer.headers['x-ms-error-code'], 'AuthenticationFailed');
      assert.match(answer.text, AUTH_FAILED);
      assert.ok(
        answer.text.includes(
          `<AuthenticationErrorDetail>Signed expiry time [${expiry}] must be after signed start time [${new Date(usedAt).toUTCString()}]</AuthenticationErrorDetail>`,
        ),
        answer.text,
      );
    }
    assert.equal((await call(url)).status, 200, 'the fault expired it once');
  });

  it("answers faults and unknown blobs with Azure's codes", async () => {
    sim.setFaults([{ kind: 'download', fault: 'http503', times: 1 }]);
    const busy = await call(url);
    sim.setFaults([]);
    assert.deepEqual([busy.status, busy.headers['x-ms-error-code']], [503, 'ServerBusy']);
    const unknown = await call(`${sim.objectStoreUrl}/nothing-here`);
    assert.deepEqual([unknown.status, unknown.headers['x-ms-error-code']], [404, 'BlobNotFound']);
  });
});

describe('simulator: log files stored on disk', () => {
  let dir: string;
  let stored: RunningSimulator;
  let generating: RunningSimulator;
  before(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'simulator-store-')), 'files');
    ({ sim: stored } = await launch({ maxEntriesPerFile: 1000, storeLogFilesIn: dir }));
    ({ sim: generating } = await launch({ maxEntriesPerFile: 1000 }));
  });

  /** The same request of both simulators: the stored file must be byte for byte the generated one. */
  async function bothFiles(id: string, query = ''): Promise<{ generated: Answer; file: Answer }> {
    const [fromDisk, generated] = await Promise.all([
      download(stored, id, query),
      download(generating, id, query),
    ]);
    assert.equal(fromDisk.generated.status, generated.generated.status);
    assert.equal(fromDisk.file.status, 200);
    assert.equal(fromDisk.file.text, generated.file.text);
    return fromDisk;
  }

  it('keeps one file per finished execution while it runs', async () => {
    assert.deepEqual((await readdir(dir)).sort(), [FAILED, OLD, SMALL, WALK].map((id) => `${id}.log`).sort());
  });

  it('serves every chunk of a 206 walk, and a window, as they would be generated', async () => {
    const fromDisk = stored.stats().storedDownloads;
    let query = '';
    let chunks = 0;
    for (;;) {
      const { generated, file } = await bothFiles(WALK, query);
      chunks++;
      assert.ok((JSON.parse(file.text) as unknown[]).length > 0);
      const next = generated.headers[NEXT_END_TIME_HEADER];
      if (generated.status === 200) break;
      query = `?endTime=${String(next)}`;
    }
    assert.equal(chunks, 4);
    const all = [...stored.entries(SMALL)];
    const start = new Date(all[10]!.logTimestamp as number).toISOString();
    const end = `${new Date(all[120]!.logTimestamp as number).toISOString().slice(0, 19)}Z`;
    const { file } = await bothFiles(SMALL, `?startTime=${start}&endTime=${end}`);
    assert.ok((JSON.parse(file.text) as unknown[]).length > 100);
    const empty = await bothFiles(SMALL, `?endTime=${new Date(T0 - 3 * HOUR).toISOString().slice(0, 19)}Z`);
    assert.deepEqual(JSON.parse(empty.file.text), []);
    assert.equal(stored.stats().storedDownloads, fromDisk + chunks + 2);
    assert.equal(generating.stats().storedDownloads, 0);
  });

  it('generates what it does not keep: running executions, other shapes, faults that alter the file', async () => {
    const fromDisk = stored.stats().storedDownloads;
    await bothFiles(RUNNING);
    for (const sim of [stored, generating]) sim.setVariants({ jsonShape: 'jsonl' });
    await bothFiles(FAILED);
    for (const sim of [stored, generating])
      sim.setVariants({ jsonShape: 'wrapped', logTimestampFormat: 'iso' });
    const wrapped = JSON.parse((await bothFiles(FAILED)).file.text) as { logs: RawLogEntry[] };
    assert.equal(typeof wrapped.logs[0]!.logTimestamp, 'string');
    for (const sim of [stored, generating]) sim.setVariants({ logTimestampFormat: 'millis' });
    for (const sim of [stored, generating]) {
      sim.setVariants({ jsonShape: 'array' });
      sim.setFaults([{ kind: 'download', fault: 'malformedLines' }]);
    }
    const { file } = await bothFiles(FAILED);
    for (const sim of [stored, generating]) sim.setFaults([]);
    assert.equal(stored.stats().storedDownloads, fromDisk);
    assert.ok(
      (JSON.parse(file.text) as RawLogEntry[]).some((entry) => typeof entry.logTimestamp !== 'number'),
    );
  });

  it('removes its files on close', async () => {
    await stored.close();
    await assert.rejects(readdir(dir), { code: 'ENOENT' });
  });
});

describe('simulator: faults', () => {
  let sim: RunningSimulator;
  before(async () => ({ sim } = await launch()));
  const workspaces = () => api(sim, '/orchestration/workspaces');

  async function freshUrl(id = SMALL): Promise<string> {
    return presignedUrl(sim, id, (await generate(sim, id)).json.token as string);
  }

  it('answers 429 without Retry-After by default, with it when asked, a given number of times', async () => {
    sim.setFaults([{ kind: 'workspaces', fault: 'http429', times: 2 }]);
    const first = await workspaces();
    assert.deepEqual([first.status, first.headers['retry-after'], first.json.status], [429, undefined, 429]);
    sim.setVariants({ retryAfter: true });
    const second = await workspaces();
    sim.setVariants({ retryAfter: false });
    assert.deepEqual([second.status, second.headers['retry-after']], [429, '1']);
    assert.equal((await workspaces()).status, 200, 'fails twice, then succeeds');
  });

  it('answers 500, 502 and 503 as ErrorResponses, on the matching kind only', async () => {
    for (const [fault, status] of [
      ['http500', 500],
      ['http502', 502],
      ['http503', 503],
    ] as const) {
      sim.setFaults([{ kind: 'tasks', fault }]);
      const answer = await api(sim, '/orchestration/executables/tasks');
      assert.deepEqual([answer.status, answer.json.status], [status, status]);
      assert.equal(typeof answer.json.requestId, 'string');
      assert.equal((await workspaces()).status, 200);
    }
    sim.setFaults([{ kind: 'download', fault: 'http503' }]);
    const download = await call(await freshUrl());
    assert.equal(download.status, 503);
    assert.match(download.text, /SlowDown/);
    sim.setFaults([]);
  });

  it('draws faults at the given rate, reproducibly for a seed, and only for the given execution', async () => {
    const countFailures = async (target: RunningSimulator) => {
      target.setFaults([{ kind: '*', fault: 'http500', rate: 0.3 }]);
      let failures = 0;
      for (let i = 0; i < 100; i++)
        if ((await api(target, '/orchestration/workspaces')).status === 500) failures++;
      target.setFaults([]);
      return failures;
    };
    const failures = await countFailures(sim);
    assert.ok(failures > 10 && failures < 50, `${failures} failures at rate 0.3`);
    const { sim: twin } = await launch();
    assert.equal(await countFailures(twin), failures);

    sim.setFaults([{ kind: 'generateLog', fault: 'http500', executionId: FAILED }]);
    assert.equal((await generate(sim, FAILED)).status, 500);
    assert.equal((await generate(sim, SMALL)).status, 200);
    sim.setFaults([]);
  });

  it('resets the connection in the middle of a download and of an API answer', async () => {
    const url = await freshUrl(FAILED);
    sim.setFaults([{ kind: 'download', fault: 'resetMidBody' }]);
    const res = await request(url);
    assert.equal(res.statusCode, 200);
    await assert.rejects(res.body.text());
    sim.setFaults([{ kind: 'tasks', fault: 'resetMidBody' }]);
    await assert.rejects(api(sim, '/orchestration/executables/tasks'));
    sim.setFaults([]);
    assert.deepEqual(JSON.parse((await call(url)).text), [...sim.entries(FAILED)]);
  });

  it('truncates a body cleanly: the transfer ends but the JSON is cut', async () => {
    const url = await freshUrl(FAILED);
    const complete = (await call(url)).text;
    sim.setFaults([{ kind: 'download', fault: 'truncatedBody', times: 1 }]);
    const cut = await call(url);
    assert.equal(cut.status, 200);
    assert.ok(cut.text.length > 1000 && cut.text.length < complete.length);
    assert.ok(complete.startsWith(cut.text));
    assert.throws(() => JSON.parse(cut.text));
    sim.setFaults([{ kind: 'workspaces', fault: 'truncatedBody', times: 1 }]);
    const answer = await workspaces();
    assert.equal(answer.status, 200);
    assert.equal(answer.json, undefined);
    sim.setFaults([]);
  });

  it('answers slowly', async () => {
    sim.setFaults([{ kind: 'workspaces', fault: 'slow', delayMs: 300 }]);
    const started = performance.now();
    assert.equal((await workspaces()).status, 200);
    sim.setFaults([]);
    assert.ok(performance.now() - started >= 290);
  });

  it('expires a fresh presigned URL, once', async () => {
    const url = await freshUrl();
    sim.setFaults([{ kind: 'download', fault: 'expiredPresignedUrl', times: 1 }]);
    const expired = await call(url);
    assert.equal(expired.status, 403);
    assert.match(expired.text, /Request has expired/);
    assert.equal((await call(url)).status, 200);
  });

  it('expires an access token early: it stays expired, while a PAT only fails that once', async () => {
    const issued = await call(`${sim.apiUrl}/security/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${ACCOUNT.clientId}:${ACCOUNT.clientSecret}`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ audience: 'https://api.eu.cloud.talend.com', grant_type: 'client_credentials' }),
    });
    const token = issued.json.access_token as string;
    sim.setFaults([{ kind: '*', fault: 'expiredAccessToken', times: 2 }]);
    assert.equal((await api(sim, '/orchestration/workspaces', { token })).status, 401);
    assert.equal((await workspaces()).status, 401);
    assert.equal(
      (await api(sim, '/orchestration/workspaces', { token })).status,
      401,
      'the early-expired token stays expired',
    );
    assert.equal((await workspaces()).status, 200);
    sim.setFaults([]);
  });

  it('keeps a log file IN_PROGRESS while stuck', async () => {
    const { token } = (await generate(sim, SMALL)).json;
    sim.setFaults([{ kind: 'logStatus', fault: 'stuckInProgress' }]);
    for (let poll = 0; poll < 5; poll++)
      assert.equal((await pollStatus(sim, SMALL, token)).json.status, 'IN_PROGRESS');
    sim.setFaults([]);
    assert.equal((await pollStatus(sim, SMALL, token)).json.status, 'READY');
  });

  it('breaks exactly the reported entries with malformedLines, in every format', async () => {
    const broken = sim.malformedEntryIndexes(FAILED);
    assert.ok(broken.length >= 3, `only ${broken.length} malformed entries`);
    const expected = [...sim.entries(FAILED)];
    sim.setFaults([{ kind: 'download', fault: 'malformedLines' }]);

    sim.setVariants({ jsonShape: 'jsonl' });
    const lines = (await call(await freshUrl(FAILED))).text.split('\n').slice(0, -1);
    const badLines = lines.flatMap((line, i) => {
      try {
        return typeof (JSON.parse(line) as RawLogEntry).logTimestamp === 'number' ? [] : [i];
      } catch {
        return [i];
      }
    });
    assert.deepEqual(badLines, broken);
    assert.ok(
      lines.some((line) => !line.endsWith('}')),
      'some lines are not even JSON',
    );

    sim.setVariants({ jsonShape: 'array' });
    const array = JSON.parse((await call(await freshUrl(FAILED))).text) as RawLogEntry[];
    assert.deepEqual(
      array.flatMap((entry, i) => (typeof entry.logTimestamp === 'number' ? [] : [i])),
      broken,
    );
    assert.deepEqual(
      array.filter((_, i) => !broken.includes(i)),
      expected.filter((_, i) => !broken.includes(i)),
    );

    const generated = await generate(sim, FAILED, '?fileFormat=TEXT');
    const text = (await call(await presignedUrl(sim, FAILED, generated.json.token as string))).text;
    const undatable = textEntries(text).flatMap((entry, i) =>
      Number.isNaN(Date.parse(entry.slice(0, entry.indexOf(' ')))) ? [i] : [],
    );
    assert.deepEqual(undatable, broken);
    sim.setFaults([]);
  });
});

describe('simulator: rate limits', () => {
  it('enforces per-minute quotas per API group when configured', async () => {
    const { sim, clock } = await launch({ rateLimits: { monitoring: 3 } });
    for (let i = 0; i < 3; i++) assert.equal((await generate(sim, SMALL)).status, 200);
    const limited = await generate(sim, SMALL);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['retry-after'], undefined);
    sim.setVariants({ retryAfter: true });
    assert.equal((await generate(sim, SMALL)).headers['retry-after'], '60', 'the rest of the minute');
    assert.equal((await api(sim, `/processing/executions/${SMALL}`)).status, 200, 'another group');
    clock.now = T0 + 60 * SECOND;
    assert.equal((await generate(sim, SMALL)).status, 200, 'a new minute');
  });
});
