/**
 * The execution listing as Talend was seen to serve it: newest first, `total` sometimes absent, and
 * deep offsets of unknown support. The client lists every run once, and never pages past offset
 * 1,000: a window holding more runs is split instead.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startSimulator, type ExecutionSpec, type RunningSimulator } from '../../src/simulator/index.ts';
import { createTalendClient, resolveBaseUrl } from '../../src/talend/index.ts';
import { DEFAULTS } from '../support/config.ts';
import { MAX_LISTING_OFFSET } from '../../src/talend/executions.ts';
import { startProxy, type RunningProxy } from '../support/http-proxy.ts';

const TOKEN = 'listing-test-token';
const TASK = '77777777-7777-4777-8777-777777777777';
const WORKSPACE = '88888888-8888-4888-8888-888888888888';
const ENVIRONMENT = '99999999-9999-4999-8999-999999999999';
const NOW = Date.parse('2026-11-20T00:00:00Z');
const RUNS = 1_250;

function runs(): ExecutionSpec[] {
  return Array.from({ length: RUNS }, (_, i) => {
    const start = NOW - 9 * 86_400_000 + i * 600_000;
    return {
      id: `cccccccc-0000-4000-8000-${String(i).padStart(12, '0')}`,
      status: 'execution_successful',
      startTime: start,
      finishTime: start + 60_000,
      entryCount: 5,
    };
  });
}

describe('execution listing: deep windows, newest first, no total', () => {
  let simulator: RunningSimulator;
  let proxy: RunningProxy;
  const offsets: number[] = [];
  let insertOnPage: (() => void) | undefined;
  let answerOffsetZero = false;

  before(async () => {
    simulator = await startSimulator({
      tenant: {
        seed: 3,
        environments: [{ id: ENVIRONMENT, name: 'Production' }],
        workspaces: [{ id: WORKSPACE, name: 'Ops', environmentId: ENVIRONMENT }],
        tasks: [{ id: TASK, name: 'Frequent', workspaceId: WORKSPACE, executions: runs() }],
      },
      auth: { personalAccessTokens: [TOKEN] },
      now: () => NOW,
    });
    proxy = await startProxy({
      target: simulator.apiUrl,
      handler: async (exchange) => {
        const url = new URL(exchange.url, 'http://proxy');
        if (url.pathname.endsWith('/executions')) {
          offsets.push(Number(url.searchParams.get('offset') ?? 0));
          // A run arriving between two pages shifts a newest-first list: the next page repeats one.
          if (offsets.length === 2) insertOnPage?.();
          if (answerOffsetZero) {
            const reply = await exchange.forward();
            const page = JSON.parse(reply.body.toString('utf8')) as { offset: number };
            return { ...reply, body: Buffer.from(JSON.stringify({ ...page, offset: 0 })) };
          }
        }
        return exchange.forward();
      },
    });
  });
  after(async () => {
    await proxy.close();
    await simulator.close();
  });

  const list = async () => {
    const client = createTalendClient({
      ...DEFAULTS.services.talend.client,
      retry: DEFAULTS.services.talend.retry,
      baseUrl: resolveBaseUrl({ baseUrl: proxy.url }),
      auth: { kind: 'pat', token: TOKEN },
      now: () => NOW,
    });
    try {
      const ids: string[] = [];
      for await (const execution of client.listTaskExecutions(TASK, { from: NOW - 10 * 86_400_000, to: NOW }))
        ids.push(execution.executionId);
      return ids;
    } finally {
      await client.close();
    }
  };

  for (const listingTotal of [true, false]) {
    it(`lists all ${RUNS} runs once without paging past offset ${MAX_LISTING_OFFSET} (total ${listingTotal ? 'given' : 'absent'})`, async () => {
      simulator.setVariants({ listingTotal });
      offsets.length = 0;
      const ids = await list();
      assert.equal(ids.length, RUNS);
      assert.equal(new Set(ids).size, RUNS);
      assert.ok(Math.max(...offsets) < MAX_LISTING_OFFSET, `offsets asked: ${Math.max(...offsets)}`);
      assert.ok(offsets.length > RUNS / 100, 'the window was split and listed in parts');
    });
  }

  it('keeps a run once when a new run arrives between two newest-first pages', async () => {
    simulator.setVariants({ listingTotal: true });
    offsets.length = 0;
    const arriving = 'cccccccc-0000-4000-8000-999999999999';
    insertOnPage = () =>
      simulator.addExecution(TASK, {
        id: arriving,
        status: 'execution_successful',
        startTime: NOW - 1_000,
        finishTime: NOW - 500,
        entryCount: 1,
      });
    try {
      const ids = await list();
      assert.equal(new Set(ids).size, ids.length, 'no run yielded twice');
      assert.equal(ids.length, RUNS + (ids.includes(arriving) ? 1 : 0));
    } finally {
      insertOnPage = undefined;
    }
  });

  it('stops with an error when Talend answers another offset than the one asked', async () => {
    answerOffsetZero = true;
    try {
      await assert.rejects(list(), (error: Error) => {
        assert.equal(error.name, 'TalendApiError');
        assert.match(error.message, /answered offset 0 when asked for offset 100/);
        return true;
      });
    } finally {
      answerOffsetZero = false;
    }
  });
});
