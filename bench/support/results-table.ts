/** bench/results/RESULTS.md, the table the README quotes, from the results of one `npm run bench`. */
import type { CostSplit } from './cost-split.ts';
import type { Machine } from './machine.ts';
import type { QuotaLimit } from './talend-quotas.ts';

interface Run {
  documents: number;
  executions: number;
  documentsPerSecond: number;
  seconds: number;
  cpuSeconds: number;
  maxRssMB: number;
  elasticsearchCpuSeconds: number;
  simulatorCpuSeconds?: number;
}

interface Comparison {
  name: string;
  label: string;
  mode: 'pinned' | 'shared';
  medianDocumentsPerSecond: { ceiling: number; connector: number; reference?: number };
  connectorToCeiling: number;
  connectorToReference?: number;
  runs: { ceiling: Run; connector: Run; reference?: Run }[];
}

interface Results {
  machine: Machine;
  settings: { jsonShape: string; repeat: number; quick: boolean; roundTripMs: number; quotasLifted: string };
  pinning:
    { pinned: true; elasticsearchCores: number[]; benchCores: number[] } | { pinned: false; reason: string };
  parseAndEnrich: Record<string, unknown>;
  /** Sent to Elasticsearch before the comparisons, not counted. */
  warmUp: { documents: number; documentsPerSecond: number };
  /** Pinned when `pinning.pinned`, on shared cores otherwise. */
  comparisons: Comparison[];
  roundTrips: {
    label: string;
    roundTripMs: number;
    connector: Run;
    reference?: Run;
    connectorToReference?: number;
  }[];
  talendCalls: {
    label: string;
    executions: number;
    requests: Record<string, number>;
    perExecution: Record<string, number>;
    limits: QuotaLimit[];
    executionsPerDay: number;
  };
  memory: ({ entries: number; peakHeapMB: number; peakExternalMB: number } & Run)[];
  /** On shared cores, after the pinned comparisons; absent when those were not pinned. */
  shared?: Comparison[];
  costs: {
    runs: {
      label: string;
      mode: string;
      documents: number;
      executions: number;
      connectorMicrosecondsPerDocument: number;
      elasticsearchMicrosecondsPerDocument: number;
      simulatorMicrosecondsPerDocument: number;
    }[];
    connector: CostSplit;
    elasticsearch: CostSplit;
  };
  sectionMinutes: Record<string, number>;
  totalMinutes: number;
}

export interface Target {
  what: string;
  target: string;
  measured: string;
  met: boolean | undefined;
}

const number = (value: number) => Math.round(value).toLocaleString('en-US');
const cores = (run: Run, cpuSeconds: number) => (cpuSeconds / run.seconds).toFixed(2);
const PARSE_SHAPES = { jsonl: 'JSON Lines', array: 'JSON array' } as const;

function parseRates(results: Results) {
  return (Object.keys(PARSE_SHAPES) as (keyof typeof PARSE_SHAPES)[]).flatMap((shape) => {
    const measured = results.parseAndEnrich[shape] as
      | { linesPerSecond: number; linesPerCpuSecond: number; firstPass?: { linesPerCpuSecond: number } }
      | undefined;
    return measured === undefined ? [] : [{ name: PARSE_SHAPES[shape], ...measured }];
  });
}

/** The issue's targets, each with what this run measured (medians of rounds) and whether it is met. */
export function targets(results: Omit<Results, 'targets'>): Target[] {
  const modeName = results.pinning.pinned ? 'pinned' : 'shared cores (not pinned)';
  const toCeiling = (index: number, at: number): Target => {
    const comparison = results.comparisons[index];
    return {
      what: `${modeName}: connector / ceiling, ${comparison?.label ?? '?'}`,
      target: `>= ${at.toFixed(2)}`,
      measured: comparison === undefined ? '–' : comparison.connectorToCeiling.toFixed(2),
      met:
        comparison === undefined ? undefined : results.pinning.pinned && comparison.connectorToCeiling >= at,
    };
  };
  const withReference = results.roundTrips.find((trip) => trip.connectorToReference !== undefined);
  const parse = parseRates(results);
  const slowestParse = Math.min(...parse.map((shape) => shape.linesPerCpuSecond));
  const rss = results.memory.map((run) => run.maxRssMB);
  return [
    toCeiling(0, 0.9),
    toCeiling(1, 0.9),
    toCeiling(2, 0.7),
    {
      what: `connector / reference workflow, ${withReference?.label ?? '?'} with ${results.settings.roundTripMs} ms round trips`,
      target: '>= 4×',
      measured: withReference === undefined ? '–' : `${withReference.connectorToReference!.toFixed(1)}×`,
      met: withReference === undefined ? undefined : withReference.connectorToReference! >= 4,
    },
    {
      what: 'parse + enrich, lines per CPU-second (both shapes)',
      target: '>= 300,000',
      measured: parse.map((shape) => `${shape.name} ${number(shape.linesPerCpuSecond)}`).join(', '),
      met: parse.length === 2 && slowestParse >= 300_000,
    },
    {
      what: `peak RSS, one execution of ${results.memory.map((run) => number(run.entries)).join(' / ')} entries`,
      target: '<= 150 MB each',
      measured: `${rss.join(' / ')} MB`,
      met: rss.every((mb) => mb <= 150),
    },
    {
      what: "executions a day one worker keeps up with, inside Talend's quotas",
      target: '>= 100,000',
      measured: number(results.talendCalls.executionsPerDay),
      met: results.talendCalls.executionsPerDay >= 100_000,
    },
  ];
}

function throughputTable(comparisons: Comparison[], withReference: boolean): string[] {
  return [
    `| data | Elasticsearch ceiling | connector | connector / ceiling${withReference ? ' | reference workflow | connector / reference' : ''} |`,
    `| --- | ---: | ---: | ---:${withReference ? ' | ---: | ---:' : ''} |`,
    ...comparisons.map((c) => {
      const reference =
        c.medianDocumentsPerSecond.reference === undefined
          ? ' | – | –'
          : ` | ${number(c.medianDocumentsPerSecond.reference)} | ${c.connectorToReference!.toFixed(1)}×`;
      return (
        `| ${c.label} | ${number(c.medianDocumentsPerSecond.ceiling)} | ${number(c.medianDocumentsPerSecond.connector)} | ` +
        `${c.connectorToCeiling.toFixed(2)}${withReference ? reference : ''} |`
      );
    }),
  ];
}

function coresTable(comparisons: Comparison[]): string[] {
  return [
    '| data | run | Elasticsearch | connector / reference | simulator |',
    '| --- | --- | ---: | ---: | ---: |',
    ...comparisons.flatMap((c) => {
      const run = c.runs.at(-1)!;
      const row = (name: string, measured: Run) =>
        `| ${c.label} | ${name} | ${cores(measured, measured.elasticsearchCpuSeconds)} | ${cores(measured, measured.cpuSeconds)} | ${cores(measured, measured.simulatorCpuSeconds ?? 0)} |`;
      return [
        `| ${c.label} | ceiling | ${cores(run.ceiling, run.ceiling.elasticsearchCpuSeconds)} | – | – |`,
        row('connector', run.connector),
        ...(run.reference === undefined ? [] : [row('reference', run.reference)]),
      ];
    }),
  ];
}

function pinningLine(results: Results): string {
  const { pinning } = results;
  if (!pinning.pinned) return `Not pinned: ${pinning.reason}. The comparisons below ran on shared cores.`;
  return (
    `Pinned with \`taskset\`: Elasticsearch on core${pinning.elasticsearchCores.length > 1 ? 's' : ''} ${pinning.elasticsearchCores.join(', ')}; ` +
    `the bench itself (the ceiling's sender), the connector, the simulator and the reference workflow on ` +
    `core${pinning.benchCores.length > 1 ? 's' : ''} ${pinning.benchCores.join(', ')}. Both are put back on every core before the shared-core table and at the end.`
  );
}

function splitLine(what: string, split: CostSplit): string {
  const perExecution = split.perExecution.map((run) => run.millisecondsPerExecution.toFixed(2)).join(' | ');
  return `| ${what} | ${split.microsecondsPerDocument.toFixed(2)} | ${perExecution} |`;
}

export function resultsTable(results: Results & { targets: Target[] }): string {
  const { machine, settings, talendCalls } = results;
  const rounds = settings.repeat > 1 ? `medians of ${settings.repeat} rounds` : 'one round';
  const lines = [
    '# Benchmark results',
    '',
    `${machine.date.slice(0, 10)} · ${machine.cores} cores (${machine.cpu}), ${machine.memoryGB} GB · Node ${machine.node} · ` +
      `Elasticsearch ${machine.elasticsearch} (one node, ${machine.elasticsearchHeapMB} MB heap) on the same machine · ` +
      `load average ${machine.loadAverageAtStart} at start · log files as ${settings.jsonShape === 'jsonl' ? 'JSON Lines' : 'JSON arrays'}` +
      ` · ${rounds}${settings.quick ? ' · QUICK (sizes / 10)' : ''}.`,
    'Generated by `npm run bench` (bench/run.ts); raw numbers in bench.json.',
    '',
    pinningLine(results),
    '',
    '## Targets',
    '',
    '| target | wanted | measured | |',
    '| --- | ---: | ---: | --- |',
    ...results.targets.map(
      (t) =>
        `| ${t.what} | ${t.target} | ${t.measured} | ${t.met === undefined ? 'not measured' : t.met ? 'met' : 'not met'} |`,
    ),
    '',
    `## Throughput, documents/s${results.pinning.pinned ? ', pinned' : ''}`,
    '',
    `Elasticsearch was first warmed up with ${number(results.warmUp.documents)} documents, not counted ` +
      `(${number(results.warmUp.documentsPerSecond)} documents/s). ${settings.quotasLifted}: the connector's ` +
      'client-side Talend quotas lifted, since at the default 600 monitoring calls a minute and 2 per execution ' +
      'those executions take over 6 minutes whatever the connector does (what the quotas allow is below).',
    '',
    ...throughputTable(results.comparisons, true),
    '',
    'CPU in use meanwhile (cores, averaged over each run).',
    '',
    ...coresTable(results.comparisons),
    '',
    `## With Talend Cloud's round trips: ${results.roundTrips[0]?.roundTripMs ?? settings.roundTripMs} ms before every API answer and download`,
    '',
    '| data | connector | reference workflow | connector / reference | ceiling / reference |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...results.roundTrips.map((trip) => {
      const ceiling = results.comparisons.find((c) => c.label === trip.label)?.medianDocumentsPerSecond
        .ceiling;
      const reference = trip.reference?.documentsPerSecond;
      return (
        `| ${trip.label} | ${number(trip.connector.documentsPerSecond)} | ` +
        `${reference === undefined ? '–' : number(reference)} | ` +
        `${trip.connectorToReference === undefined ? '–' : `${trip.connectorToReference.toFixed(1)}×`} | ` +
        `${reference === undefined || ceiling === undefined ? '–' : `${(ceiling / reference).toFixed(1)}×`} |`
      );
    }),
    '',
    'Ceiling / reference bounds what any connector can show here: one that indexes as fast as ' +
      `Elasticsearch takes documents (the ${results.comparisons[0]?.mode ?? ''} ceiling of the same data) and loses nothing to the round trips.`,
    '',
    ...(results.shared === undefined
      ? []
      : [
          '## Throughput on shared cores, documents/s',
          '',
          'Elasticsearch, the connector and the simulator on every core, competing: what the connector spends is taken from Elasticsearch. One round.',
          '',
          ...throughputTable(results.shared, false),
          '',
        ]),
    '## Cost: CPU per document',
    '',
    'CPU microseconds per document in every connector run of the bench (Elasticsearch: its node stats over the run).',
    '',
    '| run | cores | documents | executions | connector µs/doc | Elasticsearch µs/doc | simulator µs/doc |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...results.costs.runs.map(
      (run) =>
        `| ${run.label} | ${run.mode} | ${number(run.documents)} | ${number(run.executions)} | ${run.connectorMicrosecondsPerDocument.toFixed(2)} | ` +
        `${run.elasticsearchMicrosecondsPerDocument.toFixed(2)} | ${run.simulatorMicrosecondsPerDocument.toFixed(2)} |`,
    ),
    '',
    `What a document costs, from the run of ${results.costs.connector.perDocumentFrom} (its start and its one execution ` +
      'spread over its documents), and what an execution costs beyond its documents: the CPU of a run of many, less ' +
      'its documents at that cost. Pinned runs without round trips, medians of the rounds.',
    '',
    `| process | µs per document | ${results.costs.connector.perExecution.map((run) => `ms per execution, ${run.label}`).join(' | ')} |`,
    `| --- | ---: | ${results.costs.connector.perExecution.map(() => '---:').join(' | ')} |`,
    splitLine('connector', results.costs.connector),
    splitLine('Elasticsearch', results.costs.elasticsearch),
    '',
    "## Talend's quotas",
    '',
    `Calls the connector made in the run of ${talendCalls.label} (the simulator's counters), per execution: ` +
      Object.entries(talendCalls.perExecution)
        .map(([group, calls]) => `${group} ${Number(calls.toFixed(4))}`)
        .join(', ') +
      '. Token and object store calls have no quota; orchestration shares the processing quota. ' +
      "The quotas are the connector's defaults (its settings), which keep it inside Talend's.",
    '',
    '| quota | calls a minute | calls per execution | executions a day |',
    '| --- | ---: | ---: | ---: |',
    ...talendCalls.limits.map(
      (limit) =>
        `| ${limit.groups.join(' + ')} | ${number(limit.perMinute)} | ${Number(limit.callsPerExecution.toFixed(4))} | ` +
        `${number(limit.perMinute)} × 1440 / ${Number(limit.callsPerExecution.toFixed(4))} = ${number(limit.executionsPerDay)} |`,
    ),
    '',
    `One worker keeps up with ${number(talendCalls.executionsPerDay)} executions a day: the smallest of those.`,
    '',
    '## Parse + enrich alone, one thread',
    '',
    'The median of three passes over the file once V8 has compiled the pipeline; the first pass beside it.',
    '',
    '| file | lines/s (wall) | lines per CPU-second | first pass, lines per CPU-second |',
    '| --- | ---: | ---: | ---: |',
    ...parseRates(results).map(
      (measured) =>
        `| ${measured.name} | ${number(measured.linesPerSecond)} | ${number(measured.linesPerCpuSecond)} | ` +
        `${measured.firstPass === undefined ? '–' : number(measured.firstPass.linesPerCpuSecond)} |`,
    ),
    '',
    '## Memory: peak RSS of the connector process, one execution',
    '',
    '| entries | peak RSS (MB) | V8 heap, at most (MB) | outside the heap, at most (MB) | documents/s |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...results.memory.map(
      (m) =>
        `| ${number(m.entries)} | ${m.maxRssMB} | ${m.peakHeapMB} | ${m.peakExternalMB} | ${number(m.documentsPerSecond)} |`,
    ),
    '',
    `Whole run: ${results.totalMinutes} minutes (${Object.entries(results.sectionMinutes)
      .map(([name, minutes]) => `${name} ${minutes}`)
      .join(', ')}).`,
    '',
  ];
  return lines.join('\n');
}
