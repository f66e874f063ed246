/**
 * `npm run bench`: the connector measured against the ceiling Elasticsearch sets and against the
 * workflow of Talend's guide, on the same data and the same index settings, back to back in one run,
 * first with Elasticsearch pinned to cores of its own (the headline), then on shared cores.
 * Writes bench/results/bench.json and bench/results/RESULTS.md. See bench/README.md.
 *
 * BENCH_REPEAT=3 repeats the pinned comparisons and keeps medians; BENCH_QUICK=1 divides every size by
 * ten; BENCH_SHAPE=jsonl serves JSON Lines instead of a JSON array; BENCH_ONLY=memory or
 * BENCH_ONLY=scaling runs that section alone and writes bench/results/memory.json or scaling.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@elastic/elasticsearch';
import { installTemplates } from '../src/store/templates.ts';
import { createElasticsearchStore, type ElasticsearchStore } from '../src/store/elasticsearch-store.ts';
import { silentLogger } from '../src/observability/logger.ts';
import { DEFAULTS } from '../test/support/config.ts';
import type { RequestKind } from '../src/simulator/index.ts';
import { REQUEST_KINDS } from '../src/simulator/types.ts';
import { removePrefix } from '../test/support/elasticsearch.ts';
import { runConnector, runReference, type ProcessResult } from './support/connector-run.ts';
import { costSplit } from './support/cost-split.ts';
import { sendBulkBodies, writeBulkBodies, type BulkBodies } from './support/es-ceiling.ts';
import { elasticsearchCpuSeconds, machineDetails, untilQuiet, type Machine } from './support/machine.ts';
import { pinApart, unpin, type Pinning } from './support/pinning.ts';
import { resultsTable, targets } from './support/results-table.ts';
import { scenario, simulatorOptions, type JsonShape, type Scenario } from './support/scenarios.ts';
import { startSimulatorProcess } from './support/simulator-process.ts';
import { callsPerExecution, executionsPerDay } from './support/talend-quotas.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));
const SHAPE: JsonShape = process.env.BENCH_SHAPE === 'jsonl' ? 'jsonl' : 'array';
const ONLY = process.env.BENCH_ONLY;
const SIZE = QUICK ? 10 : 1;
/** The connector's defaults: 5 MB requests, two in flight. */
const FLUSH_BYTES = 5 * 1024 * 1024;
const BULK_CONCURRENCY = 2;
/** A modest internet round trip to Talend Cloud, for every API answer and every download. */
const ROUND_TRIP_MS = 100;
/**
 * The connector's client-side Talend quotas lifted: at the default 600 monitoring calls a minute and
 * two per execution, 2,000 executions take over 6 minutes whatever the connector does. What the
 * quotas allow is computed from the calls counted instead (`talendCalls`).
 */
const QUOTAS_LIFTED = { TALEND_MONITORING_RATE_LIMIT: '1000000', TALEND_PROCESSING_RATE_LIMIT: '1000000' };
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const WORK = join(tmpdir(), `talend-logs-bench-${process.pid}`);

type Mode = 'pinned' | 'shared';

interface Measurement extends ProcessResult {
  executions: number;
  /** Cores busy on the machine in the second before the measurement started (see `quiet`). */
  busyCoresAtStart: number;
  /** CPU seconds Elasticsearch and the simulator used meanwhile. */
  elasticsearchCpuSeconds: number;
  simulatorCpuSeconds?: number;
  /** Talend requests the run made, of every kind. */
  requests?: Record<RequestKind, number>;
  /** Documents in the index afterwards, when it may differ from those sent (the reference workflow). */
  indexed?: number;
}

const esUrl = process.env.ES_URL?.split(',')[0]?.trim() ?? (await startElasticsearch());
const client = new Client({ node: esUrl, requestTimeout: 300_000 });

/** The store the connector builds for `prefix`, towards the bench's node, with its default settings. */
function benchStore(prefix: string): ElasticsearchStore {
  return createElasticsearchStore(
    { nodes: [esUrl], insecure: false },
    { ...DEFAULTS.services.elasticsearch, requestTimeoutMs: 300_000 },
    prefix,
    silentLogger,
  );
}
let prefixes = 0;
let simulators = 0;
/** Every connector run of the bench, for the cost table. */
const connectorRuns: { label: string; mode: Mode; run: Rounded }[] = [];
/** The ceiling's bulk bodies, written once per data set and sent in every round and mode. */
const ceilingBodies = new Map<string, { prefix: string; bodies: BulkBodies }>();
let mode: Mode = 'shared';

async function startElasticsearch(): Promise<string> {
  const { startLocalElasticsearch } = await import('../test/elasticsearch/local-es.ts');
  return (await startLocalElasticsearch()).url;
}

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

const sectionMinutes: Record<string, number> = {};

/** Runs one section of the bench, and keeps the minutes it took. */
async function section<T>(name: string, run: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await run();
  } finally {
    sectionMinutes[name] = Number(((Date.now() - started) / 60_000).toFixed(1));
    log(`${name}: ${sectionMinutes[name]} min`);
  }
}

/** Every measurement starts on a quiet machine: returns the cores still busy then. */
async function quiet(): Promise<number> {
  const { waitedSeconds, busyCores, dirtyMB } = await untilQuiet();
  if (waitedSeconds > 5) {
    log(
      `  waited ${waitedSeconds} s for a quiet machine (${busyCores} cores busy, ${dirtyMB} MB to write back)`,
    );
  }
  return busyCores;
}

/** Index prefix `prefix` with the connector's templates, removed again once `measure` is done. */
async function withPrefix<T>(
  prefix: string,
  measure: (prefix: string, store: ElasticsearchStore) => Promise<T>,
): Promise<T> {
  const store = benchStore(prefix);
  await installTemplates(store);
  try {
    return await measure(prefix, store);
  } finally {
    await removePrefix(client, prefix);
    await store.close();
  }
}

const freshPrefix = () => `bench-${process.pid}-${++prefixes}`;

async function indexedCount(prefix: string): Promise<number> {
  await client.indices.refresh({ index: `${prefix}-logs-*` });
  return (await client.count({ index: `${prefix}-logs-*` })).count;
}

/** Every document is in Elasticsearch, once: otherwise the run measured something else. */
async function checkIndexed(prefix: string, expected: number): Promise<void> {
  const count = await indexedCount(prefix);
  if (count !== expected) throw new Error(`${prefix}: ${count} documents indexed, ${expected} expected`);
}

/** The bodies carry their index names: every send of them goes to the same prefix, emptied in between. */
async function bodiesOf(data: Scenario) {
  let written = ceilingBodies.get(data.name);
  if (written === undefined) {
    const prefix = `bench-${process.pid}-ceiling-${data.name}`;
    log(`${data.label}: writing the ceiling's bulk bodies`);
    written = { prefix, bodies: await writeBulkBodies(data, prefix, join(WORK, prefix), FLUSH_BYTES) };
    ceilingBodies.set(data.name, written);
  }
  return written;
}

async function measureCeiling(data: Scenario): Promise<Measurement> {
  const { prefix, bodies } = await bodiesOf(data);
  return withPrefix(prefix, async (_prefix, store) => {
    const busyCoresAtStart = await quiet();
    const cpu = await elasticsearchCpuSeconds(client);
    const sent = await sendBulkBodies(store, bodies, BULK_CONCURRENCY);
    const elasticsearch = (await elasticsearchCpuSeconds(client)) - cpu;
    await checkIndexed(prefix, data.documents);
    return {
      documents: sent.documents,
      executions: data.executions,
      seconds: sent.seconds,
      documentsPerSecond: sent.documents / sent.seconds,
      cpuSeconds: 0,
      maxRssMB: 0,
      peakHeapMB: 0,
      peakExternalMB: 0,
      elasticsearchCpuSeconds: elasticsearch,
      busyCoresAtStart,
    };
  });
}

/**
 * The connector, or the reference workflow, against a simulator of its own in another process. Its
 * logs are rendered to disk before the measurement and every download must be read from there: on
 * this machine, CPU the simulator spends rendering entries is taken from Elasticsearch, and Talend's
 * object store takes none.
 */
async function measureAgainstSimulator(
  data: Scenario,
  run: (apiUrl: string, prefix: string) => Promise<ProcessResult>,
  { exact = true, roundTripMs = 0 } = {},
): Promise<Measurement> {
  const storeLogFilesIn = join(WORK, `simulator-files-${++simulators}`);
  const simulator = await startSimulatorProcess(
    simulatorOptions(data, SHAPE, { roundTripMs, storeLogFilesIn }),
  );
  try {
    return await withPrefix(freshPrefix(), async (prefix) => {
      const busyCoresAtStart = await quiet();
      const elasticsearch = await elasticsearchCpuSeconds(client);
      const before = await simulator.usage();
      const result = await run(simulator.apiUrl, prefix);
      const after = await simulator.usage();
      const requests = Object.fromEntries(
        REQUEST_KINDS.map((kind) => [kind, after.requests[kind] - before.requests[kind]]),
      ) as Record<RequestKind, number>;
      const generated = requests.download - (after.storedDownloads - before.storedDownloads);
      if (generated !== 0)
        throw new Error(`${generated} downloads were generated, not read from stored files`);
      const measured = {
        ...result,
        executions: data.executions,
        elasticsearchCpuSeconds: (await elasticsearchCpuSeconds(client)) - elasticsearch,
        simulatorCpuSeconds: after.cpuSeconds - before.cpuSeconds,
        requests,
        busyCoresAtStart,
      };
      if (exact) await checkIndexed(prefix, data.documents);
      return exact ? measured : { ...measured, indexed: await indexedCount(prefix) };
    });
  } finally {
    await simulator.close();
  }
}

interface ConnectorRun {
  concurrency?: number;
  roundTripMs?: number;
  env?: Record<string, string>;
  /** Where the cost table lists it: the data set's label, else. */
  label?: string;
}

async function connector(data: Scenario, { concurrency, roundTripMs, env, label }: ConnectorRun = {}) {
  const measured = rounded(
    await measureAgainstSimulator(
      data,
      (apiUrl, prefix) => runConnector({ apiUrl, esUrl, prefix, concurrency, env }),
      { roundTripMs },
    ),
  );
  connectorRuns.push({ label: label ?? data.label, mode, run: measured });
  return measured;
}

/**
 * Not checked for exactness: like any script written from the guide, it numbers repeated lines per
 * downloaded chunk and indexes the overlap of two chunks twice, so a few documents of a multi-chunk
 * log overwrite one another. Its `indexed` count says how many.
 */
const reference = async (data: Scenario, roundTripMs = 0) =>
  rounded(
    await measureAgainstSimulator(
      data,
      (apiUrl, prefix) => runReference({ apiUrl, esUrl, prefix, workDir: join(WORK, prefix) }),
      { exact: false, roundTripMs },
    ),
  );

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function rounded(measurement: Measurement) {
  const round = (value: number, digits = 2) => Number(value.toFixed(digits));
  return {
    documents: measurement.documents,
    executions: measurement.executions,
    seconds: round(measurement.seconds),
    documentsPerSecond: Math.round(measurement.documentsPerSecond),
    cpuSeconds: round(measurement.cpuSeconds),
    maxRssMB: measurement.maxRssMB,
    peakHeapMB: measurement.peakHeapMB,
    peakExternalMB: measurement.peakExternalMB,
    elasticsearchCpuSeconds: round(measurement.elasticsearchCpuSeconds),
    busyCoresAtStart: measurement.busyCoresAtStart,
    ...(measurement.simulatorCpuSeconds === undefined
      ? {}
      : { simulatorCpuSeconds: round(measurement.simulatorCpuSeconds) }),
    ...(measurement.requests === undefined ? {} : { requests: measurement.requests }),
    ...(measurement.indexed === undefined ? {} : { indexed: measurement.indexed }),
  };
}

type Rounded = ReturnType<typeof rounded>;

const ratio = (numerator: number, denominator: number, digits: number) =>
  Number((numerator / denominator).toFixed(digits));

/**
 * Ceiling and connector on one data set, back to back, `rounds` times, and the reference workflow
 * when asked; medians kept.
 */
async function compare(
  data: Scenario,
  {
    rounds = REPEAT,
    withReference = false,
    env,
  }: { rounds?: number; withReference?: boolean; env?: Record<string, string> } = {},
) {
  const runs: { ceiling: Rounded; connector: Rounded; reference?: Rounded }[] = [];
  for (let round = 1; round <= rounds; round++) {
    log(`${data.label}, ${mode} cores: ceiling (round ${round}/${rounds})`);
    const ceiling = rounded(await measureCeiling(data));
    log(`${data.label}: connector`);
    const ours = await connector(data, { env });
    if (withReference) log(`${data.label}: reference workflow`);
    const guide = withReference ? await reference(data) : undefined;
    log(
      `${data.label}: ceiling ${ceiling.documentsPerSecond}, connector ${ours.documentsPerSecond}` +
        `${guide ? `, reference ${guide.documentsPerSecond}` : ''} documents/s`,
    );
    runs.push({ ceiling, connector: ours, ...(guide ? { reference: guide } : {}) });
  }
  const perSecond = (pick: (run: (typeof runs)[number]) => Rounded | undefined) =>
    median(runs.map((run) => pick(run)?.documentsPerSecond ?? 0));
  return {
    name: data.name,
    label: data.label,
    mode,
    documents: data.documents,
    executions: data.executions,
    medianDocumentsPerSecond: {
      ceiling: perSecond((run) => run.ceiling),
      connector: perSecond((run) => run.connector),
      ...(withReference ? { reference: perSecond((run) => run.reference) } : {}),
    },
    connectorToCeiling: ratio(
      median(runs.map((run) => run.connector.documentsPerSecond / run.ceiling.documentsPerSecond)),
      1,
      3,
    ),
    ...(withReference
      ? {
          connectorToReference: ratio(
            median(runs.map((run) => run.connector.documentsPerSecond / run.reference!.documentsPerSecond)),
            1,
            2,
          ),
        }
      : {}),
    runs,
  };
}

/**
 * The connector (and the reference workflow, when asked) once more, with Talend Cloud's round trips:
 * the loopback hides the one cost that a workflow doing one request at a time pays for every request.
 */
async function compareWithRoundTrips(
  data: Scenario,
  { withReference = false, env }: { withReference?: boolean; env?: Record<string, string> } = {},
) {
  const roundTripMs = ROUND_TRIP_MS;
  const label = `${data.label}, ${roundTripMs} ms round trips`;
  log(`${label}: connector`);
  const ours = await connector(data, { roundTripMs, env, label });
  if (withReference) log(`${label}: reference workflow`);
  const guide = withReference ? await reference(data, roundTripMs) : undefined;
  log(
    `  connector ${ours.documentsPerSecond}${guide ? `, reference ${guide.documentsPerSecond}` : ''} documents/s`,
  );
  return {
    label: data.label,
    roundTripMs,
    connector: ours,
    ...(guide
      ? {
          reference: guide,
          connectorToReference: ratio(ours.documentsPerSecond, guide.documentsPerSecond, 2),
        }
      : {}),
  };
}

/**
 * Documents sent to Elasticsearch before anything is measured, and not counted. The first ceiling of
 * a run, after the minutes parse + enrich leaves Elasticsearch idle, came out at 29,119 to 35,464
 * documents/s in three runs, where the rounds after it made 40,000 to 50,000: below the connector
 * measured right after it, once.
 */
async function warmUpElasticsearch(data: Scenario) {
  log(`warming Elasticsearch up: ${data.documents} documents, not counted`);
  const { documentsPerSecond } = rounded(await measureCeiling(data));
  log(`  ${documentsPerSecond} documents/s`);
  return { documents: data.documents, documentsPerSecond };
}

/** Lines per CPU-second settle well within 400,000 lines; the connector's runs measure the millions. */
async function parseEnrich() {
  log('parse + enrich alone (bench/parse-enrich.ts)');
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/parse-enrich.ts')], {
    cwd: ROOT,
    env: { ...process.env, BENCH_LINES: String(400_000 / SIZE) },
    stdio: 'inherit',
  });
  return JSON.parse(await readFile(join(ROOT, 'bench/results/parse-enrich.json'), 'utf8')) as Record<
    string,
    unknown
  >;
}

const count = (value: number) => value.toLocaleString('en-US');

function oneExecution(now: number, entries: number) {
  return scenario(`one-execution-${entries}`, `1 execution × ${count(entries)} entries`, now, {
    tasks: 1,
    executionsPerTask: 1,
    entries,
  });
}

/** Peak RSS for one execution of growing size; `measured` is a run of one of those sizes already made. */
async function measureMemory(now: number, measured?: { entries: number; run: Rounded }) {
  log('memory: peak RSS of the connector for one execution of 100,000, 1,000,000 and 5,000,000 entries');
  const memory = [];
  for (const entries of [100_000, 1_000_000, 5_000_000].map((size) => size / SIZE)) {
    const run = entries === measured?.entries ? measured.run : await connector(oneExecution(now, entries));
    log(
      `  ${entries} entries: peak RSS ${run.maxRssMB} MB (heap ${run.peakHeapMB}, outside ${run.peakExternalMB}), ${run.documentsPerSecond} documents/s, ${run.cpuSeconds} CPU s`,
    );
    memory.push({ entries, ...run });
  }
  return memory;
}

/** BENCH_ONLY=scaling: `--concurrency` 1, 2, 4, 8 on the 200 executions, shared cores. */
async function measureScaling(data: Scenario) {
  log(`scaling: --concurrency 1, 2, 4, 8 on ${data.label}`);
  const scaling = [];
  for (const concurrency of [1, 2, 4, 8]) {
    const run = await connector(data, { concurrency });
    log(`  --concurrency ${concurrency}: ${run.documentsPerSecond} documents/s`);
    scaling.push({ concurrency, ...run });
  }
  return scaling;
}

/** Talend calls per execution, and how many executions a day the connector's quotas allow with them. */
function talendCalls(label: string, run: Rounded) {
  const perExecution = callsPerExecution(run.requests!, run.executions);
  return {
    label,
    executions: run.executions,
    requests: run.requests!,
    perExecution,
    ...executionsPerDay(perExecution),
  };
}

/** Where the CPU went in every connector run; a document's and an execution's cost, pinned. */
function costs(comparisons: readonly { label: string; runs: { connector: Rounded }[] }[]) {
  const perDocument = (seconds: number, documents: number) =>
    Number(((seconds / documents) * 1e6).toFixed(2));
  // One machine state: the headline comparisons (no round trips), each data set's median CPU.
  const split = (cpu: (run: Rounded) => number) =>
    costSplit(
      comparisons.map(({ label, runs }) => ({
        label,
        documents: runs[0]!.connector.documents,
        executions: runs[0]!.connector.executions,
        cpuSeconds: median(runs.map((run) => cpu(run.connector))),
      })),
    );
  return {
    runs: connectorRuns.map(({ label, mode: runMode, run }) => ({
      label,
      mode: runMode,
      documents: run.documents,
      executions: run.executions,
      connectorMicrosecondsPerDocument: perDocument(run.cpuSeconds, run.documents),
      elasticsearchMicrosecondsPerDocument: perDocument(run.elasticsearchCpuSeconds, run.documents),
      simulatorMicrosecondsPerDocument: perDocument(run.simulatorCpuSeconds ?? 0, run.documents),
    })),
    connector: split((run) => run.cpuSeconds),
    elasticsearch: split((run) => run.elasticsearchCpuSeconds),
  };
}

const started = Date.now();
const minutes = () => Number(((Date.now() - started) / 60_000).toFixed(1));
const connectorSettings =
  'dist/src/cli/main.js sync, started through its shebang, default settings (--concurrency 4), LOG_LEVEL=warn';

function dataSets(now: number) {
  return {
    warmUp: oneExecution(now, 200_000 / SIZE),
    one: oneExecution(now, 1_000_000 / SIZE),
    many: scenario('many-executions', `200 executions × ${count(5_000 / SIZE)} entries`, now, {
      tasks: 10,
      executionsPerTask: 20,
      entries: 5_000 / SIZE,
    }),
    // Fewer executions, not fewer entries, when quick: what this one measures is the cost of an execution.
    small: scenario('small-executions', `${count(2_000 / SIZE)} executions × 100 entries`, now, {
      tasks: 20,
      executionsPerTask: 100 / SIZE,
      entries: 100,
    }),
  };
}

/** Every section but scaling: bench/results/bench.json and RESULTS.md. */
async function everySection(machine: Machine, pinning: Pinning): Promise<void> {
  const parseAndEnrich = await section('parse + enrich', parseEnrich);
  const now = Date.now();
  const { warmUp: warmUpData, one, many, small } = dataSets(now);
  await section("ceiling's bulk bodies", async () => {
    for (const data of [warmUpData, one, many, small]) await bodiesOf(data);
  });

  if (pinning.pinned) {
    mode = 'pinned';
    log(
      `pinned: Elasticsearch on cores ${pinning.plan.elasticsearch.join(',')}, the bench and its children on ${pinning.plan.bench.join(',')}`,
    );
  } else log(`not pinned: ${pinning.reason}`);
  const warmUp = await section('warm-up', () => warmUpElasticsearch(warmUpData));
  // The reference workflow runs with round trips only: on the loopback it loses nothing by waiting.
  const comparisons = await section(`comparisons (${mode} cores)`, async () => [
    await compare(one),
    await compare(many),
    await compare(small, { env: QUOTAS_LIFTED }),
  ]);
  const roundTrips = await section(`round trips (${mode} cores)`, async () => [
    await compareWithRoundTrips(many, { withReference: true }),
    await compareWithRoundTrips(small, { env: QUOTAS_LIFTED }),
  ]);
  const [oneRun, , smallRun] = comparisons.map((comparison) => comparison.runs.at(-1)!.connector);

  // Shared cores: the same data once more, with Elasticsearch and the connector competing.
  unpin(pinning);
  const shared = pinning.pinned
    ? await section('comparisons (shared cores)', async () => {
        mode = 'shared';
        // The small runs' cost is the connector's own (its core is the busy one): pinned says it.
        return [await compare(one, { rounds: 1 }), await compare(many, { rounds: 1 })];
      })
    : undefined;
  // Memory does not depend on where Elasticsearch runs; on shared cores it indexes faster.
  const memory = await section(`memory (${mode} cores)`, () =>
    measureMemory(now, { entries: one.documents, run: shared?.[0]?.runs[0]?.connector ?? oneRun! }),
  );

  const results = {
    benchmark: 'talend-logs-es',
    machine,
    settings: {
      jsonShape: SHAPE,
      repeat: REPEAT,
      quick: QUICK,
      bulk: { flushBytes: FLUSH_BYTES, concurrency: BULK_CONCURRENCY },
      connector: connectorSettings,
      simulator:
        'separate process, log files rendered to disk before each measurement and READY at the first status check; its CPU time is reported',
      roundTripMs: ROUND_TRIP_MS,
      quotasLifted: `${small.label}: ${Object.entries(QUOTAS_LIFTED)
        .map(([name, value]) => `${name}=${value}`)
        .join(' ')}`,
      quietMachine:
        'every measurement starts once the machine has been under 0.15 busy cores, with under 32 MB to write back to disk, for 2 s (120 s at most); files written for it are synced first; busyCoresAtStart says how busy it still was',
    },
    pinning: pinning.pinned
      ? {
          pinned: true as const,
          elasticsearchCores: pinning.plan.elasticsearch,
          benchCores: pinning.plan.bench,
        }
      : { pinned: false as const, reason: pinning.reason },
    parseAndEnrich,
    warmUp,
    comparisons,
    roundTrips,
    talendCalls: talendCalls(small.label, smallRun!),
    memory,
    ...(shared === undefined ? {} : { shared }),
    costs: costs(comparisons),
    sectionMinutes,
    totalMinutes: minutes(),
  };
  const withTargets = { ...results, targets: targets(results) };
  await writeFile(join(ROOT, 'bench/results/bench.json'), `${JSON.stringify(withTargets, null, 2)}\n`);
  await writeFile(join(ROOT, 'bench/results/RESULTS.md'), resultsTable(withTargets));
  log(`done in ${results.totalMinutes} min: bench/results/bench.json, bench/results/RESULTS.md`);
}

/** BENCH_ONLY=memory or scaling: that section alone, in bench/results/<section>.json. */
async function oneSection(machine: Machine, name: 'memory' | 'scaling'): Promise<void> {
  const now = Date.now();
  const measured = name === 'memory' ? await measureMemory(now) : await measureScaling(dataSets(now).many);
  const results = {
    machine,
    settings: { jsonShape: SHAPE, quick: QUICK, connector: connectorSettings, cores: 'shared' },
    [name]: measured,
    totalMinutes: minutes(),
  };
  await writeFile(join(ROOT, `bench/results/${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  log(`done in ${results.totalMinutes} min: bench/results/${name}.json`);
}

let pinning: Pinning = { pinned: false, reason: 'not tried' };
// Elasticsearch is shared with whoever else uses this machine: never leave it on half the cores.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    unpin(pinning);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}
try {
  await mkdir(WORK, { recursive: true });
  log('building the package (npm run build): the connector runs as installed, from dist/');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const machine = await machineDetails(client);
  log(
    `${machine.cores} cores (${machine.cpu}), Node ${machine.node}, Elasticsearch ${machine.elasticsearch}, load ${machine.loadAverageAtStart}`,
  );
  if (ONLY === 'memory' || ONLY === 'scaling') await oneSection(machine, ONLY);
  else {
    pinning = await pinApart(client, machine.cores);
    await everySection(machine, pinning);
  }
} finally {
  unpin(pinning);
  await rm(WORK, { recursive: true, force: true });
  await client.close();
}
