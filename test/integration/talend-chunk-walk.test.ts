import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import type { RawLogEntry } from '../../src/contracts/talend-api.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import {
  createTalendClient,
  inWindow,
  resolveBaseUrl,
  type LogChunk,
  type TalendClient,
} from '../../src/talend/index.ts';
import { DEFAULTS } from '../support/config.ts';

const ENTRIES = 350_000;
const EXECUTION = randomUUID();
const TASK = randomUUID();
const WORKSPACE = randomUUID();
const ENVIRONMENT = randomUUID();
// Not on a whole second, so the walk's requests and the log's own edges do not line up by luck.
const START = Date.now() - 6 * 3_600_000 + 377;
const FINISH = START + 3_600_000;

/** What identifies an entry for the comparison: time, level and text (duplicates are counted). */
function fingerprint(entry: RawLogEntry): string {
  return `${String(entry.logTimestamp)}\u0000${String(entry.severity)}\u0000${String(entry.logMessage)}`;
}

function countFingerprints(entries: Iterable<RawLogEntry>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of entries) {
    const key = fingerprint(entry);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

interface WalkResult {
  counts: Map<string, number>;
  kept: number;
  chunks: LogChunk[];
}

/** Downloads each chunk and keeps the JSON Lines entries inside the chunk's window. */
async function walk(
  client: TalendClient,
  range: { startMs?: number; endMs?: number },
  stopAfter = Number.POSITIVE_INFINITY,
): Promise<WalkResult> {
  const counts = new Map<string, number>();
  const chunks: LogChunk[] = [];
  let kept = 0;
  for await (const chunk of client.walkLogChunks({ executionId: EXECUTION, ...range })) {
    chunks.push(chunk);
    const download = await chunk.open();
    for await (const line of createInterface({ input: download.body, crlfDelay: Infinity })) {
      if (line === '') continue;
      const entry = JSON.parse(line) as RawLogEntry;
      if (!inWindow(chunk.window, Number(entry.logTimestamp))) continue;
      const key = fingerprint(entry);
      counts.set(key, (counts.get(key) ?? 0) + 1);
      kept++;
    }
    if (chunks.length >= stopAfter) break;
  }
  return { counts, kept, chunks };
}

function assertSameEntries(actual: Map<string, number>, expected: Map<string, number>, label: string): void {
  let missing = 0;
  let extra = 0;
  for (const [key, count] of expected) {
    const got = actual.get(key) ?? 0;
    if (got < count) missing += count - got;
    if (got > count) extra += got - count;
  }
  for (const [key, count] of actual) if (!expected.has(key)) extra += count;
  assert.equal(missing, 0, `${label}: ${missing} entries missing`);
  assert.equal(extra, 0, `${label}: ${extra} entries twice or unknown`);
}

// The timeout only catches a walk that hangs: eight walks of 350,000 entries take about a minute on
// a quiet machine and over two on a busy one.
describe(
  'the chunk walk over a 350,000-entry log (simulator, 100,000 entries per file)',
  { timeout: 600_000 },
  () => {
    let sim: RunningSimulator;
    let client: TalendClient;
    let all: Map<string, number>;

    before(async () => {
      sim = await startSimulator({
        tenant: {
          seed: 5,
          environments: [{ id: ENVIRONMENT, name: 'Production' }],
          workspaces: [{ id: WORKSPACE, name: 'Finance', environmentId: ENVIRONMENT }],
          tasks: [
            {
              id: TASK,
              name: 'Big_Load',
              workspaceId: WORKSPACE,
              executions: [
                {
                  id: EXECUTION,
                  status: 'execution_successful',
                  startTime: START,
                  finishTime: FINISH,
                  entryCount: ENTRIES,
                },
              ],
            },
          ],
        },
        variants: { jsonShape: 'jsonl', statusPollsBeforeReady: 0 },
        auth: { personalAccessTokens: ['chunk-walk-personal-access-token'] },
      });
      client = createTalendClient({
        baseUrl: resolveBaseUrl({ baseUrl: sim.apiUrl }),
        auth: { kind: 'pat', token: 'chunk-walk-personal-access-token' },
        ...DEFAULTS.services.talend.client,
        retry: DEFAULTS.services.talend.retry,
        statusPoll: { ...DEFAULTS.services.talend.client.statusPoll, initialMs: 10 },
      });
      all = countFingerprints(sim.entries(EXECUTION));
      assert.equal(sim.entryCount(EXECUTION), ENTRIES);
    });

    after(async () => {
      await client.close();
      await sim.close();
    });

    for (const boundary of ['inclusive', 'exclusive'] as const) {
      for (const nextEndTimeFormat of ['seconds', 'millis', 'http-date', 'quoted'] as const) {
        it(`yields every entry exactly once (${boundary} end time, next end time in ${nextEndTimeFormat})`, async () => {
          sim.setVariants({ boundary, nextEndTimeFormat });
          const result = await walk(client, {});
          assert.equal(result.kept, ENTRIES);
          assertSameEntries(result.counts, all, `${boundary}/${nextEndTimeFormat}`);
          assert.deepEqual(
            result.chunks.map((c) => c.status),
            [206, 206, 206, 200],
          );
          assert.ok(result.chunks.at(-1)!.last);
        });
      }
    }

    it('covers a sub-range [startMs, endMs) exactly', async () => {
      sim.setVariants({ boundary: 'exclusive', nextEndTimeFormat: 'millis' });
      const startMs = START + 400_123;
      const endMs = FINISH - 700_456;
      const expected = countFingerprints(sim.entries(EXECUTION, { startTime: startMs, endTime: endMs - 1 }));
      const result = await walk(client, { startMs, endMs });
      assert.equal(result.kept, sim.entryCount(EXECUTION, { startTime: startMs, endTime: endMs - 1 }));
      assertSameEntries(result.counts, expected, 'sub-range');
      assert.equal(result.chunks[0]!.window.endMs, endMs);
      assert.equal(result.chunks.at(-1)!.window.startMs, startMs);
    });

    it('resumes after the first chunk with endMs = its window start, and gives the same union', async () => {
      sim.setVariants({ boundary: 'inclusive', nextEndTimeFormat: 'seconds' });
      const first = await walk(client, {}, 1);
      const resumeAt = first.chunks[0]!.window.startMs;
      assert.ok(resumeAt !== undefined);
      const rest = await walk(client, { endMs: resumeAt });
      assert.equal(first.kept + rest.kept, ENTRIES);
      for (const [key, count] of rest.counts) first.counts.set(key, (first.counts.get(key) ?? 0) + count);
      assertSameEntries(first.counts, all, 'resumed');
    });
  },
);
