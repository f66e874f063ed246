import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskCheckpoint } from '../../src/documents/shapes.ts';
import type { TalendExecution } from '../../src/contracts/talend-api.ts';
import { planTask, type PlanInput } from '../../src/job/plan.ts';
import {
  addTally,
  advanceWatermark,
  classifyListed,
  completeRange,
  listingWindow,
  markReported,
  pendingRuns,
  recordFailure,
  runsToReport,
  walkStep,
  type ListingWindow,
} from '../../src/job/checkpoint-rules.ts';
import { isRunning } from '../../src/talend/run-status.ts';
import { seededRandom } from '../../src/simulator/random.ts';

const NOW = Date.parse('2026-11-22T12:00:00.400Z');
const iso = (ms: number) => new Date(ms).toISOString();
const minutes = (n: number) => n * 60_000;

function execution(id: string, startAgoMin: number, finishAgoMin?: number): TalendExecution {
  return {
    executionId: id,
    taskId: 'task-1',
    status: finishAgoMin === undefined ? 'executing' : 'execution_successful',
    triggerTimestamp: iso(NOW - minutes(startAgoMin)),
    startTimestamp: iso(NOW - minutes(startAgoMin)),
    ...(finishAgoMin === undefined ? {} : { finishTimestamp: iso(NOW - minutes(finishAgoMin)) }),
  };
}

function checkpoint(partial: Partial<TaskCheckpoint> = {}): TaskCheckpoint {
  return { taskId: 'task-1', executions: {}, updatedAt: iso(0), ...partial };
}

/** A first sync's window: everything since a day ago is new. */
const FIRST: ListingWindow = { from: NOW - minutes(1440), to: NOW, rangeStart: NOW - minutes(1440) };

function plan(input: Partial<PlanInput> & Pick<PlanInput, 'executions'>) {
  return planTask({
    mode: 'sync',
    checkpoint: checkpoint(),
    window: FIRST,
    now: NOW,
    settleDelayMs: 30_000,
    ...input,
  });
}

describe('isRunning', () => {
  const base = { executionId: 'e', taskId: 't' };

  it('takes a finishTimestamp, or a terminal status without one, as over', () => {
    assert.equal(isRunning({ ...base, status: 'executing', finishTimestamp: iso(NOW) }), false);
    assert.equal(
      isRunning({ ...base, status: 'execution_rejected', executionStatus: 'EXECUTION_REJECTED' }),
      false,
    );
    assert.equal(isRunning({ ...base, status: 'deploy_failed' }), false);
    assert.equal(isRunning({ ...base, status: 'SOMETHING', executionStatus: 'EXECUTION_TERMINATED' }), false);
  });

  it('takes the known in-flight states, and a status that names no end, as running', () => {
    assert.equal(isRunning({ ...base, status: 'dispatching' }), true);
    assert.equal(isRunning({ ...base, status: 'EXECUTING' }), true);
    assert.equal(isRunning({ ...base, status: 'unknown', executionStatus: 'STARTING_FLOW_EXECUTION' }), true);
    assert.equal(isRunning({ ...base, status: 'queued' }), true);
  });
});

describe('planTask', () => {
  it('fetches finished executions whole, running ones up to the settled horizon on a second boundary', () => {
    const result = plan({ executions: [execution('running', 10), execution('done', 60, 50)] });
    assert.equal(result.horizonMs, Date.parse('2026-11-22T11:59:30.000Z'));
    assert.deepEqual(
      result.items.map((item) => [item.execution.executionId, item.ranges]),
      [
        ['done', [{ startMs: undefined, completes: 'log' }]],
        ['running', [{ startMs: undefined, endMs: result.horizonMs, completes: 'upTo' }]],
      ],
    );
    assert.deepEqual(result.newRuns.map((run) => run.executionId).sort(), ['done', 'running']);
  });

  it('waits for the settle delay after an execution finishes, and tracks it meanwhile', () => {
    const result = plan({
      executions: [{ ...execution('just-done', 5, 0), finishTimestamp: iso(NOW - 10_000) }],
    });
    assert.deepEqual(result.items, []);
    assert.deepEqual(result.skipped, [{ executionId: 'just-done', reason: 'settling' }]);
    assert.deepEqual(
      result.newRuns.map((run) => run.executionId),
      ['just-done'],
    );
  });

  it('fetches a run that ended without a finishTimestamp whole, once settled from its trigger time', () => {
    const rejected: TalendExecution = {
      executionId: 'rejected',
      taskId: 'task-1',
      status: 'execution_rejected',
      triggerTimestamp: iso(NOW - minutes(5)),
    };
    assert.deepEqual(plan({ executions: [rejected] }).items[0]?.ranges, [
      { startMs: undefined, completes: 'log' },
    ]);
    const fresh = { ...rejected, triggerTimestamp: iso(NOW - 5_000) };
    assert.deepEqual(plan({ executions: [fresh] }).skipped, [
      { executionId: 'rejected', reason: 'settling' },
    ]);
    assert.deepEqual(
      plan({ mode: 'backfill', window: { ...FIRST, to: NOW }, executions: [rejected] }).items.length,
      1,
      'a backfill takes it too',
    );
  });

  it('continues a running execution from where the last run stopped, then to the end once it finished', () => {
    const upTo = NOW - minutes(5);
    const result = plan({
      checkpoint: checkpoint({ executions: { e1: { indexedUpTo: iso(upTo) } } }),
      executions: [execution('e1', 30, 1)],
    });
    assert.deepEqual(result.items[0]?.ranges, [{ startMs: upTo, completes: 'log' }]);
    assert.deepEqual(result.newRuns, []);
  });

  it('resumes an interrupted chunk walk before anything newer', () => {
    const walkEnd = NOW - minutes(20);
    const resume = NOW - minutes(40);
    const result = plan({
      checkpoint: checkpoint({
        executions: { e1: { walk: { end: iso(walkEnd), resumeEndTime: iso(resume) } } },
      }),
      executions: [execution('e1', 60)],
    });
    assert.deepEqual(result.items[0]?.ranges, [
      { startMs: undefined, endMs: walkEnd, resumeEndMs: resume, completes: 'upTo' },
      { startMs: walkEnd, endMs: result.horizonMs, completes: 'upTo' },
    ]);
  });

  it('resumes an interrupted walk over a whole finished log as the last range', () => {
    const resume = NOW - minutes(40);
    const result = plan({
      checkpoint: checkpoint({ executions: { e1: { walk: { resumeEndTime: iso(resume) } } } }),
      executions: [execution('e1', 60, 30)],
    });
    assert.deepEqual(result.items[0]?.ranges, [
      { startMs: undefined, endMs: undefined, resumeEndMs: resume, completes: 'log' },
    ]);
  });

  it('skips what is done, given up, pruned before the listing start, or before the range', () => {
    const window: ListingWindow = {
      from: NOW - minutes(60),
      to: NOW,
      rangeStart: NOW - minutes(120),
      watermark: NOW - minutes(30),
    };
    const result = plan({
      checkpoint: checkpoint({ executions: { d: { done: true }, a: { abandoned: true } } }),
      window,
      executions: [
        execution('d', 50, 40),
        execution('a', 50, 20),
        execution('pruned', 90, 45),
        execution('before', 200, 5),
        execution('late-listed', 50, 10),
      ],
    });
    assert.deepEqual(
      result.items.map((item) => item.execution.executionId),
      ['late-listed'],
    );
    assert.deepEqual(result.skipped.map((skip) => [skip.executionId, skip.reason]).sort(), [
      ['a', 'abandoned'],
      ['before', 'before-range'],
      ['d', 'indexed'],
      ['pruned', 'indexed'],
    ]);
  });

  it('tracks running executions during a backfill without walking them, and stops at the backfill end', () => {
    const to = NOW - minutes(15);
    const result = plan({
      mode: 'backfill',
      window: { ...FIRST, to },
      executions: [execution('running', 10), execution('done', 60, 50)],
    });
    assert.equal(result.horizonMs, to - (to % 1000));
    assert.equal(result.watermark, result.horizonMs);
    assert.deepEqual(
      result.items.map((item) => item.execution.executionId),
      ['done'],
    );
    assert.deepEqual(result.skipped, [{ executionId: 'running', reason: 'running-in-backfill' }]);
    assert.deepEqual(result.newRuns.map((run) => run.executionId).sort(), ['done', 'running']);
  });

  it('does not walk a running execution that starts after the horizon', () => {
    const result = plan({ executions: [{ ...execution('fresh', 0), startTimestamp: iso(NOW - 5_000) }] });
    assert.deepEqual(result.skipped, [{ executionId: 'fresh', reason: 'not-started' }]);
  });
});

describe('listingWindow', () => {
  const options = { now: NOW, lookbackMs: minutes(60), overlapMs: minutes(10) };

  it('starts a first sync `lookback` ago and later ones an overlap before the watermark', () => {
    assert.deepEqual(listingWindow(checkpoint(), options), {
      from: NOW - minutes(60),
      to: NOW,
      rangeStart: NOW - minutes(60),
      watermark: undefined,
    });
    const stored = checkpoint({ watermark: iso(NOW - minutes(5)), rangeStart: iso(NOW - minutes(60)) });
    assert.deepEqual(listingWindow(stored, options), {
      from: NOW - minutes(15),
      to: NOW,
      rangeStart: NOW - minutes(60),
      watermark: NOW - minutes(5),
    });
  });

  it('never lists before the range start', () => {
    const stored = checkpoint({ watermark: iso(NOW - minutes(55)), rangeStart: iso(NOW - minutes(60)) });
    assert.equal(listingWindow(stored, options).from, NOW - minutes(60));
  });

  it('resumes a backfill inside the range its watermark counts from, and restarts an earlier one', () => {
    const rangeStart = NOW - minutes(600);
    const watermark = NOW - minutes(100);
    const to = NOW - minutes(50);
    const stored = checkpoint({ watermark: iso(watermark), rangeStart: iso(rangeStart) });
    assert.deepEqual(listingWindow(stored, { ...options, backfill: { from: rangeStart + minutes(1), to } }), {
      from: watermark - minutes(10),
      to,
      rangeStart,
      watermark,
    });
    assert.deepEqual(listingWindow(stored, { ...options, backfill: { from: rangeStart - minutes(1), to } }), {
      from: rangeStart - minutes(1),
      to,
      rangeStart: rangeStart - minutes(1),
      watermark: undefined,
    });
  });
});

describe('advanceWatermark', () => {
  it('tracks the new runs and moves the watermark in one write, never backwards', () => {
    const state = checkpoint({ watermark: iso(NOW - minutes(5)), rangeStart: iso(NOW - minutes(60)) });
    advanceWatermark(state, {
      newRuns: [execution('settling', 3, 0)],
      watermark: NOW - minutes(10),
      rangeStart: NOW - minutes(60),
      overlapMs: minutes(10),
    });
    assert.equal(state.watermark, iso(NOW - minutes(5)));
    assert.deepEqual(state.executions.settling, {
      triggeredAt: iso(NOW - minutes(3)),
      startedAt: iso(NOW - minutes(3)),
    });
  });

  it('prunes reported indexed runs triggered before the next listing start, and keeps the rest', () => {
    const state = checkpoint({
      executions: {
        old: { done: true, reported: true, triggeredAt: iso(NOW - minutes(50)) },
        recent: { done: true, reported: true, triggeredAt: iso(NOW - minutes(5)) },
        legacy: { done: true, reported: true, finishedAt: iso(NOW - minutes(40)) },
        // Its executions document does not say it is done yet: the next sync's report needs the entry.
        unreported: { done: true, triggeredAt: iso(NOW - minutes(50)) },
        running: { indexedUpTo: iso(NOW - minutes(2)), triggeredAt: iso(NOW - minutes(50)) },
        gaveUp: { abandoned: true, triggeredAt: iso(NOW - minutes(50)) },
      },
    });
    advanceWatermark(state, {
      newRuns: [],
      watermark: NOW,
      rangeStart: NOW - minutes(600),
      overlapMs: minutes(10),
    });
    assert.deepEqual(Object.keys(state.executions).sort(), ['gaveUp', 'recent', 'running', 'unreported']);
  });
});

describe('execution progress', () => {
  it('a walk step records the resume point; a completed range clears it and counts dead letters', () => {
    const progress = { attempts: 2, lastError: 'boom' };
    walkStep(progress, { startMs: NOW - minutes(60), endMs: NOW }, NOW - minutes(30));
    assert.deepEqual(progress, {
      attempts: 2,
      lastError: 'boom',
      walk: { start: iso(NOW - minutes(60)), end: iso(NOW), resumeEndTime: iso(NOW - minutes(30)) },
    });
    completeRange(progress, { completes: 'upTo', endMs: NOW, deadLetters: 3, now: NOW });
    assert.deepEqual(progress, { attempts: 0, indexedUpTo: iso(NOW), deadLetters: 3 });
    completeRange(progress, { completes: 'log', endedAtMs: NOW - 1000, deadLetters: 1, now: NOW });
    assert.deepEqual(progress, {
      attempts: 0,
      deadLetters: 4,
      done: true,
      doneAt: iso(NOW),
      finishedAt: iso(NOW - 1000),
    });
  });

  it('counts chunks and bytes with the write that commits them', () => {
    const progress = {};
    addTally(progress, { deadLetters: 0, chunks: 2, bytes: 1_000 });
    completeRange(progress, { completes: 'log', deadLetters: 1, chunks: 1, bytes: 24, now: NOW });
    assert.deepEqual(progress, {
      attempts: 0,
      deadLetters: 1,
      chunks: 3,
      bytes: 1_024,
      done: true,
      doneAt: iso(NOW),
    });
  });

  it('reports the runs worked on and the final ones not reported yet, and marks only final ones', () => {
    const state = checkpoint({
      executions: {
        running: { indexedUpTo: iso(NOW) },
        done: { done: true },
        gaveUp: { abandoned: true },
        reported: { done: true, reported: true },
      },
    });
    assert.deepEqual(runsToReport(state, ['running']).sort(), ['done', 'gaveUp', 'running']);
    markReported(state, ['running', 'done', 'gaveUp'], minutes(10));
    assert.deepEqual(state.executions.running, { indexedUpTo: iso(NOW) });
    assert.equal(state.executions.done!.reported, true);
    assert.equal(state.executions.gaveUp!.reported, true);
    assert.deepEqual(runsToReport(state, []), []);
  });

  it('prunes a run once its document is final and the next listing starts after its trigger', () => {
    const state = checkpoint({
      watermark: iso(NOW),
      rangeStart: iso(NOW - minutes(600)),
      executions: {
        old: { done: true, triggeredAt: iso(NOW - minutes(50)) },
        recent: { done: true, triggeredAt: iso(NOW - minutes(5)) },
      },
    });
    markReported(state, ['old', 'recent'], minutes(10));
    assert.deepEqual(Object.keys(state.executions), ['recent']);
  });

  it('a failure counts an attempt and gives up at the limit, or at once when the run is gone', () => {
    const progress = {};
    assert.equal(recordFailure(progress, { message: 'a', gone: false, maxAttempts: 2 }), 'failed');
    assert.equal(recordFailure(progress, { message: 'b', gone: false, maxAttempts: 2 }), 'abandoned');
    assert.deepEqual(progress, { attempts: 2, lastError: 'b', abandoned: true });
    assert.equal(recordFailure({}, { message: 'gone', gone: true, maxAttempts: 5 }), 'abandoned');
  });

  it('status sees runs in progress, given up, and with dead letters', () => {
    const pending = pendingRuns(
      checkpoint({
        executions: {
          a: { indexedUpTo: iso(NOW) },
          b: { abandoned: true, attempts: 5, lastError: 'x' },
          c: { done: true, doneAt: iso(NOW), deadLetters: 2 },
        },
      }),
    );
    assert.deepEqual(
      pending.inProgress.map((run) => run.executionId),
      ['a'],
    );
    assert.deepEqual(
      pending.givenUp.map((run) => run.executionId),
      ['b'],
    );
    assert.deepEqual(pending.withDeadLetters, [{ executionId: 'c', deadLetters: 2 }]);
  });
});

/**
 * The invariant, checked against a model of Talend: random runs (some listed minutes late, some ending
 * without a finishTimestamp, some failing to fetch), synced every few minutes with the real
 * planning rules, under both listing rules. After every sync each run triggered since the range
 * start is tracked, or indexed and triggered before the next listing's start; at the end both rules
 * have indexed the same runs, and every run that ended before the last horizon is indexed.
 */
describe('the checkpoint invariant under both listing rules', () => {
  interface Run {
    id: string;
    trigger: number;
    finish?: number;
    /** Listed by Talend only from this instant on. */
    visibleAt: number;
    withoutFinish: boolean;
  }
  const SETTLE = 30_000;
  const OVERLAP = minutes(10);
  const START = Date.parse('2026-11-01T00:00:00Z');

  function makeRuns(seed: number): Run[] {
    const random = seededRandom(seed);
    const runs: Run[] = [];
    for (let i = 0; i < 120; i++) {
      const trigger = START + Math.floor(random() * minutes(300)) - minutes(30);
      const duration = Math.floor(random() * minutes(random() < 0.2 ? 60 : 8));
      const withoutFinish = random() < 0.1;
      runs.push({
        id: `run-${i}`,
        trigger,
        finish: withoutFinish ? trigger : trigger + duration,
        visibleAt: trigger + Math.floor(random() < 0.1 ? random() * minutes(8) : random() * 2000),
        withoutFinish,
      });
    }
    return runs;
  }

  function view(run: Run, now: number): TalendExecution {
    const over = run.finish !== undefined && run.finish <= now;
    if (run.withoutFinish) {
      return {
        executionId: run.id,
        taskId: 't',
        status: 'execution_rejected',
        triggerTimestamp: iso(run.trigger),
      };
    }
    return {
      executionId: run.id,
      taskId: 't',
      status: over ? 'execution_successful' : 'executing',
      triggerTimestamp: iso(run.trigger),
      startTimestamp: iso(run.trigger),
      ...(over ? { finishTimestamp: iso(run.finish!) } : {}),
    };
  }

  function listing(runs: Run[], rule: 'trigger' | 'overlap', from: number, to: number, now: number) {
    return runs
      .filter((run) => run.visibleAt <= now && run.trigger <= now)
      .filter((run) =>
        rule === 'trigger'
          ? run.trigger >= from && run.trigger <= to
          : run.trigger <= to && (run.finish !== undefined && run.finish <= now ? run.finish : now) >= from,
      )
      .sort((a, b) => b.trigger - a.trigger)
      .map((run) => view(run, now));
  }

  function schedule(seed: number, rule: 'trigger' | 'overlap'): Set<string> {
    const runs = makeRuns(seed);
    const failing = seededRandom(seed ^ 0x5eed);
    const state = checkpoint();
    const indexed = new Set<string>();
    let now = START;
    for (let sync = 0; sync < 80; sync++) {
      now += minutes(3) + Math.floor(failing() * 60_000);
      const window = listingWindow(state, { now, lookbackMs: minutes(20), overlapMs: OVERLAP });
      const listed = listing(runs, rule, window.from, window.to, now);
      const listedIds = new Set(listed.map((run) => run.executionId));
      const byId = Object.entries(state.executions)
        .filter(([id, progress]) => !listedIds.has(id) && !progress.done && !progress.abandoned)
        .map(([id]) =>
          view(
            runs.find((run) => run.id === id)!,
            now,
          ),
        );
      const result = planTask({
        mode: 'sync',
        checkpoint: state,
        window,
        executions: [...listed, ...byId],
        now,
        settleDelayMs: SETTLE,
      });
      advanceWatermark(state, {
        newRuns: result.newRuns,
        watermark: result.watermark,
        rangeStart: window.rangeStart,
        overlapMs: OVERLAP,
      });
      for (const item of result.items) {
        const progress = state.executions[item.execution.executionId]!;
        if (failing() < 0.15) {
          recordFailure(progress, { message: 'flaky', gone: false, maxAttempts: 1000 });
          continue;
        }
        for (const range of item.ranges) {
          completeRange(progress, { completes: range.completes, endMs: range.endMs, deadLetters: 0, now });
        }
        if (progress.done) {
          assert.ok(!indexed.has(item.execution.executionId), `${item.execution.executionId} indexed twice`);
          indexed.add(item.execution.executionId);
        }
      }
      // The sync's last step; a sync that stops before it leaves its runs to the next one's.
      if (failing() < 0.9) {
        markReported(
          state,
          runsToReport(
            state,
            result.items.map((item) => item.execution.executionId),
          ),
          OVERLAP,
        );
      }
      // The invariant, after every sync.
      const watermark = Date.parse(state.watermark!);
      const rangeStart = Date.parse(state.rangeStart!);
      const nextFrom = Math.max(rangeStart, watermark - OVERLAP);
      for (const run of runs) {
        // A run Talend does not list yet is caught by a later listing, within the overlap.
        if (run.trigger < rangeStart || run.trigger >= watermark || run.visibleAt > now) continue;
        const tracked = state.executions[run.id] !== undefined;
        assert.ok(
          tracked || (indexed.has(run.id) && run.trigger < nextFrom),
          `${rule}: run ${run.id} (triggered ${iso(run.trigger)}) is neither tracked nor indexed before ${iso(nextFrom)} after sync ${sync}`,
        );
      }
    }
    const rangeStart = Date.parse(state.rangeStart!);
    for (const run of runs) {
      if (run.trigger < rangeStart || run.finish === undefined || run.finish > now - minutes(10)) continue;
      assert.ok(indexed.has(run.id), `${rule}: run ${run.id} ended ${iso(run.finish)} and was never indexed`);
    }
    return indexed;
  }

  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    it(`seed ${seed}: exact under both rules, and both index the same runs`, () => {
      const byTrigger = schedule(seed, 'trigger');
      const byOverlap = schedule(seed, 'overlap');
      assert.ok(byTrigger.size > 50, `a meaningful schedule (${byTrigger.size} runs indexed)`);
      assert.deepEqual([...byTrigger].sort(), [...byOverlap].sort());
    });
  }

  it('classifies a listed run the checkpoint does not track by its trigger time', () => {
    const window: ListingWindow = { from: NOW - minutes(10), to: NOW, rangeStart: NOW - minutes(60) };
    assert.equal(classifyListed(execution('x', 5), undefined, window), 'new');
    assert.equal(classifyListed(execution('x', 30), undefined, window), 'indexed');
    assert.equal(classifyListed(execution('x', 90), undefined, window), 'before-range');
    assert.equal(classifyListed(execution('x', 90), {}, window), 'tracked');
  });
});
