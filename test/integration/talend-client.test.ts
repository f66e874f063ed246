import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import type { RawLogEntry } from '../../src/contracts/talend-api.ts';
import { startSimulator, type RunningSimulator, type TenantSpec } from '../../src/simulator/index.ts';
import {
  LogNotReadyError,
  PresignedUrlExpiredError,
  TalendApiError,
  TalendNetworkError,
  resolveBaseUrl,
  type TalendClientOptions,
} from '../../src/talend/index.ts';
import { createTalendApiClient } from '../../src/talend/client.ts';
import type { TalendApiClient } from '../../src/talend/types.ts';
import { DEFAULTS } from '../support/config.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const NOW = Date.now();
const PAT = 'integration-personal-access-token';
const SERVICE_ACCOUNT = { clientId: 'integration-client', clientSecret: 'integration-client-secret-value' };
const FAST_RETRY = { maxAttempts: 4, baseMs: 5, maxMs: 2000, budgetMs: 20_000 };

const ENV = randomUUID();
const WS_A = randomUUID();
const WS_B = randomUUID();
const TASK = randomUUID();
const SMALL = randomUUID();
const ERASABLE = randomUUID();
const LIST_TASK = randomUUID();
const LIST_FROM = NOW - 130 * DAY;

/** Runs of LIST_TASK: every 14 h over 140 days, plus long ones straddling the 60-day window edges. */
function listedRuns(): TenantSpec['tasks'][number]['executions'] {
  const runs = [];
  for (let start = NOW - 140 * DAY; start < NOW - HOUR; start += 14 * HOUR) {
    runs.push({
      id: randomUUID(),
      status: 'execution_successful',
      startTime: start,
      finishTime: start + HOUR,
      entryCount: 3,
    });
  }
  for (const edge of [LIST_FROM, LIST_FROM + 60 * DAY, LIST_FROM + 120 * DAY]) {
    runs.push({
      id: randomUUID(),
      status: 'execution_failed',
      startTime: edge - DAY,
      finishTime: edge + DAY,
      entryCount: 3,
    });
  }
  return runs;
}

function tenant(): TenantSpec {
  const fillers = Array.from({ length: 128 }, (_, i) => ({
    id: randomUUID(),
    name: `Filler_${i}`,
    workspaceId: i % 2 === 0 ? WS_A : WS_B,
    executions: [],
  }));
  const run = (id: string, entryCount: number, hoursAgo: number) => ({
    id,
    status: 'execution_successful',
    startTime: NOW - hoursAgo * HOUR,
    finishTime: NOW - hoursAgo * HOUR + 20 * 60_000,
    entryCount,
  });
  return {
    seed: 11,
    environments: [{ id: ENV, name: 'Production' }],
    workspaces: [
      { id: WS_A, name: 'Finance', environmentId: ENV },
      { id: WS_B, name: 'Sales', environmentId: ENV },
    ],
    tasks: [
      {
        id: TASK,
        name: 'Orders_Daily_Load',
        workspaceId: WS_A,
        executions: [run(SMALL, 1500, 3), run(ERASABLE, 40, 2)],
      },
      { id: LIST_TASK, name: 'Listed_Task', workspaceId: WS_B, executions: listedRuns() },
      ...fillers,
    ],
  };
}

async function simulator(options: Parameters<typeof startSimulator>[0] = {}): Promise<RunningSimulator> {
  return startSimulator({
    tenant: tenant(),
    auth: { personalAccessTokens: [PAT], serviceAccounts: [SERVICE_ACCOUNT] },
    ...options,
  });
}

function clientFor(url: string, options: Partial<TalendClientOptions> = {}): TalendApiClient {
  return createTalendApiClient({
    ...DEFAULTS.services.talend.client,
    baseUrl: resolveBaseUrl({ baseUrl: url }),
    auth: { kind: 'pat', token: PAT },
    retry: FAST_RETRY,
    statusPoll: { initialMs: 10, maxMs: 50, maxWaitMs: 5000 },
    ...options,
  });
}

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function isApiError(status: number, pattern?: RegExp) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof TalendApiError, `expected a TalendApiError, got ${String(error)}`);
    assert.equal(error.status, status, error.message);
    if (pattern) assert.match(error.message, pattern);
    return true;
  };
}

/** A real HTTP server on 127.0.0.1 scripted per test, for answers the simulator does not give. */
async function scriptedServer(
  handle: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<{
  url: string;
  requests: { path: string; contentType?: string; body: string }[];
  close(): Promise<void>;
}> {
  const requests: { path: string; contentType?: string; body: string }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ path: req.url ?? '', contentType: req.headers['content-type'], body });
      handle(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Starts a simulator and a PAT client before the enclosing suite's tests, and closes both after them. */
function simulatorPerSuite(
  options: Parameters<typeof startSimulator>[0],
  ready: (sim: RunningSimulator, client: TalendApiClient) => void,
): void {
  let sim: RunningSimulator | undefined;
  let client: TalendApiClient | undefined;
  before(async () => {
    sim = await simulator(options);
    client = clientFor(sim.apiUrl);
    ready(sim, client);
  });
  after(async () => {
    await client?.close();
    await sim?.close();
  });
}

describe('Talend client operations (PAT)', () => {
  let sim: RunningSimulator;
  let client: TalendApiClient;
  simulatorPerSuite({}, (s, c) => ((sim = s), (client = c)));

  it('lists workspaces with their environment', async () => {
    const workspaces = await client.listWorkspaces();
    assert.deepEqual(workspaces.map((w) => w.id).sort(), [WS_A, WS_B].sort());
    assert.ok(workspaces.every((w) => w.environment?.id === ENV));
  });

  it('lists tasks page by page, with filters', async () => {
    const before = sim.stats().tasks;
    const tasks = await collect(client.listTasks());
    assert.equal(tasks.length, 130);
    assert.equal(new Set(tasks.map((t) => t.executable)).size, 130);
    assert.equal(sim.stats().tasks - before, 2);
    assert.equal((await collect(client.listTasks({ workspaceId: WS_B }))).length, 65);
    assert.deepEqual(
      (await collect(client.listTasks({ name: 'orders_daily' }))).map((t) => t.executable),
      [TASK],
    );
  });

  it('lists and reads executions', async () => {
    const runs = await collect(client.listTaskExecutions(TASK, { from: NOW - DAY, to: NOW }));
    assert.deepEqual(runs.map((r) => r.executionId).sort(), [SMALL, ERASABLE].sort());
    const detail = await client.getExecution(SMALL);
    assert.equal(detail.executionId, SMALL);
    assert.equal(detail.workspaceId, WS_A);
    assert.equal(detail.status, 'execution_successful');
  });

  it('generates, waits for and downloads a whole log without credentials on the object store', async () => {
    const generated = await client.generateLog(SMALL, {});
    assert.equal(generated.status, 200);
    assert.equal(generated.nextEndTime, undefined);
    const url = await client.waitForLogFile(SMALL, generated.token);
    const download = await client.openPresignedUrl(url);
    assert.match(download.contentType ?? '', /json/);
    const entries = JSON.parse((await readAll(download.body)).toString('utf8')) as RawLogEntry[];
    assert.equal(entries.length, sim.entryCount(SMALL));
    assert.deepEqual(entries[0], [...sim.entries(SMALL)][0]);
    assert.ok(client.stats().bytesDownloaded > 0);
  });

  it('hands over gzip bytes undecoded, saying so', async () => {
    sim.setVariants({ gzip: 'content-encoding' });
    try {
      const generated = await client.generateLog(SMALL, { startTime: NOW - 3 * HOUR, endTime: NOW });
      const download = await client.openPresignedUrl(await client.waitForLogFile(SMALL, generated.token));
      assert.equal(download.contentEncoding, 'gzip');
      const entries = JSON.parse(gunzipSync(await readAll(download.body)).toString('utf8')) as RawLogEntry[];
      assert.equal(entries.length, sim.entryCount(SMALL));
    } finally {
      sim.setVariants({ gzip: false });
    }
  });

  it('pages through a log', async () => {
    const page = await client.pageLogs(SMALL, { count: 5, order: 'ASC' });
    assert.equal(page.size, 5);
    assert.equal(page.totalSize, sim.entryCount(SMALL));
    assert.deepEqual(page.data, [...sim.entries(SMALL)].slice(0, 5));
    assert.equal(page.nextIndex, 5);
  });

  it('deletes logs', async () => {
    assert.ok(sim.entryCount(ERASABLE) > 0);
    await client.deleteLogs(ERASABLE);
    assert.equal(sim.entryCount(ERASABLE), 0);
  });

  it('answers 400 for an execution id that is not a UUID, without retrying', async () => {
    const retries = client.stats().retries;
    await assert.rejects(client.generateLog('not-a-uuid', {}), (error: unknown) => {
      isApiError(400, /UUID/)(error);
      const apiError = error as TalendApiError;
      assert.equal(apiError.operation, 'generateLog');
      assert.equal(apiError.executionId, 'not-a-uuid');
      assert.match(apiError.requestId ?? '', /^[0-9a-f-]{36}$/);
      assert.equal(apiError.context.requestId, apiError.requestId);
      return true;
    });
    assert.equal(client.stats().retries, retries);
  });

  it('answers 404 for an unknown execution', async () => {
    const unknown = randomUUID();
    await assert.rejects(client.pageLogs(unknown, {}), isApiError(404, /unknown, or was deleted/));
    await assert.rejects(client.getExecution(unknown), isApiError(404));
  });

  it('sends talend-version on every API call', () => {
    assert.equal(sim.stats().withoutVersionHeader, 0);
  });

  it('lists a 130-day range in 60-day windows, page by page, each execution once', async () => {
    const to = NOW;
    const expected = sim.tenant.tasks
      .find((t) => t.id === LIST_TASK)!
      .executions.filter(
        (e) => (e.triggerTime ?? e.startTime) >= LIST_FROM && (e.triggerTime ?? e.startTime) <= to,
      )
      .map((e) => e.id)
      .sort();
    const requestsBefore = sim.stats().listExecutions;
    const listed = await collect(client.listTaskExecutions(LIST_TASK, { from: LIST_FROM, to }));
    assert.equal(listed.length, expected.length);
    assert.deepEqual(listed.map((e) => e.executionId).sort(), expected);
    // Three windows (60, 60 and 10 days) of up to 103 runs each: 2 + 2 + 1 pages.
    assert.equal(sim.stats().listExecutions - requestsBefore, 5);
    const across = await collect(client.listExecutions({ workspaceId: WS_B, from: LIST_FROM, to }));
    assert.deepEqual(across.map((e) => e.executionId).sort(), expected);
  });
});

describe('Talend client authentication', () => {
  let sim: RunningSimulator;
  let clock = NOW;
  const clients: TalendApiClient[] = [];
  const serviceAccount = (options: Partial<TalendClientOptions> = {}) => {
    const client = clientFor(sim.apiUrl, {
      auth: { kind: 'serviceAccount', ...SERVICE_ACCOUNT },
      now: () => clock,
      ...options,
    });
    clients.push(client);
    return client;
  };

  before(async () => {
    sim = await simulator({
      now: () => clock,
      auth: { personalAccessTokens: [PAT], serviceAccounts: [SERVICE_ACCOUNT] },
    });
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
  });

  it('fails at once on a 401 with a PAT, telling to create a new one', async () => {
    const client = clientFor(sim.apiUrl, { auth: { kind: 'pat', token: 'revoked-personal-access-token' } });
    clients.push(client);
    const before = sim.stats().workspaces;
    await assert.rejects(
      client.listWorkspaces(),
      isApiError(401, /personal access token .* Create a new one/),
    );
    assert.equal(sim.stats().workspaces - before, 1);
  });

  it('shares one token request between concurrent first calls', async () => {
    const client = serviceAccount();
    const before = sim.stats().token;
    await Promise.all(Array.from({ length: 8 }, () => client.listWorkspaces()));
    assert.equal(sim.stats().token - before, 1);
    assert.equal(client.stats().tokenRefreshes, 1);
  });

  it('refreshes the token before it expires (expires_in given as a string)', async () => {
    const client = serviceAccount();
    const before = sim.stats();
    await client.listWorkspaces();
    clock += 20 * 60_000;
    await client.listWorkspaces();
    assert.equal(sim.stats().token - before.token, 1, 'still fresh at 20 of 30 minutes');
    clock += 5 * 60_000;
    await client.listWorkspaces();
    assert.equal(sim.stats().token - before.token, 2, 'refreshed at 25 of 30 minutes');
    // No call was ever refused: three calls, three requests.
    assert.equal(sim.stats().workspaces - before.workspaces, 3);
    assert.equal(client.stats().retries, 0);
  });

  it('refreshes once on a 401 and carries on', async () => {
    const client = serviceAccount();
    await client.listWorkspaces();
    const before = sim.stats();
    sim.setFaults([{ kind: 'workspaces', fault: 'expiredAccessToken', times: 1 }]);
    try {
      await client.listWorkspaces();
    } finally {
      sim.setFaults([]);
    }
    assert.equal(sim.stats().token - before.token, 1);
    assert.equal(sim.stats().workspaces - before.workspaces, 2);
  });

  it('gives up with the 401 when the fresh token is refused too', async () => {
    const client = serviceAccount();
    await client.listWorkspaces();
    const before = sim.stats();
    sim.setFaults([{ kind: 'workspaces', fault: 'expiredAccessToken' }]);
    try {
      await assert.rejects(client.listWorkspaces(), isApiError(401, /client id and secret/));
    } finally {
      sim.setFaults([]);
    }
    assert.equal(sim.stats().token - before.token, 1);
    assert.equal(sim.stats().workspaces - before.workspaces, 2);
  });

  it('reports refused service account credentials', async () => {
    const client = serviceAccount({
      auth: { kind: 'serviceAccount', clientId: 'integration-client', clientSecret: 'wrong-secret-value' },
    });
    await assert.rejects(client.listWorkspaces(), (error: unknown) => {
      isApiError(401, /client id and secret/)(error);
      assert.equal((error as TalendApiError).operation, 'token');
      return true;
    });
  });
});

describe('Talend client retries and rate limits', () => {
  let sim: RunningSimulator;
  let client: TalendApiClient;
  simulatorPerSuite({}, (s, c) => ((sim = s), (client = c)));

  async function withFaults<T>(
    faults: Parameters<RunningSimulator['setFaults']>[0],
    run: () => Promise<T>,
  ): Promise<T> {
    sim.setFaults(faults);
    try {
      return await run();
    } finally {
      sim.setFaults([]);
    }
  }

  async function withRetryAfter<T>(run: () => Promise<T>): Promise<T> {
    sim.setVariants({ retryAfter: true });
    try {
      return await run();
    } finally {
      sim.setVariants({ retryAfter: false });
    }
  }

  it('honours Retry-After on a 429', async () => {
    const retries = client.stats().retries;
    const startedAt = Date.now();
    await withRetryAfter(() =>
      withFaults([{ kind: 'workspaces', fault: 'http429', times: 1 }], () => client.listWorkspaces()),
    );
    assert.ok(Date.now() - startedAt >= 950, `retried after ${Date.now() - startedAt} ms`);
    assert.equal(client.stats().retries - retries, 1);
  });

  it("backs off by itself on a 429 without Retry-After (Talend's usual answer)", async () => {
    const retries = client.stats().retries;
    const startedAt = Date.now();
    await withFaults([{ kind: 'workspaces', fault: 'http429', times: 2 }], () => client.listWorkspaces());
    assert.ok(Date.now() - startedAt < 900);
    assert.equal(client.stats().retries - retries, 2);
  });

  it('pauses the whole API family after a 429', async () => {
    await withRetryAfter(() =>
      withFaults([{ kind: 'workspaces', fault: 'http429', times: 1 }], async () => {
        const startedAt = Date.now();
        const first = client.listWorkspaces();
        await new Promise((resolve) => setTimeout(resolve, 200));
        const tasks = collect(client.listTasks({ name: 'orders' }));
        await tasks;
        assert.ok(
          Date.now() - startedAt >= 950,
          `another orchestration call went out after ${Date.now() - startedAt} ms`,
        );
        await first;
      }),
    );
  });

  for (const fault of ['http500', 'http502', 'http503'] as const) {
    it(`retries ${fault}`, async () => {
      const before = sim.stats().getExecution;
      const detail = await withFaults([{ kind: 'getExecution', fault, times: 2 }], () =>
        client.getExecution(SMALL),
      );
      assert.equal(detail.executionId, SMALL);
      assert.equal(sim.stats().getExecution - before, 3);
    });
  }

  it('gives up after maxAttempts with the last status', async () => {
    const before = sim.stats().getExecution;
    await withFaults([{ kind: 'getExecution', fault: 'http503' }], () =>
      assert.rejects(client.getExecution(SMALL), isApiError(503, /after 4 attempts/)),
    );
    assert.equal(sim.stats().getExecution - before, 4);
  });

  it('retries a connection reset mid-body and a truncated body', async () => {
    for (const fault of ['resetMidBody', 'truncatedBody'] as const) {
      const retries = client.stats().retries;
      const tasks = await withFaults([{ kind: 'tasks', fault, times: 1 }], () => collect(client.listTasks()));
      assert.equal(tasks.length, 130, fault);
      assert.equal(client.stats().retries - retries, 1, fault);
    }
  });

  it('retries a download the object store refused with 503', async () => {
    const generated = await client.generateLog(SMALL, {});
    const url = await client.waitForLogFile(SMALL, generated.token);
    const download = await withFaults([{ kind: 'download', fault: 'http503', times: 1 }], () =>
      client.openPresignedUrl(url),
    );
    assert.ok((await readAll(download.body)).length > 0);
  });

  it('retries a request whose answer does not come within requestTimeoutMs', async () => {
    // undici checks header timeouts on a coarse (about 1 s) timer: the fault must outlast that.
    const hasty = clientFor(sim.apiUrl, { requestTimeoutMs: 300 });
    try {
      await withFaults([{ kind: 'workspaces', fault: 'slow', delayMs: 3000, times: 1 }], () =>
        hasty.listWorkspaces(),
      );
      assert.equal(hasty.stats().retries, 1);
    } finally {
      await hasty.close();
    }
  });

  it('reports a refused connection as TalendNetworkError after its attempts', async () => {
    const closed = await scriptedServer(() => undefined);
    await closed.close();
    const offline = clientFor(closed.url);
    try {
      await assert.rejects(offline.listWorkspaces(), (error: unknown) => {
        assert.ok(error instanceof TalendNetworkError);
        assert.match(error.message, /after 4 attempts .*ECONNREFUSED/);
        return true;
      });
      assert.equal(offline.stats().requests, 4);
    } finally {
      await offline.close();
    }
  });

  it('never exceeds the configured quota per minute', async () => {
    const limited = clientFor(sim.apiUrl, {
      rateLimits: { ...DEFAULTS.services.talend.client.rateLimits, monitoringPerMinute: 3 },
    });
    const controller = new AbortController();
    try {
      const before = sim.stats().pageLogs;
      const calls = Array.from({ length: 5 }, () => limited.pageLogs(SMALL, { count: 1 }, controller.signal));
      const settled = Promise.allSettled(calls);
      await new Promise((resolve) => setTimeout(resolve, 700));
      assert.equal(sim.stats().pageLogs - before, 3);
      controller.abort(new Error('test over'));
      const outcomes = await settled;
      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected'],
      );
      assert.equal(sim.stats().pageLogs - before, 3);
      // Other API families have their own quota.
      await limited.listWorkspaces();
    } finally {
      await limited.close();
    }
  });
});

describe('Talend log files: status, expiry', () => {
  let sim: RunningSimulator;
  let client: TalendApiClient;
  let storeClock = NOW;
  simulatorPerSuite(
    { now: () => storeClock, variants: { statusPollsBeforeReady: 2 } },
    (s, c) => ((sim = s), (client = c)),
  );

  it('polls the status until READY, sending the token as a JSON string', async () => {
    const before = sim.stats().logStatus;
    const generated = await client.generateLog(SMALL, {});
    assert.match(await client.waitForLogFile(SMALL, generated.token), /X-Amz-Signature=/);
    assert.equal(sim.stats().logStatus - before, 3);
  });

  it('gives up with LogNotReadyError when the file never gets ready', async () => {
    const impatient = clientFor(sim.apiUrl, { statusPoll: { initialMs: 20, maxMs: 50, maxWaitMs: 300 } });
    try {
      const generated = await impatient.generateLog(SMALL, {});
      sim.setFaults([{ kind: 'logStatus', fault: 'stuckInProgress' }]);
      const startedAt = Date.now();
      await assert.rejects(impatient.waitForLogFile(SMALL, generated.token), LogNotReadyError);
      const elapsed = Date.now() - startedAt;
      assert.ok(elapsed >= 300 && elapsed < 1500, `gave up after ${elapsed} ms`);
    } finally {
      sim.setFaults([]);
      await impatient.close();
    }
  });

  it('says when a presigned URL expired', async () => {
    const generated = await client.generateLog(SMALL, {});
    const url = await client.waitForLogFile(SMALL, generated.token);
    storeClock += 2 * HOUR;
    try {
      await assert.rejects(client.openPresignedUrl(url), (error: unknown) => {
        assert.ok(error instanceof PresignedUrlExpiredError);
        assert.doesNotMatch(error.message, /X-Amz-Signature/);
        return true;
      });
    } finally {
      storeClock = NOW;
    }
  });

  it('says when an Azure SAS URL expired, and tells a bad signature apart', async () => {
    sim.setVariants({ objectStore: 'azure' });
    try {
      const generated = await client.generateLog(SMALL, {});
      const url = await client.waitForLogFile(SMALL, generated.token);
      const tampered = new URL(url);
      tampered.searchParams.set('sig', Buffer.alloc(32).toString('base64'));
      await assert.rejects(client.openPresignedUrl(tampered.href), (error: unknown) => {
        assert.ok(error instanceof TalendApiError && !(error instanceof PresignedUrlExpiredError));
        assert.equal(error.status, 403);
        assert.match(error.message, /HTTP 403 \(AuthenticationFailed\) after 1 attempts/);
        return true;
      });
      storeClock += 2 * HOUR;
      await assert.rejects(client.openPresignedUrl(url), (error: unknown) => {
        assert.ok(error instanceof PresignedUrlExpiredError);
        assert.match(error.message, /expired before it was downloaded \(AuthenticationFailed\)/);
        assert.doesNotMatch(error.message, /sig=/);
        return true;
      });
    } finally {
      storeClock = NOW;
      sim.setVariants({ objectStore: 's3' });
    }
  });

  it('gets a fresh URL transparently when a chunk download finds its URL expired', async () => {
    const [chunk] = await collect(client.walkLogChunks({ executionId: SMALL }));
    sim.setFaults([{ kind: 'download', fault: 'expiredPresignedUrl', times: 1 }]);
    try {
      const before = sim.stats();
      const download = await chunk!.open();
      assert.ok((await readAll(download.body)).length > 0);
      assert.equal(sim.stats().download - before.download, 2);
      assert.equal(sim.stats().generateLog - before.generateLog, 0);
    } finally {
      sim.setFaults([]);
    }
  });

  it('generates the log again when Talend no longer knows the token', async () => {
    const [chunk] = await collect(client.walkLogChunks({ executionId: SMALL }));
    storeClock += 2 * HOUR;
    try {
      const before = sim.stats().generateLog;
      const entries = JSON.parse(
        (await readAll((await chunk!.open()).body)).toString('utf8'),
      ) as RawLogEntry[];
      assert.equal(entries.length, sim.entryCount(SMALL));
      assert.equal(sim.stats().generateLog - before, 1);
    } finally {
      storeClock = NOW;
    }
  });
});

describe('Talend answers the simulator does not give', () => {
  it('sends the status token as a JSON string first, and as text/plain where JSON is refused', async () => {
    const server = await scriptedServer((req, body, res) => {
      if (req.headers['content-type'] === 'application/json')
        return json(res, 415, { status: 415, message: 'Unsupported Media Type' });
      json(res, 200, { status: 'READY', presignedURL: `http://127.0.0.1:1/file?token=${body}` });
    });
    const client = clientFor(server.url);
    try {
      const id = randomUUID();
      assert.equal(client.logStatusBodyAccepted(), undefined);
      assert.match(await client.waitForLogFile(id, 'tok-one-abcdef'), /token=tok-one-abcdef$/);
      assert.equal(client.logStatusBodyAccepted(), 'text/plain');
      assert.match(await client.waitForLogFile(id, 'tok-two-abcdef'), /token=tok-two-abcdef$/);
      assert.deepEqual(
        server.requests.map((r) => [r.contentType, r.body]),
        [
          ['application/json', '"tok-one-abcdef"'],
          ['text/plain', 'tok-one-abcdef'],
          ['text/plain', 'tok-two-abcdef'],
        ],
      );
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('explains a 403 by the permission each operation needs', async () => {
    const server = await scriptedServer((_req, _body, res) =>
      json(res, 403, { status: 403, message: 'No permissions to access resources', requestId: 'req-403' }),
    );
    const client = clientFor(server.url);
    try {
      const id = randomUUID();
      await assert.rejects(client.generateLog(id, {}), (error: unknown) => {
        isApiError(403, /Viewer, Author and Executor/)(error);
        assert.equal((error as TalendApiError).requestId, 'req-403');
        return true;
      });
      await assert.rejects(client.deleteLogs(id), isApiError(403, /EXECUTION_LOGS_DELETE/));
      assert.equal(server.requests.length, 2);
    } finally {
      await client.close();
      await server.close();
    }
  });

  it('refuses to walk on from a 206 whose next end time it cannot read', async () => {
    const server = await scriptedServer((_req, _body, res) => {
      res.writeHead(206, { 'content-type': 'application/json', 'x-log-next-request-end-time': 'yesterday' });
      res.end(JSON.stringify({ size: 100000, token: 'tok-206-abcdef' }));
    });
    const client = clientFor(server.url);
    try {
      await assert.rejects(
        collect(client.walkLogChunks({ executionId: randomUUID() })),
        /unreadable x-log-next-request-end-time/,
      );
    } finally {
      await client.close();
      await server.close();
    }
  });
});
