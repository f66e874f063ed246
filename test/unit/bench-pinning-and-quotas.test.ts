import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pinningPlan } from '../../bench/support/pinning.ts';
import {
  callsPerExecution,
  executionsPerDay,
  type RequestCounts,
} from '../../bench/support/talend-quotas.ts';
import { defaultOf } from '../../src/config/settings.ts';

describe('bench pinning plan', () => {
  it('gives Elasticsearch the first half of the cores rounded down, at least one, and the bench the rest', () => {
    assert.equal(pinningPlan(1), undefined);
    assert.deepEqual(pinningPlan(2), { elasticsearch: [0], bench: [1] });
    assert.deepEqual(pinningPlan(3), { elasticsearch: [0], bench: [1, 2] });
    assert.deepEqual(pinningPlan(8), { elasticsearch: [0, 1, 2, 3], bench: [4, 5, 6, 7] });
  });
});

describe('bench Talend quotas', () => {
  const counts: RequestCounts = {
    token: 0,
    tasks: 1,
    workspaces: 1,
    listExecutions: 20,
    getExecution: 0,
    generateLog: 1_000,
    logStatus: 1_000,
    download: 1_000,
    pageLogs: 0,
    deleteLogs: 0,
  };

  it('groups the calls per execution as Talend counts them', () => {
    assert.deepEqual(callsPerExecution(counts, 1_000), {
      monitoring: 2,
      processing: 0.02,
      orchestration: 0.002,
      token: 0,
      objectStore: 1,
    });
  });

  it("keeps up with the smallest quota's executions a day, orchestration counted against processing", () => {
    const { limits, executionsPerDay: perDay } = executionsPerDay(callsPerExecution(counts, 1_000));
    const monitoring = (defaultOf('monitoringRateLimit') * 1440) / 2;
    const processing = (defaultOf('processingRateLimit') * 1440) / 0.022;
    assert.deepEqual(
      limits.map((limit) => [limit.groups, limit.executionsPerDay]),
      [
        [['monitoring'], monitoring],
        [['processing', 'orchestration'], processing],
      ],
    );
    assert.equal(perDay, Math.min(monitoring, processing));
  });
});
