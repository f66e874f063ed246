/**
 * Every plausible shape of a downloaded log file, served by the simulator and read by the real
 * `talend-logs sync`: each variant must index exactly the simulator's entries (compared by `_id`),
 * and a file that is no log must fail its execution with one error, indexing and dead-lettering
 * nothing.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { RawLogEntry } from '../../src/contracts/talend-api.ts';
import type { FaultKind, TenantSpec, Variants } from '../../src/simulator/index.ts';
import { deadLettersOf } from '../support/fault-harness.ts';
import {
  compareIds,
  executionIdsOf,
  startJobHarness,
  summaryOf,
  type EntryFilter,
} from '../support/job-harness.ts';

const HOUR = 3_600_000;

function uuid(n: number): string {
  return `eeeeeeee-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** Two finished runs, one of them over two files (1,000 entries per file): a 206 walk. */
function tenant(): TenantSpec {
  const now = Date.now();
  const environment = uuid(900);
  const workspace = uuid(901);
  const run = (n: number, hoursAgo: number, entryCount: number) => ({
    id: uuid(n),
    status: 'execution_successful',
    startTime: now - hoursAgo * HOUR,
    finishTime: now - hoursAgo * HOUR + 600_000,
    entryCount,
  });
  return {
    seed: 31,
    environments: [{ id: environment, name: 'Production' }],
    workspaces: [{ id: workspace, name: 'Finance', environmentId: environment }],
    tasks: [
      {
        id: uuid(902),
        name: 'Orders_Daily_Load',
        workspaceId: workspace,
        executions: [run(1, 5, 1_800), run(2, 3, 700)],
      },
    ],
  };
}

/** A TEXT line carries the timestamp, the level, the bundle and the message. */
const textView = (entry: RawLogEntry): RawLogEntry => ({
  logTimestamp: entry.logTimestamp,
  severity: entry.severity,
  bundleName: entry.bundleName,
  logMessage: entry.logMessage,
});

interface Case {
  name: string;
  variants: Partial<Variants>;
  fileFormat?: 'TEXT';
  view?: EntryFilter['view'];
}

const CASES: Case[] = [
  { name: 'array (default)', variants: {} },
  { name: '{"data": [...]}', variants: { jsonShape: 'data' } },
  { name: 'wrapped under "logs" among members before and after', variants: { jsonShape: 'wrapped' } },
  {
    name: 'wrapped under "items", paging members around it',
    variants: {
      jsonShape: 'wrapped',
      wrapper: { key: 'items', before: { size: 2, totalSize: 2 }, after: { nextIndex: 2 } },
    },
  },
  { name: 'JSON Lines', variants: { jsonShape: 'jsonl' } },
  { name: 'gzip with Content-Encoding', variants: { gzip: 'content-encoding' } },
  { name: 'gzip file as application/gzip', variants: { gzip: 'content-type', jsonShape: 'jsonl' } },
  { name: 'gzip file as application/octet-stream', variants: { gzip: 'bytes-only', jsonShape: 'wrapped' } },
  { name: 'logTimestamp in epoch seconds', variants: { logTimestampFormat: 'seconds' } },
  {
    name: 'logTimestamp in epoch seconds, JSON Lines',
    variants: { logTimestampFormat: 'seconds', jsonShape: 'jsonl' },
  },
  { name: 'logTimestamp as ISO text', variants: { logTimestampFormat: 'iso', jsonShape: 'jsonl' } },
  { name: 'next end time as an HTTP date', variants: { nextEndTimeFormat: 'http-date' } },
  { name: 'next end time in quotes', variants: { nextEndTimeFormat: 'quoted' } },
  { name: 'TEXT, plain timestamps', variants: {}, fileFormat: 'TEXT', view: textView },
  {
    name: 'TEXT, bracketed timestamps, gzipped',
    variants: { textTimestamp: 'bracketed', gzip: 'bytes-only' },
    fileFormat: 'TEXT',
    view: textView,
  },
];

/** The matrix, as it ran: printed at the end for the record. */
const matrix: string[] = [];
after(() => console.log(`\n${matrix.join('\n')}`));

describe('log files in every plausible shape, through talend-logs sync', { concurrency: 1 }, () => {
  for (const { name, variants, fileFormat, view } of CASES) {
    it(`indexes exactly every entry: ${name}`, async () => {
      const harness = await startJobHarness('shapes', {
        tenant: tenant(),
        maxEntriesPerFile: 1_000,
        variants: { statusPollsBeforeReady: 0, ...variants },
      });
      try {
        const args = fileFormat === undefined ? ['sync'] : ['sync', '--file-format', fileFormat];
        const result = await harness.runCli(args);
        assert.equal(result.code, 0, result.stderr);
        const executionIds = executionIdsOf(harness.simulator.tenant);
        const expected = harness.expectedIds(executionIds, undefined, { view });
        const indexed = await harness.indexedIds();
        const summary = summaryOf(result);
        matrix.push(
          `${name}: ${expected.size} expected, ${indexed.length} indexed, ${summary.deadLetters} dead letters, ` +
            `${harness.simulator.stats().download} downloads`,
        );
        assert.equal(expected.size, 2_500);
        assert.deepEqual(compareIds(indexed, expected), { missing: 0, unexpected: 0, duplicates: 0 });
        assert.equal(summary.deadLetters, 0);
        assert.equal(summary.documents, 2_500);
      } finally {
        await harness.close();
      }
    });
  }

  for (const [fault, fileFormat] of [
    ['htmlBody', 'JSON'],
    ['htmlBody', 'TEXT'],
    ['binaryBody', 'JSON'],
    ['binaryBody', 'TEXT'],
  ] as [FaultKind, 'JSON' | 'TEXT'][]) {
    it(`fails each execution once when the file is no log (${fault}, ${fileFormat})`, async () => {
      const harness = await startJobHarness('shapes-unreadable', {
        tenant: tenant(),
        maxEntriesPerFile: 1_000,
        variants: { statusPollsBeforeReady: 0 },
        faults: [{ kind: 'download', fault }],
      });
      try {
        const result = await harness.runCli(['sync', '--file-format', fileFormat]);
        assert.equal(result.code, 3, result.stderr);
        const summary = summaryOf(result);
        const indexed = await harness.indexedIds();
        const letters = await deadLettersOf(harness);
        matrix.push(
          `${fault} (${fileFormat}): ${summary.failures.length} failures, ${indexed.length} indexed, ` +
            `${letters.length} dead letters`,
        );
        assert.deepEqual(
          summary.failures.map((failure) => failure.executionId).sort(),
          executionIdsOf(harness.simulator.tenant).sort(),
        );
        for (const failure of summary.failures)
          assert.match(failure.error, /cannot be read|not a JSON log file/);
        assert.equal(indexed.length, 0);
        assert.equal(letters.length, 0);
        assert.equal(summary.deadLetters, 0);
      } finally {
        await harness.close();
      }
    });
  }
});
