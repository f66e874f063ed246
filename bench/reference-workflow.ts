/**
 * The reference workflow: Talend's "Fetching run logs periodically for analysis" guide, written the
 * way a plain script would follow it. For each execution in turn: generate its log, poll the status
 * until READY, download the whole file to disk (following the 206 chunks back to a 200), then read
 * each file whole with JSON.parse and bulk-index it, one request at a time. Same documents, same ids
 * and same batch size as the connector: only the workflow differs.
 *
 * Run by `bench/run.ts` as a child process: `tsx bench/reference-workflow.ts` with TALEND_API_URL,
 * TALEND_TOKEN, ES_URL, INDEX_PREFIX and BENCH_WORK_DIR set. Prints one JSON line: documents, seconds.
 */
import { sourceJson } from '../test/support/enriched-document.ts';
import { indexNames } from '../src/config/index-names.ts';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@elastic/elasticsearch';
import type { TalendExecution, TalendTask } from '../src/contracts/talend-api.ts';
import { executionContext } from '../src/documents/execution-context.ts';
import { ChunkEnricher } from '../src/pipeline/enrich/chunk-enricher.ts';
import { entryTimestamp } from '../src/pipeline/enrich/timestamp.ts';
import { bulkIndexLines } from '../src/store/bulk-request.ts';

const FLUSH_BYTES = 5 * 1024 * 1024;
const LOOKBACK_MS = 3 * 86_400_000;

interface Settings {
  apiUrl: string;
  token: string;
  esUrl: string;
  prefix: string;
  workDir: string;
}

export async function runReferenceWorkflow(
  settings: Settings,
): Promise<{ documents: number; seconds: number }> {
  const started = performance.now();
  const es = new Client({ node: settings.esUrl, requestTimeout: 120_000 });
  const talend = (path: string, init: RequestInit = {}) =>
    fetch(new URL(path, settings.apiUrl), {
      ...init,
      headers: { Authorization: `Bearer ${settings.token}`, 'talend-version': '2021-03', ...init.headers },
    });
  let documents = 0;
  try {
    const tasks = await listTasks(talend);
    for (const task of tasks) {
      const to = Date.now();
      const answer = await talend(
        `/processing/executables/tasks/${task.executable}/executions?from=${to - LOOKBACK_MS}&to=${to}&limit=100`,
      );
      const page = (await answer.json()) as { items: TalendExecution[] };
      for (const execution of page.items) {
        const files = await downloadLog(talend, execution.executionId, settings.workDir);
        const context = executionContext(task, execution);
        for (const [sequence, file] of files.entries()) {
          documents += await indexFile(
            es,
            file,
            new ChunkEnricher(context, sequence, indexNames(settings.prefix)),
          );
          await rm(file);
        }
      }
    }
  } finally {
    await es.close();
  }
  return { documents, seconds: (performance.now() - started) / 1000 };
}

type Talend = (path: string, init?: RequestInit) => Promise<Response>;

async function listTasks(talend: Talend): Promise<TalendTask[]> {
  const tasks: TalendTask[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = (await (
      await talend(`/orchestration/executables/tasks?limit=100&offset=${offset}`)
    ).json()) as {
      items: TalendTask[];
      total: number;
    };
    tasks.push(...page.items);
    if (tasks.length >= page.total || page.items.length === 0) return tasks;
  }
}

/** Scenario 1 and 2 of the guide: generate, poll the status, download; on a 206, again with the older end. */
async function downloadLog(talend: Talend, executionId: string, dir: string): Promise<string[]> {
  const files: string[] = [];
  let endTime: string | null = null;
  for (;;) {
    const query = `newFileName=true${endTime === null ? '' : `&endTime=${encodeURIComponent(endTime)}`}`;
    const generated = await talend(`/monitoring/executions/${executionId}/logs?${query}`, { method: 'POST' });
    // A run rejected before it started has no log: Talend answers 404.
    if (generated.status === 404 && files.length === 0) return files;
    if (!generated.ok) throw new Error(`generating the log of ${executionId}: HTTP ${generated.status}`);
    const { token } = (await generated.json()) as { token: string };
    let url: string | undefined;
    while (url === undefined) {
      const status = await talend(`/monitoring/executions/${executionId}/logs/status`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/plain' },
        body: token,
      });
      if (!status.ok) throw new Error(`the status of ${executionId}'s log: HTTP ${status.status}`);
      const answer = (await status.json()) as { status: string; presignedURL?: string };
      if (answer.status === 'READY') url = answer.presignedURL;
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const file = join(dir, `${executionId}-${files.length}.json`);
    await writeFile(file, Buffer.from(await (await fetch(url)).arrayBuffer()));
    files.push(file);
    if (generated.status === 200) return files;
    endTime = generated.headers.get('X-Log-Next-Request-End-Time');
  }
}

/** The whole file parsed at once, then indexed in batches of the connector's size, one after the other. */
async function indexFile(es: Client, file: string, enricher: ChunkEnricher): Promise<number> {
  const text = await readFile(file, 'utf8');
  const entries = (
    text.trimStart().startsWith('[')
      ? JSON.parse(text)
      : text
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as unknown)
  ) as Record<string, unknown>[];
  let batch: string[] = [];
  let bytes = 0;
  let indexed = 0;
  const send = async () => {
    const response = (await es.transport.request({
      method: 'POST',
      path: '/_bulk',
      bulkBody: batch.join(''),
    })) as { errors: boolean; items: unknown[] };
    if (response.errors) throw new Error('Elasticsearch refused documents');
    indexed += response.items.length;
    batch = [];
    bytes = 0;
  };
  for (const [position, entry] of entries.entries()) {
    const document = enricher.toDocument(entry, entryTimestamp(entry.logTimestamp)!, position);
    if (document.kind !== 'document') continue;
    const lines = bulkIndexLines(document.index, document.id, sourceJson(document));
    if (bytes + Buffer.byteLength(lines) > FLUSH_BYTES && batch.length > 0) await send();
    batch.push(lines);
    bytes += Buffer.byteLength(lines);
  }
  if (batch.length > 0) await send();
  return indexed;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = (name: string) => {
    const value = process.env[name];
    if (value === undefined) throw new Error(`${name} is not set`);
    return value;
  };
  const workDir = env('BENCH_WORK_DIR');
  await mkdir(workDir, { recursive: true });
  const result = await runReferenceWorkflow({
    apiUrl: env('TALEND_API_URL'),
    token: env('TALEND_TOKEN'),
    esUrl: env('ES_URL'),
    prefix: env('INDEX_PREFIX'),
    workDir,
  });
  console.log(JSON.stringify(result));
}
