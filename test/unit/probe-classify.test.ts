import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import type { TalendExecution } from '../../src/contracts/talend-api.ts';
import { boundaryVerdict, wholeSecondTimestamp } from '../../src/probe/classify-boundary.ts';
import {
  combinedOrder,
  filterCandidate,
  filterVerdict,
  pageOrder,
  totalPresence,
} from '../../src/probe/classify-listing.ts';
import { classifyTimestamp, isGzip, readFileHead, timestampMs } from '../../src/probe/classify-log-file.ts';
import { classifyNextEndTime } from '../../src/probe/classify-next-end-time.ts';
import {
  combinedRejectedReading,
  isOverWithoutFinish,
  rejectedReading,
  tallyStatuses,
  undeclaredStatuses,
} from '../../src/probe/classify-runs.ts';
import { retryAfterPoint, statusBodyPoint } from '../../src/probe/check-client-stats.ts';
import { renderText } from '../../src/probe/render-text.ts';
import type { PointReport, ProbeReport } from '../../src/probe/report.ts';

const T = Date.UTC(2026, 0, 31, 12, 0, 0);
const entry = (ms: number) => `{"logTimestamp":${ms},"severity":"INFO","logMessage":"a [b] {c} \\"d\\""}`;

describe('probe: the head of a log file', () => {
  it('reads a JSON array, leaving out the entry the head cuts', () => {
    const text = `[\n${entry(T)},\n${entry(T + 1)},\n${entry(T + 2)}`.slice(0, -10);
    const head = readFileHead(text, false);
    assert.equal(head.shape, 'array');
    assert.deepEqual(
      head.entries.map((e) => e.logTimestamp),
      [T, T + 1],
    );
  });

  it('names the key of an object holding the entries, past members before it', () => {
    const text = `{"size":2,"meta":{"tags":["x"],"note":"[not it]"},"entries":[${entry(T)},${entry(T + 1)}],"next":1}`;
    const head = readFileHead(text, true);
    assert.equal(head.shape, 'object');
    assert.equal(head.arrayKey, 'entries');
    assert.equal(head.entries.length, 2);
    const cut = readFileHead(`{"data":[\n${entry(T)},\n{"logTimestamp":`, false);
    assert.deepEqual([cut.shape, cut.arrayKey, cut.entries.length], ['object', 'data', 1]);
  });

  it('reads JSON Lines, also when an entry holds an array', () => {
    const withArray = `{"logTimestamp":${T},"tags":["a"]}`;
    const head = readFileHead(`${withArray}\n${entry(T + 1)}\n${entry(T + 2)}`, false);
    assert.equal(head.shape, 'jsonl');
    assert.equal(head.entries.length, 2, 'the last line may be cut');
    assert.equal(readFileHead(`${withArray}\n${entry(T + 1)}\n`, true).entries.length, 2);
  });

  it('tells text, empty and unreadable heads apart', () => {
    assert.equal(readFileHead('2026-01-31T12:00:00.000Z INFO  [b] hello', true).shape, 'text');
    assert.equal(readFileHead('\uFEFF  \n', true).shape, 'empty');
    assert.equal(readFileHead('{"logTimestamp":1, "logMessage":"cut', false).shape, 'unknown');
  });

  it('knows gzip by its magic bytes', () => {
    assert.equal(isGzip(gzipSync('[]')), true);
    assert.equal(isGzip(Buffer.from('[]')), false);
    assert.equal(isGzip(Buffer.alloc(0)), false);
  });

  it('names the type of logTimestamp and the instant each names', () => {
    const cases: [unknown, string, number | undefined][] = [
      [T, 'epoch-ms', T],
      [T / 1000, 'epoch-seconds', T],
      [String(T), 'numeric-string', T],
      ['2026-01-31T12:00:00.000Z', 'iso-string', T],
      ['2026-01-31 12:00:00', 'iso-string', T],
      ['yesterday', 'other', undefined],
      [{ ms: T }, 'other', undefined],
      [undefined, 'missing', undefined],
    ];
    for (const [value, kind, ms] of cases) {
      assert.equal(classifyTimestamp(value), kind, String(value));
      assert.equal(timestampMs(value), ms, String(value));
    }
  });
});

describe('probe: X-Log-Next-Request-End-Time', () => {
  it('names the format and precision of each plausible form', () => {
    const cases: [string, string, string, boolean][] = [
      ['2021-09-01T07:01:45Z', 'iso-seconds', 'seconds', false],
      ['2021-09-01T07:01:45.123Z', 'iso-millis', 'milliseconds', false],
      ['"2021-09-01T07:01:45Z"', 'iso-seconds', 'seconds', true],
      ['2021-09-01T07:01:45.123456+02:00', 'iso-other', 'finer', false],
      ['2021-09-01 07:01:45', 'iso-other', 'seconds', false],
      ['2021-09-01T07:01', 'iso-other', 'coarser', false],
      ['1630479705', 'epoch-seconds', 'seconds', false],
      ['1630479705123', 'epoch-millis', 'milliseconds', false],
      ['Wed, 01 Sep 2021 07:01:45 GMT', 'http-date', 'seconds', false],
      ['soon', 'other', 'unknown', false],
    ];
    for (const [raw, format, precision, quoted] of cases) {
      assert.deepEqual(classifyNextEndTime(raw), { format, precision, quoted }, raw);
    }
  });
});

describe('probe: the execution listing', () => {
  it('reads the order of a page, and agrees pages into one', () => {
    assert.equal(pageOrder([3, 2, 2, 1]), 'newest-first');
    assert.equal(pageOrder([1, 2, 2, 3]), 'oldest-first');
    assert.equal(pageOrder([1, 3, 2]), 'other');
    assert.equal(pageOrder([5, 5]), 'undetermined');
    assert.equal(pageOrder([]), 'undetermined');
    assert.equal(combinedOrder(['undetermined', 'newest-first', 'newest-first']), 'newest-first');
    assert.equal(combinedOrder(['newest-first', 'oldest-first']), 'other');
    assert.equal(combinedOrder(['undetermined']), 'undetermined');
  });

  it('says whether pages carry total', () => {
    assert.equal(totalPresence([true, true]), 'present');
    assert.equal(totalPresence([false]), 'absent');
    assert.equal(totalPresence([true, false]), 'mixed');
    assert.equal(totalPresence([]), 'undetermined');
  });

  const run = (id: string, fields: Partial<TalendExecution>): TalendExecution => ({
    executionId: id,
    taskId: 'task',
    status: 'execution_successful',
    ...fields,
  });

  it('straddles the shortest run of 2 s or more from trigger to end, running ones up to now', () => {
    const now = T + 3_600_000;
    const runs = [
      run('long', { triggerTimestamp: iso(T), finishTimestamp: iso(T + 600_000) }),
      run('short', {
        triggerTimestamp: iso(T),
        startTimestamp: iso(T + 5000),
        finishTimestamp: iso(T + 60_000),
      }),
      run('instant', { triggerTimestamp: iso(T), finishTimestamp: iso(T + 1500) }),
      run('rejected', { status: 'execution_rejected', triggerTimestamp: iso(T) }),
    ];
    const candidate = filterCandidate(runs, now);
    assert.equal(candidate?.execution.executionId, 'short');
    assert.deepEqual(candidate?.straddling, { from: T + 30_000, to: T + 60_000 });
    assert.deepEqual(candidate?.control, { from: T - 1000, to: T + 60_000 });
    const running = filterCandidate(
      [run('going', { status: 'executing', triggerTimestamp: iso(now - 10_000) })],
      now,
    );
    assert.deepEqual(running?.straddling, { from: now - 5000, to: now });
    assert.equal(filterCandidate(runs.slice(2), now), undefined);
  });

  it('reads trigger or overlap only when the control window lists the run', () => {
    assert.equal(filterVerdict({ control: true, straddling: false }).result, 'trigger');
    assert.equal(filterVerdict({ control: true, straddling: true }).result, 'overlap');
    assert.equal(filterVerdict({ control: false, straddling: false }).result, 'undetermined');
  });
});

describe('probe: the endTime boundary', () => {
  it('takes an entry logged at a whole second', () => {
    assert.equal(wholeSecondTimestamp([T + 1, undefined, T + 1000, T + 2000]), T + 1000);
    assert.equal(wholeSecondTimestamp([T + 1, undefined]), undefined);
  });

  it('reads inclusive, exclusive, and nothing from files that cannot tell', () => {
    const held = { atT: 1, whole: true };
    const lacking = { atT: 0, whole: true };
    assert.deepEqual(boundaryVerdict(held, held), {
      result: 'inclusive',
      reason: 'the entry at T is in the file ending at T',
      startTime: 'inclusive',
    });
    assert.equal(boundaryVerdict(held, lacking).startTime, 'exclusive');
    assert.equal(boundaryVerdict(lacking, held).result, 'exclusive');
    assert.equal(boundaryVerdict(lacking, lacking).result, 'undetermined');
    assert.equal(boundaryVerdict({ atT: 0, whole: false }, held).result, 'undetermined');
    assert.equal(boundaryVerdict(held, { atT: 0, whole: false }).startTime, undefined);
  });
});

describe('probe: runs and client counters', () => {
  it('tallies status values and the runs without finishTimestamp', () => {
    const runs: TalendExecution[] = [
      { executionId: 'a', taskId: 't', status: 'executing', executionStatus: 'EXECUTING' },
      { executionId: 'b', taskId: 't', status: 'execution_rejected', executionStatus: 'EXECUTION_REJECTED' },
      { executionId: 'c', taskId: 't', status: 'execution_rejected', executionStatus: 'EXECUTION_REJECTED' },
      { executionId: 'd', taskId: 't', status: 'execution_successful', finishTimestamp: iso(T) },
    ];
    const tally = tallyStatuses(runs);
    assert.deepEqual(tally.status, { executing: 1, execution_rejected: 2, execution_successful: 1 });
    assert.deepEqual(tally.executionStatus, { EXECUTING: 1, EXECUTION_REJECTED: 2, '(none)': 1 });
    assert.deepEqual(undeclaredStatuses(tally), { status: [], executionStatus: ['EXECUTING', '(none)'] });
    assert.deepEqual(
      undeclaredStatuses(tallyStatuses([{ executionId: 'e', taskId: 't', status: 'queued' }])),
      {
        status: ['queued'],
        executionStatus: ['(none)'],
      },
    );
    assert.deepEqual(tally.withoutFinish, [
      { status: 'executing', executionStatus: 'EXECUTING', running: true, count: 1 },
      { status: 'execution_rejected', executionStatus: 'EXECUTION_REJECTED', running: false, count: 2 },
    ]);
    assert.deepEqual(
      runs.filter(isOverWithoutFinish).map((r) => r.executionId),
      ['b', 'c'],
    );
  });

  it('reads rejected runs', () => {
    assert.equal(rejectedReading(false, false), 'no-finish-no-log');
    assert.equal(rejectedReading(true, true), 'finished-with-log');
    assert.equal(combinedRejectedReading(['finished-with-log', 'finished-with-log']), 'finished-with-log');
    assert.equal(combinedRejectedReading(['finished-with-log', 'no-finish-no-log']), 'mixed');
    assert.equal(combinedRejectedReading([]), undefined);
  });

  it('reads Retry-After from the 429 counters, and the status body form', () => {
    assert.equal(retryAfterPoint({ rateLimited: 0, rateLimitedWithRetryAfter: 0 }).result, 'not-observed');
    assert.equal(retryAfterPoint({ rateLimited: 3, rateLimitedWithRetryAfter: 3 }).result, 'present');
    assert.equal(retryAfterPoint({ rateLimited: 3, rateLimitedWithRetryAfter: 0 }).result, 'absent');
    assert.equal(retryAfterPoint({ rateLimited: 3, rateLimitedWithRetryAfter: 1 }).result, 'mixed');
    assert.equal(statusBodyPoint('application/json').result, 'application/json');
    assert.equal(statusBodyPoint('text/plain').result, 'text/plain');
    assert.equal(statusBodyPoint(undefined).result, 'not-observed');
  });
});

describe('probe: the text report', () => {
  it('gives every point a line with its result, then its reason and evidence', () => {
    const names = [
      'listingFilter',
      'listingOrder',
      'listingTotal',
      'statusValues',
      'terminalWithoutFinish',
      'rejectedRuns',
      'logFileShape',
      'logCompression',
      'logTimestamp',
      'nextEndTime',
      'endTimeBoundary',
      'retryAfter',
      'statusBody',
    ];
    const points = Object.fromEntries(
      names.map((name, i): [string, PointReport] => [
        name,
        { result: `result-${i}`, reason: `reason-${i}`, evidence: { [`key${i}`]: { n: i } } },
      ]),
    ) as ProbeReport['points'];
    const text = renderText({
      probe: {
        version: '9.9.9',
        startedAt: iso(T),
        finishedAt: iso(T + 1000),
        apiUrl: 'https://api.eu.cloud.talend.com/',
        tasksListed: 2,
        tasksSelected: 3,
        maxTasksListed: 50,
        lastDays: 14,
        executionsSeen: 7,
        failedTasks: [{ taskId: 'task-x', error: 'HTTP 403' }],
      },
      points,
    });
    assert.match(text, /9\.9\.9 against https:\/\/api\.eu\.cloud\.talend\.com\//);
    assert.match(text, /2 of 3 tasks listed, 7 runs seen over the last 14 days/);
    assert.match(text, /listing failed for task task-x: HTTP 403/);
    names.forEach((_, i) => {
      assert.match(text, new RegExp(`\\S +result-${i}\\n    reason-${i}\\n    key${i}: \\{"n":${i}\\}`));
    });
  });
});

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
