import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { silentLogger } from '../../src/observability/logger.ts';
import {
  boundaryAfter,
  inWindow,
  walkLogChunks,
  type ChunkSource,
  type ChunkWalkParams,
  type LogChunk,
} from '../../src/talend/chunk-walk.ts';
import {
  ChunkWalkStalledError,
  LogTokenExpiredError,
  PresignedUrlExpiredError,
} from '../../src/talend/errors.ts';
import type { GenerateLogParams, GeneratedLog } from '../../src/talend/logs.ts';

const T0 = Date.UTC(2024, 4, 1, 10, 0, 0);

interface Entry {
  id: number;
  ts: number;
}

interface ModelOptions {
  maxPerFile: number;
  boundary: 'inclusive' | 'exclusive';
  header: 'seconds' | 'millis' | 'epochMs';
}

/**
 * Talend's generate semantics in memory: the entries of [startTime, endTime] (bounds inclusive or
 * exclusive), and past `maxPerFile` only the newest ones plus the next end time header.
 */
class TalendLogModel implements ChunkSource {
  readonly files = new Map<string, Entry[]>();
  readonly requests: GenerateLogParams[] = [];
  clock = T0;

  constructor(
    private readonly entries: Entry[],
    private readonly options: ModelOptions,
  ) {}

  generateLog(_executionId: string, params: GenerateLogParams): Promise<GeneratedLog> {
    this.requests.push(params);
    const { startTime, endTime } = params;
    const inclusive = this.options.boundary === 'inclusive';
    const selected = this.entries.filter(
      (e) =>
        (startTime === undefined || (inclusive ? e.ts >= startTime : e.ts > startTime)) &&
        (endTime === undefined || (inclusive ? e.ts <= endTime : e.ts < endTime)),
    );
    const token = `token-${this.files.size}`;
    const partial = selected.length > this.options.maxPerFile;
    const file = partial ? selected.slice(selected.length - this.options.maxPerFile) : selected;
    this.files.set(token, file);
    const oldest = file[0]!.ts;
    const nextEndTime = partial
      ? this.options.header === 'seconds'
        ? Math.floor(oldest / 1000) * 1000
        : oldest
      : undefined;
    return Promise.resolve({
      status: partial ? 206 : 200,
      size: file.length,
      token,
      nextEndTime,
      generatedAt: this.clock,
    });
  }

  waitForLogFile(_executionId: string, token: string): Promise<string> {
    return Promise.resolve(`http://store.invalid/${token}`);
  }

  download(url: string): Promise<{ body: Readable }> {
    const file = this.files.get(url.slice(url.lastIndexOf('/') + 1))!;
    return Promise.resolve({ body: Readable.from(file.map((e) => `${JSON.stringify(e)}\n`)) });
  }
}

/** Deterministic timestamps with gaps of 0..gapMs ms, so same-millisecond runs occur too. */
function makeEntries(count: number, gapMs: number, seed = 7): Entry[] {
  let state = seed;
  const random = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const out: Entry[] = [];
  let ts = T0;
  for (let id = 0; id < count; id++) {
    ts += Math.floor(random() * (gapMs + 1));
    out.push({ id, ts });
  }
  return out;
}

async function collect(
  model: TalendLogModel,
  params: Omit<ChunkWalkParams, 'executionId'>,
): Promise<{ ids: number[]; chunks: LogChunk[] }> {
  const ids: number[] = [];
  const chunks: LogChunk[] = [];
  for await (const chunk of walkLogChunks(
    model,
    { now: () => model.clock, logger: silentLogger },
    { executionId: 'x', ...params },
  )) {
    chunks.push(chunk);
    const download = await chunk.open();
    for await (const line of download.body) {
      const entry = JSON.parse(String(line)) as Entry;
      if (inWindow(chunk.window, entry.ts)) ids.push(entry.id);
    }
  }
  return { ids: ids.sort((a, b) => a - b), chunks };
}

function truth(entries: Entry[], startMs?: number, endMs?: number): number[] {
  return entries.filter((e) => inWindow({ startMs, endMs }, e.ts)).map((e) => e.id);
}

describe('inWindow', () => {
  it('is half-open: start included, end excluded, undefined unbounded', () => {
    assert.ok(inWindow({ startMs: 10, endMs: 20 }, 10));
    assert.ok(inWindow({ startMs: 10, endMs: 20 }, 19));
    assert.ok(!inWindow({ startMs: 10, endMs: 20 }, 20));
    assert.ok(!inWindow({ startMs: 10, endMs: 20 }, 9));
    assert.ok(inWindow({}, -5));
    assert.ok(inWindow({ endMs: 20 }, -5));
    assert.ok(inWindow({ startMs: 10 }, 1e15));
  });
});

describe('boundaryAfter', () => {
  it('is the second after the header, above every entry of the file in both header formats', () => {
    assert.equal(boundaryAfter(T0), T0 + 1000);
    assert.equal(boundaryAfter(T0 + 999), T0 + 1000);
    assert.equal(boundaryAfter(T0 + 1000), T0 + 2000);
  });
});

describe('walkLogChunks', () => {
  const entries = makeEntries(6000, 25);
  const last = entries[entries.length - 1]!.ts;

  for (const boundary of ['inclusive', 'exclusive'] as const) {
    for (const header of ['seconds', 'millis', 'epochMs'] as const) {
      it(`puts every entry in exactly one window (${boundary} end time, ${header} header)`, async () => {
        const model = new TalendLogModel(entries, { maxPerFile: 500, boundary, header });
        const { ids, chunks } = await collect(model, {});
        assert.deepEqual(ids, truth(entries));
        assert.ok(chunks.length >= 12, `only ${chunks.length} chunks`);
        assert.deepEqual(
          chunks.map((c) => c.sequence),
          chunks.map((_, i) => i),
        );
        assert.deepEqual(
          chunks.map((c) => c.last),
          chunks.map((_, i) => i === chunks.length - 1),
        );
        assert.equal(chunks[0]!.window.endMs, undefined);
        assert.equal(chunks.at(-1)!.window.startMs, undefined);
        for (let i = 1; i < chunks.length; i++)
          assert.equal(chunks[i]!.window.endMs, chunks[i - 1]!.window.startMs);
        // Every request after the first uses whole seconds, as the API documents.
        for (const request of model.requests) assert.equal((request.endTime ?? 0) % 1000, 0);
      });

      it(`covers a sub-range exactly (${boundary} end time, ${header} header)`, async () => {
        const model = new TalendLogModel(entries, { maxPerFile: 400, boundary, header });
        const startMs = entries[1234]!.ts + 1;
        const endMs = entries[4321]!.ts;
        const { ids, chunks } = await collect(model, { startMs, endMs });
        assert.deepEqual(ids, truth(entries, startMs, endMs));
        assert.equal(chunks[0]!.window.endMs, endMs);
        assert.equal(chunks.at(-1)!.window.startMs, startMs);
      });
    }
  }

  it('keeps entries logged exactly on whole-second range edges', async () => {
    const onSeconds = Array.from({ length: 3000 }, (_, id) => ({ id, ts: T0 + id * 250 }));
    const startMs = T0 + 100_000;
    const endMs = T0 + 600_000;
    for (const boundary of ['inclusive', 'exclusive'] as const) {
      const model = new TalendLogModel(onSeconds, { maxPerFile: 300, boundary, header: 'seconds' });
      const { ids } = await collect(model, { startMs, endMs });
      assert.deepEqual(ids, truth(onSeconds, startMs, endMs), boundary);
      assert.equal(ids[0], 400);
    }
  });

  it('resumes from the start of the last chunk processed and yields the same union', async () => {
    const model = new TalendLogModel(entries, { maxPerFile: 500, boundary: 'exclusive', header: 'seconds' });
    const walk = walkLogChunks(
      model,
      { now: () => T0, logger: silentLogger },
      { executionId: 'x', endMs: last + 1 },
    );
    const first = (await walk.next()).value as LogChunk;
    await walk.return(undefined);
    const firstIds: number[] = [];
    for await (const line of (await first.open()).body) {
      const entry = JSON.parse(String(line)) as Entry;
      if (inWindow(first.window, entry.ts)) firstIds.push(entry.id);
    }
    const rest = await collect(model, { endMs: first.window.startMs });
    assert.deepEqual(
      [...firstIds, ...rest.ids].sort((a, b) => a - b),
      truth(entries),
    );
  });

  it('is lazy: one generate call per chunk the consumer asks for', async () => {
    const model = new TalendLogModel(entries, { maxPerFile: 500, boundary: 'inclusive', header: 'seconds' });
    const walk = walkLogChunks(model, { now: () => T0, logger: silentLogger }, { executionId: 'x' });
    await walk.next();
    await walk.next();
    assert.equal(model.requests.length, 2);
    await walk.return(undefined);
  });

  it('steps inside one crowded second when the header has milliseconds', async () => {
    // 900 entries within one second, files of 100: only millisecond boundaries make progress.
    const crowded = [
      ...makeEntries(300, 40),
      ...makeEntries(900, 1, 3).map((e) => ({ id: e.id + 300, ts: e.ts + 20_000 })),
    ];
    crowded.sort((a, b) => a.ts - b.ts);
    for (const boundary of ['inclusive', 'exclusive'] as const) {
      const model = new TalendLogModel(crowded, { maxPerFile: 100, boundary, header: 'millis' });
      const { ids } = await collect(model, {});
      assert.deepEqual(ids, truth(crowded), boundary);
      assert.ok(
        model.requests.some((r) => (r.endTime ?? 0) % 1000 !== 0),
        'expected a millisecond end time',
      );
    }
  });

  it('stops with ChunkWalkStalledError instead of losing entries when it cannot progress', async () => {
    const crowded = makeEntries(900, 1);
    const seconds = new TalendLogModel(crowded, {
      maxPerFile: 100,
      boundary: 'inclusive',
      header: 'seconds',
    });
    await assert.rejects(collect(seconds, {}), ChunkWalkStalledError);
    const sameMs = Array.from({ length: 300 }, (_, id) => ({ id, ts: T0 + 500 }));
    const millis = new TalendLogModel(sameMs, { maxPerFile: 100, boundary: 'inclusive', header: 'millis' });
    await assert.rejects(collect(millis, {}), ChunkWalkStalledError);
  });

  it('stops on a 206 without its header', async () => {
    const model = new TalendLogModel(entries, { maxPerFile: 500, boundary: 'inclusive', header: 'seconds' });
    const source: ChunkSource = {
      ...model,
      generateLog: async (id, params) => ({
        ...(await model.generateLog(id, params)),
        nextEndTime: undefined,
      }),
      waitForLogFile: (id, token) => model.waitForLogFile(id, token),
      download: (url) => model.download(url) as never,
    };
    const walk = walkLogChunks(source, { now: () => T0, logger: silentLogger }, { executionId: 'x' });
    await assert.rejects(walk.next(), /without an X-Log-Next-Request-End-Time/);
  });
});

describe('LogChunk.open', () => {
  const entries = makeEntries(2000, 25);

  /** A model whose status and download answers can be scripted per call. */
  function scripted(script: { status?: (Error | undefined)[]; download?: (Error | undefined)[] }) {
    const model = new TalendLogModel(entries, { maxPerFile: 500, boundary: 'inclusive', header: 'seconds' });
    const calls = { generate: 0, status: 0, download: 0 };
    const source: ChunkSource = {
      generateLog: (id, params) => {
        calls.generate++;
        return model.generateLog(id, params);
      },
      waitForLogFile: (id, token) => {
        const failure = (script.status ?? [])[calls.status++];
        return failure ? Promise.reject(failure) : model.waitForLogFile(id, token);
      },
      download: (url) => {
        const failure = (script.download ?? [])[calls.download++];
        return failure ? Promise.reject(failure) : (model.download(url) as never);
      },
    };
    return { model, calls, source };
  }

  async function firstChunk(source: ChunkSource, model: TalendLogModel): Promise<LogChunk> {
    const walk = walkLogChunks(
      source,
      { now: () => model.clock, logger: silentLogger },
      { executionId: 'x' },
    );
    const chunk = (await walk.next()).value as LogChunk;
    await walk.return(undefined);
    return chunk;
  }

  const expiredUrl = () => new PresignedUrlExpiredError('expired', { operation: 'download' });
  const expiredToken = () => new LogTokenExpiredError('gone', { operation: 'logStatus' });

  const recoveries = [
    {
      name: 'asks for a fresh URL once when the presigned URL expired',
      script: { download: [expiredUrl()] },
      calls: [1, 2, 2],
    },
    {
      name: 'regenerates the log with the same request when the URL keeps expiring',
      script: { download: [expiredUrl(), expiredUrl()] },
      calls: [2, 3, 3],
    },
    {
      name: 'regenerates when the status says the token is unknown',
      script: { status: [expiredToken()] },
      calls: [2, 2, 1],
    },
  ];
  for (const {
    name,
    script,
    calls: [generate, status, download],
  } of recoveries) {
    for (const prepareFirst of [false, true]) {
      it(prepareFirst ? `${name}, also after prepare` : name, async () => {
        const { model, calls, source } = scripted(script);
        const chunk = await firstChunk(source, model);
        if (prepareFirst) {
          await chunk.prepare();
          assert.equal(calls.download, 0, 'prepare does not download');
        }
        await chunk.open();
        assert.deepEqual(calls, { generate, status, download });
        // A regeneration repeats the chunk's own request.
        assert.deepEqual(
          model.requests.slice(1),
          model.requests.slice(1).map(() => model.requests[0]),
        );
      });
    }
  }

  it('polls once when prepare came first, and again for a second open', async () => {
    const { model, calls, source } = scripted({});
    const chunk = await firstChunk(source, model);
    await chunk.prepare();
    await chunk.prepare();
    await chunk.open();
    assert.deepEqual(calls, { generate: 1, status: 1, download: 1 });
    await chunk.open();
    assert.deepEqual(calls, { generate: 1, status: 2, download: 2 });
  });

  it('gives up after a fresh URL and a fresh token both expired', async () => {
    const { model, source } = scripted({ download: [expiredUrl(), expiredUrl(), expiredUrl()] });
    const chunk = await firstChunk(source, model);
    await assert.rejects(chunk.open(), PresignedUrlExpiredError);
  });

  it('regenerates before asking when the token is over 55 minutes old', async () => {
    const { model, calls, source } = scripted({});
    const chunk = await firstChunk(source, model);
    model.clock += 56 * 60 * 1000;
    await chunk.open();
    assert.deepEqual(calls, { generate: 2, status: 1, download: 1 });
  });

  it('refuses a regenerated log that no longer reaches down to the window', async () => {
    const { model, source } = scripted({ status: [expiredToken()] });
    const chunk = await firstChunk(source, model);
    // The run logged more since: the open-ended first request now returns newer entries only.
    entries.push(...makeEntries(600, 25).map((e) => ({ id: e.id + 10_000, ts: e.ts + 3_600_000 })));
    await assert.rejects(chunk.open(), ChunkWalkStalledError);
  });
});
