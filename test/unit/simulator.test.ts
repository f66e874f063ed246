import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ExecutionLog } from '../../src/simulator/execution-log.ts';
import { layoutFor } from '../../src/simulator/log-file-format.ts';
import { LogFileStream } from '../../src/simulator/log-file-stream.ts';
import { DEFAULT_VARIANTS, demoTenant, generateTenant } from '../../src/simulator/index.ts';
import type { Variants } from '../../src/simulator/index.ts';
import type { ExecutionSpec } from '../../src/simulator/index.ts';
import { parseLogTime, formatNextEndTime } from '../../src/simulator/time-format.ts';
import { TERMINAL_STATUSES } from '../../src/contracts/talend-api.ts';

const VOICE = {
  jobName: 'Orders_Load',
  bundleName: 'Orders_Load',
  bundleVersion: '0.1.3',
  podNames: ['orders-load-1a2b3c-x1', 'orders-load-1a2b3c-x2'],
  errorRate: 0.05,
};
const START = Date.parse('2024-05-01T10:00:00Z');

function finishedLog(entryCount: number, durationMs: number, seed = 1): ExecutionLog {
  const spec: ExecutionSpec = {
    id: '7d0c2a63-54b3-4f0e-9a35-1c1f3c0f9e01',
    status: 'execution_successful',
    startTime: START,
    finishTime: START + durationMs,
    entryCount,
  };
  return new ExecutionLog(spec, 'task', VOICE, seed);
}

function runningLog(entriesPerSecond: number): { spec: ExecutionSpec; log: ExecutionLog } {
  const spec: ExecutionSpec = {
    id: '2b7f7c1e-0f0e-4a53-8d7b-5b1f0f6f4f10',
    status: 'executing',
    startTime: START,
    entryCount: 0,
    entriesPerSecond,
  };
  return { spec, log: new ExecutionLog(spec, 'task', VOICE, 1) };
}

function shape(jsonShape: Variants['jsonShape'], variants: Partial<Variants> = {}): Variants {
  return { ...DEFAULT_VARIANTS, jsonShape, ...variants };
}

async function streamText(stream: LogFileStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

describe('ExecutionLog', () => {
  const log = finishedLog(20_000, 60_000);
  const now = START + 3_600_000;

  it('lays timestamps out non-decreasing, within the run, with some milliseconds shared', () => {
    let shared = 0;
    for (let i = 1; i < 20_000; i++) {
      const previous = log.timestampAt(i - 1);
      const current = log.timestampAt(i);
      assert.ok(current >= previous, `entry ${i} goes back in time`);
      if (current === previous) shared++;
    }
    assert.ok(log.timestampAt(0) >= START);
    assert.ok(log.timestampAt(19_999) < START + 60_000);
    assert.ok(shared > 100, `only ${shared} shared milliseconds`);
  });

  it('is a pure function of (seed, execution, index)', () => {
    const again = finishedLog(20_000, 60_000);
    const other = finishedLog(20_000, 60_000, 2);
    assert.deepEqual(again.entryAt(12_345), log.entryAt(12_345));
    assert.notDeepEqual(other.entryAt(12_345).logMessage, log.entryAt(12_345).logMessage);
  });

  it('produces realistic content: severities, stack traces, Unicode, long lines, extra fields, exact duplicates', () => {
    const severities = new Set<string>();
    let stackTraces = 0;
    let unicode = 0;
    let longLines = 0;
    let extra = 0;
    let duplicates = 0;
    let previous = '';
    for (const entry of log.entries(log.fullRange(now))) {
      severities.add(entry.severity);
      if (entry.logMessage.includes('\n\tat ')) stackTraces++;
      if (/[^\p{ASCII}]/u.test(entry.logMessage)) unicode++;
      if (entry.logMessage.length > 2000) longLines++;
      if (entry.threadName !== undefined) extra++;
      const text = JSON.stringify(entry);
      if (text === previous) duplicates++;
      previous = text;
    }
    assert.deepEqual([...severities].sort(), ['DEBUG', 'ERROR', 'FATAL', 'INFO', 'WARN']);
    assert.ok(stackTraces > 50 && unicode > 1000 && longLines > 2 && extra > 500, 'content too uniform');
    assert.ok(duplicates > 5, `only ${duplicates} duplicates`);
  });

  it('counts a time window in agreement with iteration, both ends inclusive', () => {
    const startTime = log.timestampAt(4_000);
    const endTime = log.timestampAt(9_000);
    const range = log.indexRange({ startTime, endTime, endInclusive: true }, now);
    const expected = [...log.entries(log.fullRange(now))].filter(
      (e) => e.logTimestamp >= startTime && e.logTimestamp <= endTime,
    );
    assert.equal(range.hi - range.lo, expected.length);
    assert.deepEqual([...log.entries(range)], expected);
    const exclusive = log.indexRange({ startTime, endTime, endInclusive: false }, now);
    assert.equal(exclusive.hi, range.hi - expected.filter((e) => e.logTimestamp === endTime).length);
  });

  it('logs a running execution at its rate up to now, and keeps those entries when it finishes', () => {
    const { spec, log: running } = runningLog(4);
    assert.equal(running.count(START - 1), 0);
    assert.equal(running.count(START + 10_000), 41);
    const before = [...running.entries(running.fullRange(START + 10_000))];
    running.finish(START + 20_000, 'execution_successful');
    assert.equal(spec.entryCount, 81);
    assert.equal(running.count(START + 99_000_000), 81);
    assert.deepEqual([...running.entries({ lo: 0, hi: 41 })], before);
  });

  it('forgets deleted entries, while a running execution keeps logging after the delete', () => {
    const { log: running } = runningLog(1);
    running.deleteEntries(START + 9_000);
    assert.equal(running.count(START + 9_000), 0);
    assert.equal(running.count(START + 12_000), 3);
    assert.equal(running.fullRange(START + 12_000).lo, 10);
  });
});

describe('log files', () => {
  const log = finishedLog(3_000, 10_000);
  const range = { lo: 0, hi: 3_000 };
  const expected = [...log.entries(range)];

  it('renders each JSON shape to exactly the entries, unknown fields included', async () => {
    const array = JSON.parse(
      await streamText(
        new LogFileStream({ log, range, layout: layoutFor('JSON', shape('array')), malformed: false }),
      ),
    );
    const data = JSON.parse(
      await streamText(
        new LogFileStream({ log, range, layout: layoutFor('JSON', shape('data')), malformed: false }),
      ),
    );
    const lines = (
      await streamText(
        new LogFileStream({ log, range, layout: layoutFor('JSON', shape('jsonl')), malformed: false }),
      )
    )
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as unknown);
    assert.deepEqual(array, expected);
    assert.deepEqual(data, { data: expected });
    assert.deepEqual(lines, expected);
  });

  it('wraps the entries in an object under the configured key, between the configured members', async () => {
    const wrapper = {
      key: 'rows',
      before: { count: 3_000, columns: [{ name: 'x' }] },
      after: { next: null },
    };
    const text = await streamText(
      new LogFileStream({
        log,
        range,
        layout: layoutFor('JSON', shape('wrapped', { wrapper })),
        malformed: false,
      }),
    );
    assert.deepEqual(JSON.parse(text), {
      count: 3_000,
      columns: [{ name: 'x' }],
      rows: expected,
      next: null,
    });
    assert.ok(
      text.indexOf('"count"') < text.indexOf('"rows"') && text.indexOf('"rows"') < text.indexOf('"next"'),
    );
    const bare = { key: 'entries', before: {}, after: {} };
    const alone = await streamText(
      new LogFileStream({
        log,
        range: { lo: 0, hi: 2 },
        layout: layoutFor('JSON', shape('wrapped', { wrapper: bare })),
        malformed: false,
      }),
    );
    assert.deepEqual(JSON.parse(alone), { entries: expected.slice(0, 2) });
  });

  it('writes logTimestamp in milliseconds, in seconds with their milliseconds, or as ISO text', async () => {
    const written = async (logTimestampFormat: Variants['logTimestampFormat']) =>
      (
        JSON.parse(
          await streamText(
            new LogFileStream({
              log,
              range,
              layout: layoutFor('JSON', shape('array', { logTimestampFormat })),
              malformed: false,
            }),
          ),
        ) as { logTimestamp: unknown }[]
      ).map((entry) => entry.logTimestamp);
    const millis = expected.map((entry) => entry.logTimestamp);
    assert.deepEqual(await written('millis'), millis);
    assert.deepEqual(
      (await written('seconds')).map((value) => Math.round((value as number) * 1000)),
      millis,
    );
    assert.ok((await written('seconds')).some((value) => !Number.isInteger(value)));
    assert.deepEqual(
      await written('iso'),
      millis.map((ms) => new Date(ms).toISOString()),
    );
    assert.equal(
      layoutFor('JSON', shape('array')),
      layoutFor('JSON', { ...DEFAULT_VARIANTS }),
      'one layout object each',
    );
  });

  it('writes TEXT lines with a plain or a bracketed timestamp', async () => {
    const first = async (textTimestamp: Variants['textTimestamp']) =>
      (
        await streamText(
          new LogFileStream({
            log,
            range: { lo: 0, hi: 1 },
            layout: layoutFor('TEXT', shape('array', { textTimestamp })),
            malformed: false,
          }),
        )
      ).split('\n')[0];
    const at = new Date(expected[0]!.logTimestamp).toISOString();
    assert.ok((await first('plain'))!.startsWith(`${at} `));
    assert.ok(
      (await first('bracketed'))!.startsWith(`[${at.slice(0, 10)} ${at.slice(11, 23).replace('.', ',')}] [`),
    );
  });

  it('writes an empty file as a valid empty document', async () => {
    const empty = { lo: 5, hi: 5 };
    const text = await streamText(
      new LogFileStream({ log, range: empty, layout: layoutFor('JSON', shape('array')), malformed: false }),
    );
    assert.deepEqual(JSON.parse(text), []);
  });

  it('cuts a file in the middle of an entry', async () => {
    const text = await streamText(
      new LogFileStream({
        log,
        range,
        layout: layoutFor('JSON', shape('jsonl')),
        malformed: false,
        cutAfter: 1_500,
      }),
    );
    const lines = text.split('\n');
    assert.equal(lines.length, 1_501);
    assert.throws(() => JSON.parse(lines[1_500] ?? ''));
    assert.deepEqual(JSON.parse(lines[1_499] ?? ''), expected[1_499]);
  });

  it('breaks exactly the designated entries when asked to', async () => {
    const text = await streamText(
      new LogFileStream({ log, range, layout: layoutFor('JSON', shape('jsonl')), malformed: true }),
    );
    const broken: number[] = [];
    text
      .split('\n')
      .slice(0, -1)
      .forEach((line, i) => {
        try {
          const parsed = JSON.parse(line) as { logTimestamp: unknown };
          if (typeof parsed.logTimestamp !== 'number') broken.push(i);
        } catch {
          broken.push(i);
        }
      });
    assert.deepEqual(broken, log.malformedIndexes(START + 3_600_000));
    assert.ok(broken.length > 5);
  });
});

describe('time formats', () => {
  it('accepts the documented form with or without milliseconds, and nothing looser', () => {
    assert.equal(parseLogTime('2021-09-01T07:01:45Z'), Date.parse('2021-09-01T07:01:45.000Z'));
    assert.equal(parseLogTime('2021-09-01T07:01:45.123Z'), Date.parse('2021-09-01T07:01:45.123Z'));
    assert.equal(parseLogTime('2021-09-01 07:01:45'), undefined);
    assert.equal(parseLogTime('2021-13-45T07:01:45Z'), undefined);
  });

  it('formats the next end time floored to the second (ISO, HTTP date, quoted) or with milliseconds', () => {
    const ms = Date.parse('2021-09-01T07:01:45.987Z');
    assert.equal(formatNextEndTime(ms, 'seconds'), '2021-09-01T07:01:45Z');
    assert.equal(formatNextEndTime(ms, 'millis'), '2021-09-01T07:01:45.987Z');
    assert.equal(formatNextEndTime(ms, 'http-date'), 'Wed, 01 Sep 2021 07:01:45 GMT');
    assert.equal(formatNextEndTime(ms, 'quoted'), '"2021-09-01T07:01:45Z"');
  });
});

describe('tenants', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');

  it('generates the same tenant from the same spec, of the requested size', () => {
    const spec = {
      seed: 42,
      now,
      tasks: 5,
      executionsPerTask: 4,
      entriesPerExecution: [100, 900] as [number, number],
      runningExecutions: 2,
      environments: 2,
      workspacesPerEnvironment: 3,
    };
    const tenant = generateTenant(spec);
    assert.deepEqual(generateTenant(spec), tenant);
    assert.notDeepEqual(generateTenant({ ...spec, seed: 43 }).tasks[0]?.id, tenant.tasks[0]?.id);
    assert.equal(tenant.environments.length, 2);
    assert.equal(tenant.workspaces.length, 6);
    assert.equal(tenant.tasks.length, 5);
    const executions = tenant.tasks.flatMap((t) => t.executions);
    assert.equal(executions.length, 20);
    assert.equal(executions.filter((e) => e.finishTime === undefined && e.status === 'executing').length, 2);
    for (const e of executions.filter((x) => x.finishTime !== undefined)) {
      assert.ok((TERMINAL_STATUSES as readonly string[]).includes(e.status));
      assert.ok((e.finishTime ?? 0) <= now);
      if (e.status === 'execution_rejected') {
        // Rejected before it started: it logged nothing.
        assert.deepEqual([e.entryCount, e.finishTime], [0, e.startTime]);
        continue;
      }
      assert.ok(e.entryCount >= 100 && e.entryCount <= 900);
      assert.ok(e.startTime < (e.finishTime ?? 0));
    }
  });

  it('demo tenant: one environment, two workspaces, four tasks, a dozen runs of the last day', () => {
    const tenant = demoTenant(now);
    assert.equal(tenant.environments.length, 1);
    assert.equal(tenant.workspaces.length, 2);
    assert.equal(tenant.tasks.length, 4);
    const executions = tenant.tasks.flatMap((t) => t.executions);
    assert.equal(executions.length, 12);
    assert.ok(executions.every((e) => e.startTime >= now - 24 * 3_600_000));
    assert.equal(executions.filter((e) => e.entryCount === 150_000).length, 1);
    assert.equal(executions.filter((e) => e.status === 'executing' && e.finishTime === undefined).length, 1);
    assert.ok(
      executions.filter((e) => e.status === 'execution_failed' || e.status === 'execution_rejected').length >=
        3,
    );
    assert.deepEqual(demoTenant(now), tenant);
  });
});
