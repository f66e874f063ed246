/**
 * `npm run bench`: the connector measured against the ceiling Elasticsearch sets and against the
 * workflow of Talend's guide, on the same data and the same index settings, back to back in one run.
 * Writes bench/results/bench.json and bench/results/RESULTS.md. See bench/README.md.
 *
 * BENCH_REPEAT=3 repeats the comparisons and keeps medians; BENCH_QUICK=1 divides every size by ten;
 * BENCH_SHAPE=jsonl serves JSON Lines instead of a JSON array; BENCH_ONLY=memory runs the memory
 * section alone and writes bench/results/memory.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@elastic/elasticsearch';
import { installTemplates } from '../src/store/templates.ts';
import { removePrefix } from '../test/support/elasticsearch.ts';
import { runConnector, runReference, type ProcessResult } from './support/connector-run.ts';
import { sendBulkBodies, writeBulkBodies } from './support/es-ceiling.ts';
import { elasticsearchCpuSeconds, machineDetails, untilQuiet, type Machine } from './support/machine.ts';
import { resultsTable } from './support/results-table.ts';
import { scenario, simulatorOptions, type JsonShape, type Scenario } from './support/scenarios.ts';
import { startSimulatorProcess } from './support/simulator-process.ts';

const QUICK = process.env.BENCH_QUICK === '1';
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));
const SHAPE: JsonShape = process.env.BENCH_SHAPE === 'jsonl' ? 'jsonl' : 'array';
const MEMORY_ONLY = process.env.BENCH_ONLY === 'memory';
const SIZE = QUICK ? 10 : 1;
/** The connector's defaults: 5 MB requests, two in flight. */
const FLUSH_BYTES = 5 * 1024 * 1024;
const BULK_CONCURRENCY = 2;
/** A modest internet round trip to Talend Cloud, for every API answer and every download. */
const ROUND_TRIP_MS = 100;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const WORK = join(tmpdir(), `talend-logs-bench-${process.pid}`);

interface Measurement extends ProcessResult {
  /** Cores busy on the machine in the second before the measurement started (see `quiet`). */
  busyCoresAtStart: number;
  /** CPU seconds Elasticsearch and the simulator used meanwhile: the machine has only so many cores. */
  elasticsearchCpuSeconds: number;
  simulatorCpuSeconds?: number;
  /** Documents in the index afterwards, when it may differ from those sent (the reference workflow). */
  indexed?: number;
}

const esUrl = process.env.ES_URL?.split(',')[0]?.trim() ?? (await startElasticsearch());
const client = new Client({ node: esUrl, requestTimeout: 300_000 });
let prefixes = 0;
let simulators = 0;

async function startElasticsearch(): Promise<string> {
  const { startLocalElasticsearch } = await import('../test/elasticsearch/local-es.ts');
  return (await startLocalElasticsearch()).url;
}

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
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

/** A fresh index prefix with the connector's templates, removed again once `measure` is done. */
async function withPrefix<T>(measure: (prefix: string) => Promise<T>): Promise<T> {
  const prefix = `bench-${process.pid}-${++prefixes}`;
  await installTemplates(client, { prefix });
  try {
    return await measure(prefix);
  } finally {
    await removePrefix(client, prefix);
  }
}

async function indexedCount(prefix: string): Promise<number> {
  await client.indices.refresh({ index: `${prefix}-logs-*` });
  return (await client.count({ index: `${prefix}-logs-*` })).count;
}

/** Every document is in Elasticsearch, once: otherwise the run measured something else. */
async function checkIndexed(prefix: string, expected: number): Promise<void> {
  const count = await indexedCount(prefix);
  if (count !== expected) throw new Error(`${prefix}: ${count} documents indexed, ${expected} expected`);
}

async function measureCeiling(data: Scenario): Promise<Measurement> {
  return withPrefix(async (prefix) => {
    const dir = join(WORK, prefix);
    const bodies = await writeBulkBodies(data, prefix, dir, FLUSH_BYTES);
    try {
      const busyCoresAtStart = await quiet();
      const cpu = await elasticsearchCpuSeconds(client);
      const sent = await sendBulkBodies(client, bodies, BULK_CONCURRENCY);
      const elasticsearch = (await elasticsearchCpuSeconds(client)) - cpu;
      await checkIndexed(prefix, data.documents);
      return {
        documents: sent.documents,
        seconds: sent.seconds,
        documentsPerSecond: sent.documents / sent.seconds,
        cpuSeconds: 0,
        maxRssMB: 0,
        peakHeapMB: 0,
        peakExternalMB: 0,
        elasticsearchCpuSeconds: elasticsearch,
        busyCoresAtStart,
      };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
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
    return await withPrefix(async (prefix) => {
      const busyCoresAtStart = await quiet();
      const elasticsearch = await elasticsearchCpuSeconds(client);
      const before = await simulator.usage();
      const result = await run(simulator.apiUrl, prefix);
      const after = await simulator.usage();
      const generated = after.downloads - before.downloads - (after.storedDownloads - before.storedDownloads);
      if (generated !== 0)
        throw new Error(`${generated} downloads were generated, not read from stored files`);
      const measured = {
        ...result,
        elasticsearchCpuSeconds: (await elasticsearchCpuSeconds(client)) - elasticsearch,
        simulatorCpuSeconds: after.cpuSeconds - before.cpuSeconds,
        busyCoresAtStart,
      };
      if (exact) await checkIndexed(prefix, data.documents);
      return exact ? measured : { ...measured, indexed: await indexedCount(prefix) };
    });
  } finally {
    await simulator.close();
  }
}

const connector = (
  data: Scenario,
  { concurrency, roundTripMs }: { concurrency?: number; roundTripMs?: number } = {},
) =>
  measureAgainstSimulator(data, (apiUrl, prefix) => runConnector({ apiUrl, esUrl, prefix, concurrency }), {
    roundTripMs,
  });

/**
 * Not checked for exactness: like any script written from the guide, it numbers repeated lines per
 * downloaded chunk and indexes the overlap of two chunks twice, so a few documents of a multi-chunk
 * log overwrite one another. Its `indexed` count says how many.
 */
const reference = (data: Scenario, roundTripMs = 0) =>
  measureAgainstSimulator(
    data,
    (apiUrl, prefix) => runReference({ apiUrl, esUrl, prefix, workDir: join(WORK, prefix) }),
    { exact: false, roundTripMs },
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
    ...(measurement.indexed === undefined ? {} : { indexed: measurement.indexed }),
  };
}

/** Ceiling, connector and reference on one data set, back to back, `REPEAT` times; medians kept. */
type Rounded = ReturnType<typeof rounded>;

async function compare(data: Scenario) {
  const runs: { ceiling: Rounded; connector: Rounded; reference: Rounded }[] = [];
  for (let round = 1; round <= REPEAT; round++) {
    log(`${data.label}: ceiling (round ${round}/${REPEAT})`);
    const ceiling = await measureCeiling(data);
    log(`${data.label}: connector`);
    const ours = await connector(data);
    log(`${data.label}: reference workflow`);
    const guide = await reference(data);
    log(
      `${data.label}: ceiling ${Math.round(ceiling.documentsPerSecond)}, connector ${Math.round(ours.documentsPerSecond)}, reference ${Math.round(guide.documentsPerSecond)} documents/s`,
    );
    runs.push({ ceiling: rounded(ceiling), connector: rounded(ours), reference: rounded(guide) });
  }
  const perSecond = (pick: (run: (typeof runs)[number]) => Rounded) =>
    median(runs.map((run) => pick(run).documentsPerSecond));
  const ceiling = perSecond((run) => run.ceiling);
  const ours = perSecond((run) => run.connector);
  const guide = perSecond((run) => run.reference);
  return {
    name: data.name,
    label: data.label,
    documents: data.documents,
    medianDocumentsPerSecond: { ceiling, connector: ours, reference: guide },
    connectorToCeiling: Number(
      median(runs.map((run) => run.connector.documentsPerSecond / run.ceiling.documentsPerSecond)).toFixed(3),
    ),
    connectorToReference: Number(
      median(runs.map((run) => run.connector.documentsPerSecond / run.reference.documentsPerSecond)).toFixed(
        2,
      ),
    ),
    runs,
  };
}

/**
 * The connector and the reference workflow once more, with Talend Cloud's round trips: the loopback
 * hides the one cost that a workflow doing one request at a time pays for every request.
 */
async function compareWithRoundTrips(data: Scenario, roundTripMs: number) {
  log(`${data.label}, ${roundTripMs} ms per Talend round trip: connector`);
  const ours = rounded(await connector(data, { roundTripMs }));
  log(`${data.label}, ${roundTripMs} ms per Talend round trip: reference workflow`);
  const guide = rounded(await reference(data, roundTripMs));
  log(`  connector ${ours.documentsPerSecond}, reference ${guide.documentsPerSecond} documents/s`);
  return {
    label: data.label,
    roundTripMs,
    connector: ours,
    reference: guide,
    connectorToReference: Number((ours.documentsPerSecond / guide.documentsPerSecond).toFixed(2)),
  };
}

/**
 * Documents sent to Elasticsearch before anything is measured, and not counted. The first ceiling of
 * a run, after the minutes parse + enrich leaves Elasticsearch idle, came out at 29,119 to 35,464
 * documents/s in three runs, where the rounds after it made 40,000 to 50,000: below the connector
 * measured right after it, once.
 */
async function warmUpElasticsearch(now: number) {
  const documents = 200_000 / SIZE;
  const data = scenario('warm-up', `1 execution × ${documents} entries`, now, {
    tasks: 1,
    executionsPerTask: 1,
    entries: documents,
  });
  log(`warming Elasticsearch up: ${documents} documents, not counted`);
  const { documentsPerSecond } = rounded(await measureCeiling(data));
  log(`  ${documentsPerSecond} documents/s`);
  return { documents, documentsPerSecond };
}

async function parseEnrich() {
  log('parse + enrich alone (bench/parse-enrich.ts)');
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/parse-enrich.ts')], {
    cwd: ROOT,
    env: { ...process.env, BENCH_LINES: String(1_000_000 / SIZE) },
    stdio: 'inherit',
  });
  return JSON.parse(await readFile(join(ROOT, 'bench/results/parse-enrich.json'), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** Peak RSS for one execution of growing size; `measured` is a run of one of those sizes already made. */
async function measureMemory(now: number, measured?: { entries: number; run: Rounded }) {
  log('memory: peak RSS of the connector for one execution of 100,000, 1,000,000 and 5,000,000 entries');
  const memory = [];
  for (const entries of [100_000, 1_000_000, 5_000_000].map((count) => count / SIZE)) {
    const data = scenario(`memory-${entries}`, `1 execution × ${entries} entries`, now, {
      tasks: 1,
      executionsPerTask: 1,
      entries,
    });
    const run = entries === measured?.entries ? measured.run : rounded(await connector(data));
    log(
      `  ${entries} entries: peak RSS ${run.maxRssMB} MB (heap ${run.peakHeapMB}, outside ${run.peakExternalMB}), ${run.documentsPerSecond} documents/s, ${run.cpuSeconds} CPU s`,
    );
    memory.push({ entries, ...run });
  }
  return memory;
}

const started = Date.now();
const minutes = () => Number(((Date.now() - started) / 60_000).toFixed(1));
const connectorSettings =
  'dist/src/cli/main.js sync, started through its shebang, default settings (--concurrency 4), LOG_LEVEL=warn';

/** Every section: bench/results/bench.json and RESULTS.md. */
async function everySection(machine: Machine): Promise<void> {
  const parseAndEnrich = await parseEnrich();

  const now = Date.now();
  const oneExecution = scenario('one-execution', `1 execution × ${1_000_000 / SIZE} entries`, now, {
    tasks: 1,
    executionsPerTask: 1,
    entries: 1_000_000 / SIZE,
  });
  const manyExecutions = scenario('many-executions', `200 executions × ${5_000 / SIZE} entries`, now, {
    tasks: 10,
    executionsPerTask: 20,
    entries: 5_000 / SIZE,
  });
  const warmUp = await warmUpElasticsearch(now);
  const comparisons = [await compare(oneExecution), await compare(manyExecutions)];
  const roundTrips = await compareWithRoundTrips(manyExecutions, ROUND_TRIP_MS);

  // The default, --concurrency 4, and 1,000,000 entries in one execution were measured above.
  const [one, many] = comparisons.map((comparison) => comparison.runs.at(-1)!.connector);
  log('scaling: --concurrency 1, 2, 8 on 200 executions (4 is the default, measured above)');
  const scaling = [];
  for (const concurrency of [1, 2, 4, 8]) {
    const run = concurrency === 4 ? many! : rounded(await connector(manyExecutions, { concurrency }));
    log(`  --concurrency ${concurrency}: ${run.documentsPerSecond} documents/s`);
    scaling.push({ concurrency, ...run });
  }

  const memory = await measureMemory(now, { entries: oneExecution.documents, run: one! });
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
      quietMachine:
        'every measurement starts once the machine has been under 0.15 busy cores, with under 32 MB to write back to disk, for 2 s (120 s at most); files written for it are synced first; busyCoresAtStart says how busy it still was',
    },
    parseAndEnrich,
    warmUp,
    comparisons,
    roundTrips,
    scaling,
    memory,
    totalMinutes: minutes(),
  };
  await writeFile(join(ROOT, 'bench/results/bench.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(ROOT, 'bench/results/RESULTS.md'), resultsTable(results));
  log(`done in ${results.totalMinutes} min: bench/results/bench.json, bench/results/RESULTS.md`);
}

/** BENCH_ONLY=memory: the memory section alone, in bench/results/memory.json. */
async function memorySection(machine: Machine): Promise<void> {
  const memory = await measureMemory(Date.now());
  const results = {
    machine,
    settings: { jsonShape: SHAPE, quick: QUICK, connector: connectorSettings },
    memory,
    totalMinutes: minutes(),
  };
  await writeFile(join(ROOT, 'bench/results/memory.json'), `${JSON.stringify(results, null, 2)}\n`);
  log(`done in ${results.totalMinutes} min: bench/results/memory.json`);
}

try {
  await mkdir(WORK, { recursive: true });
  log('building the package (npm run build): the connector runs as installed, from dist/');
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  const machine = await machineDetails(client);
  log(
    `${machine.cores} cores (${machine.cpu}), Node ${machine.node}, Elasticsearch ${machine.elasticsearch}, load ${machine.loadAverageAtStart}`,
  );
  await (MEMORY_ONLY ? memorySection(machine) : everySection(machine));
} finally {
  await rm(WORK, { recursive: true, force: true });
  await client.close();
}
