import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/observability/logger.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { createTalendApiClient } from '../../src/talend/client.ts';
import { resolveBaseUrl, type TalendClientOptions } from '../../src/talend/index.ts';
import type { TalendApiClient } from '../../src/talend/types.ts';
import { DEFAULTS } from '../support/config.ts';

const PAT = 'secret-pat-7f3c9a1e5b2d4c68';
const WRONG_PAT = 'secret-wrong-pat-0d9e8c7b6a5f';
const CLIENT_ID = 'secrets-test-client';
const CLIENT_SECRET = 'secret-client-secret-4b7e1a9c';
const WRONG_SECRET = 'secret-wrong-client-secret-8a2f';

/** Everything that left the client in text: log lines and, for each error, message, stack, JSON and causes. */
const captured: string[] = [];
/** Every credential header the client sent, read off the wire through undici's diagnostics channel. */
const sentAuthorizations = new Set<string>();
const presignedUrls = new Set<string>();

function onSendHeaders(message: unknown): void {
  const { headers } = message as { headers: string };
  for (const match of headers.matchAll(/^authorization: (.+)$/gim)) sentAuthorizations.add(match[1]!.trim());
}

const logger = createLogger({
  level: 'trace',
  destination: { write: (line: string) => void captured.push(line) },
});

function clientFor(url: string, auth: TalendClientOptions['auth']): TalendApiClient {
  return createTalendApiClient({
    ...DEFAULTS.services.talend.client,
    baseUrl: resolveBaseUrl({ baseUrl: url }),
    auth,
    logger,
    retry: { maxAttempts: 2, baseMs: 5, maxMs: 20, budgetMs: 5000 },
    statusPoll: { initialMs: 5, maxMs: 20, maxWaitMs: 200 },
  });
}

async function capture(operation: () => Promise<unknown>): Promise<void> {
  try {
    await operation();
  } catch (error) {
    for (let current: unknown = error; current instanceof Error; current = current.cause) {
      captured.push(current.message, current.stack ?? '', JSON.stringify(current), String(current));
    }
  }
}

async function drain(client: TalendApiClient, executionId: string): Promise<void> {
  for await (const chunk of client.walkLogChunks({ executionId })) {
    const download = await chunk.open();
    for await (const _ of download.body) void _;
  }
}

/** Every operation, failures included, that can put credentials or URLs into text. */
async function exercise(client: TalendApiClient, sim: RunningSimulator, executionId: string): Promise<void> {
  await capture(() => client.listWorkspaces());
  await capture(async () => {
    for await (const _ of client.listTasks()) void _;
  });
  await capture(() => drain(client, executionId));
  await capture(async () => {
    const generated = await client.generateLog(executionId, {});
    const url = await client.waitForLogFile(executionId, generated.token);
    presignedUrls.add(url);
    sim.setFaults([{ kind: 'download', fault: 'expiredPresignedUrl' }]);
    await client.openPresignedUrl(url);
  });
  await capture(() => drain(client, executionId));
  sim.setFaults([{ kind: 'download', fault: 'http503' }]);
  await capture(() => drain(client, executionId));
  sim.setFaults([{ kind: 'logStatus', fault: 'stuckInProgress' }]);
  await capture(() => drain(client, executionId));
  sim.setFaults([{ kind: '*', fault: 'expiredAccessToken' }]);
  await capture(() => client.pageLogs(executionId, { count: 3 }));
  sim.setFaults([{ kind: 'pageLogs', fault: 'resetMidBody' }]);
  await capture(() => client.pageLogs(executionId, { count: 3 }));
  sim.setFaults([]);
  await capture(() => client.generateLog('not-a-uuid', {}));
  await capture(() => client.getExecution(randomUUID()));
  await capture(() => client.deleteLogs(randomUUID()));
}

/** A Talend look-alike that echoes the credentials it receives in its error messages. */
async function startEchoServer(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const authorization = req.headers.authorization ?? '';
    res.writeHead(req.url?.startsWith('/security') ? 200 : 500, { 'content-type': 'application/json' });
    if (req.url?.startsWith('/security')) {
      res.end(
        JSON.stringify({
          access_token: `echo-access-token-${randomUUID()}`,
          token_type: 'Bearer',
          expires_in: 1800,
        }),
      );
    } else {
      res.end(
        JSON.stringify({
          status: 500,
          message: `cannot serve ${authorization}`,
          detail: `you sent ${authorization}`,
        }),
      );
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('secrets never leave the client in logs or errors', () => {
  let sim: RunningSimulator;
  let echo: { server: Server; url: string };
  let executionId: string;
  const clients: TalendApiClient[] = [];

  before(async () => {
    subscribe('undici:client:sendHeaders', onSendHeaders);
    sim = await startSimulator({
      auth: {
        personalAccessTokens: [PAT],
        serviceAccounts: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
      },
      maxEntriesPerFile: 400,
      variants: { statusPollsBeforeReady: 0 },
    });
    const task = sim.tenant.tasks.find((t) =>
      t.executions.some((e) => e.finishTime !== undefined && e.entryCount > 500),
    );
    executionId = task!.executions.find((e) => e.finishTime !== undefined && e.entryCount > 500)!.id;
    echo = await startEchoServer();
  });

  after(async () => {
    unsubscribe('undici:client:sendHeaders', onSendHeaders);
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
    await new Promise<void>((resolve) => {
      echo.server.close(() => resolve());
      echo.server.closeAllConnections();
    });
  });

  it('runs every operation, failing ones included, with a PAT and with a service account', async () => {
    const pat = clientFor(sim.apiUrl, { kind: 'pat', token: PAT });
    const serviceAccount = clientFor(sim.apiUrl, {
      kind: 'serviceAccount',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    const wrongPat = clientFor(sim.apiUrl, { kind: 'pat', token: WRONG_PAT });
    const wrongSecret = clientFor(sim.apiUrl, {
      kind: 'serviceAccount',
      clientId: CLIENT_ID,
      clientSecret: WRONG_SECRET,
    });
    const echoing = clientFor(echo.url, {
      kind: 'serviceAccount',
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
    });
    const echoingPat = clientFor(echo.url, { kind: 'pat', token: PAT });
    clients.push(pat, serviceAccount, wrongPat, wrongSecret, echoing, echoingPat);
    await exercise(pat, sim, executionId);
    await exercise(serviceAccount, sim, executionId);
    await capture(() => wrongPat.listWorkspaces());
    await capture(() => wrongSecret.listWorkspaces());
    await capture(() => echoing.listWorkspaces());
    await capture(() => echoingPat.listWorkspaces());

    // The exercise did what it should: credentials went out, URLs came back, and there is text to check.
    assert.ok(serviceAccount.stats().tokenRefreshes >= 2);
    assert.ok(presignedUrls.size >= 2);
    assert.ok([...sentAuthorizations].some((a) => a.startsWith('Basic ')));
    assert.ok([...sentAuthorizations].filter((a) => a.startsWith('Bearer ')).length >= 5);
    const text = captured.join('\n');
    assert.match(text, /retrying/);
    assert.match(text, /expired/);
    assert.match(text, /still not ready/);
    assert.match(text, /cannot serve (Bearer )?\[REDACTED\]/);
  });

  it('leaks no credential, access token, Basic header or presigned URL signature', () => {
    const secrets = new Set<string>([PAT, WRONG_PAT, CLIENT_SECRET, WRONG_SECRET]);
    for (const authorization of sentAuthorizations) {
      secrets.add(authorization);
      secrets.add(authorization.replace(/^(Bearer|Basic) /, ''));
    }
    for (const url of presignedUrls) {
      const signature = new URL(url).searchParams.get('X-Amz-Signature');
      assert.ok(signature && signature.length >= 32);
      secrets.add(signature);
    }
    assert.ok(captured.length > 50, `only ${captured.length} texts captured`);
    for (const text of captured) {
      for (const secret of secrets) {
        assert.ok(!text.includes(secret), `leaked ${secret.slice(0, 6)}… in: ${text.slice(0, 300)}`);
      }
    }
  });
});
