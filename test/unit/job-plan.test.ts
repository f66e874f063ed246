import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskCheckpoint } from '../../src/contracts/documents.ts';
import type { TalendExecution } from '../../src/contracts/talend-api.ts';
import { nextWatermark, planTask, pruneProgress, startingPoint } from '../../src/job/plan.ts';

const NOW = Date.parse('2026-11-22T12:00:00.400Z');
const iso = (ms: number) => new Date(ms).toISOString();
const minutes = (n: number) => n * 60_000;

function execution(id: string, startAgoMin: number, finishAgoMin?: number): TalendExecution {
  return {
    executionId: id,
    taskId: 'task-1',
    status: finishAgoMin === undefined ? 'executing' : 'execution_successful',
    startTimestamp: iso(NOW - minutes(startAgoMin)),
    ...(finishAgoMin === undefined ? {} : { finishTimestamp: iso(NOW - minutes(finishAgoMin)) }),
  };
}

function checkpoint(partial: Partial<TaskCheckpoint> = {}): TaskCheckpoint {
  return { taskId: 'task-1', executions: {}, updatedAt: iso(0), ...partial };
}

describe('planTask', () => {
  it('fetches finished executions whole, running ones up to the settled horizon on a second boundary', () => {
    const plan = planTask({
      mode: 'sync',
      checkpoint: checkpoint(),
      executions: [execution('running', 10), execution('done', 60, 50)],
      now: NOW,
      settleDelayMs: 30_000,
    });
    assert.equal(plan.horizonMs, Date.parse('2026-11-22T11:59:30.000Z'));
    assert.deepEqual(
      plan.items.map((item) => [item.execution.executionId, item.ranges]),
      [
        ['done', [{ startMs: undefined, completes: 'log' }]],
        ['running', [{ startMs: undefined, endMs: plan.horizonMs, completes: 'upTo' }]],
      ],
    );
  });

  it('waits for the settle delay after an execution finishes', () => {
    const plan = planTask({
      mode: 'sync',
      checkpoint: checkpoint(),
      executions: [{ ...execution('just-done', 5, 0), finishTimestamp: iso(NOW - 10_000) }],
      now: NOW,
      settleDelayMs: 30_000,
    });
    assert.deepEqual(plan.items, []);
    assert.deepEqual(plan.skipped, [{ executionId: 'just-done', reason: 'settling' }]);
  });

  it('continues a running execution from where the last run stopped, then to the end once it finished', () => {
    const upTo = NOW - minutes(5);
    const plan = planTask({
      mode: 'sync',
      checkpoint: checkpoint({ executions: { e1: { indexedUpTo: iso(upTo) } } }),
      executions: [execution('e1', 30, 1)],
      now: NOW,
      settleDelayMs: 30_000,
    });
    assert.deepEqual(plan.items[0]?.ranges, [{ startMs: upTo, completes: 'log' }]);
  });

  it('resumes an interrupted chunk walk before anything newer', () => {
    const walkEnd = NOW - minutes(20);
    const resume = NOW - minutes(40);
    const plan = planTask({
      mode: 'sync',
      checkpoint: checkpoint({
        executions: { e1: { walk: { end: iso(walkEnd), resumeEndTime: iso(resume) } } },
      }),
      executions: [execution('e1', 60)],
      now: NOW,
      settleDelayMs: 30_000,
    });
    assert.deepEqual(plan.items[0]?.ranges, [
      { startMs: undefined, endMs: walkEnd, resumeEndMs: resume, completes: 'upTo' },
      { startMs: walkEnd, endMs: plan.horizonMs, completes: 'upTo' },
    ]);
  });

  it('resumes an interrupted walk over a whole finished log as the last range', () => {
    const resume = NOW - minutes(40);
    const plan = planTask({
      mode: 'sync',
      checkpoint: checkpoint({ executions: { e1: { walk: { resumeEndTime: iso(resume) } } } }),
      executions: [execution('e1', 60, 30)],
      now: NOW,
      settleDelayMs: 30_000,
    });
    assert.deepEqual(plan.items[0]?.ranges, [
      { startMs: undefined, endMs: undefined, resumeEndMs: resume, completes: 'log' },
    ]);
  });

  it('skips what is done, given up, or already behind the watermark', () => {
    const plan = planTask({
      mode: 'sync',
      checkpoint: checkpoint({ executions: { d: { done: true }, a: { abandoned: true } } }),
      watermark: NOW - minutes(30),
      executions: [
        execution('d', 50, 40),
        execution('a', 50, 20),
        execution('old', 90, 45),
        execution('new', 20, 10),
      ],
      now: NOW,
      settleDelayMs: 30_000,
    });
    assert.deepEqual(
      plan.items.map((item) => item.execution.executionId),
      ['new'],
    );
    assert.deepEqual(plan.skipped.map((skip) => [skip.executionId, skip.reason]).sort(), [
      ['a', 'abandoned'],
      ['d', 'indexed'],
      ['old', 'indexed'],
    ]);
  });

  it('leaves running executions to the live sync during a backfill, and stops at the backfill end', () => {
    const to = NOW - minutes(15);
    const plan = planTask({
      mode: 'backfill',
      checkpoint: checkpoint(),
      executions: [execution('running', 10), execution('done', 60, 50)],
      now: NOW,
      settleDelayMs: 30_000,
      backfillTo: to,
    });
    assert.equal(plan.horizonMs, to - (to % 1000));
    assert.deepEqual(
      plan.items.map((item) => item.execution.executionId),
      ['done'],
    );
    assert.deepEqual(plan.skipped, [{ executionId: 'running', reason: 'running-in-backfill' }]);
  });

  it('does not walk a running execution that starts after the horizon', () => {
    const plan = planTask({
      mode: 'sync',
      checkpoint: checkpoint(),
      executions: [{ ...execution('fresh', 0), startTimestamp: iso(NOW - 5_000) }],
      now: NOW,
      settleDelayMs: 30_000,
    });
    assert.deepEqual(plan.skipped, [{ executionId: 'fresh', reason: 'not-started' }]);
  });
});

describe('nextWatermark', () => {
  const horizon = NOW - 30_000;

  it('moves to the horizon when every finished execution is indexed', () => {
    const executions = [execution('a', 60, 50), execution('running', 10)];
    const progress = { a: { done: true } };
    assert.equal(
      nextWatermark({ previous: NOW - minutes(70), horizonMs: horizon, executions, progress }),
      horizon,
    );
  });

  it('stops just before the first finished execution that is not indexed', () => {
    const failed = execution('failed', 60, 50);
    const watermark = nextWatermark({
      previous: NOW - minutes(70),
      horizonMs: horizon,
      executions: [failed, execution('b', 40, 20)],
      progress: { failed: { attempts: 1 }, b: { done: true } },
    });
    assert.equal(watermark, Date.parse(failed.finishTimestamp!) - 1);
  });

  it('passes executions that were given up, and never moves backwards', () => {
    const previous = NOW - minutes(10);
    assert.equal(
      nextWatermark({
        previous,
        horizonMs: horizon,
        executions: [execution('x', 60, 50)],
        progress: { x: { abandoned: true } },
      }),
      horizon,
    );
    assert.equal(
      nextWatermark({ previous, horizonMs: previous - 5, executions: [], progress: {} }),
      previous,
    );
  });
});

describe('pruneProgress', () => {
  it('forgets finished executions the watermark vouches for and keeps the rest', () => {
    const state = checkpoint({
      executions: {
        old: { done: true, finishedAt: iso(NOW - minutes(50)) },
        recent: { done: true, finishedAt: iso(NOW - minutes(1)) },
        running: { indexedUpTo: iso(NOW - minutes(2)) },
        gaveUp: { abandoned: true, finishedAt: iso(NOW - minutes(50)) },
      },
    });
    pruneProgress(state, NOW - minutes(10));
    assert.deepEqual(Object.keys(state.executions).sort(), ['gaveUp', 'recent', 'running']);
  });
});

describe('startingPoint', () => {
  const options = { now: NOW, lookbackMs: minutes(60) };

  it('starts a first sync `lookback` ago and later ones at the watermark', () => {
    assert.deepEqual(startingPoint(checkpoint(), options), { from: NOW - minutes(60), watermark: undefined });
    const watermark = NOW - minutes(5);
    assert.deepEqual(startingPoint(checkpoint({ watermark: iso(watermark) }), options), {
      from: watermark,
      watermark,
    });
  });

  it('resumes a backfill inside the range its watermark counts from, and restarts an earlier one', () => {
    const rangeStart = NOW - minutes(600);
    const watermark = NOW - minutes(100);
    const stored = checkpoint({ watermark: iso(watermark), rangeStart: iso(rangeStart) });
    assert.deepEqual(startingPoint(stored, { ...options, backfillFrom: rangeStart + minutes(1) }), {
      from: watermark,
      watermark,
      rangeStart,
    });
    assert.deepEqual(startingPoint(stored, { ...options, backfillFrom: rangeStart - minutes(1) }), {
      from: rangeStart - minutes(1),
      rangeStart: rangeStart - minutes(1),
    });
  });
});
