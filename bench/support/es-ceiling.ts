/**
 * The Elasticsearch ceiling: the connector's own documents, serialized into `_bulk` bodies on disk
 * beforehand, then sent as fast as the connector's batch size and request concurrency allow. No
 * download, no parsing, no enrichment: what is left is Elasticsearch's own indexing speed.
 */
import { sourceJson } from '../../test/support/enriched-document.ts';
import { indexNames } from '../../src/config/index-names.ts';
import { mkdir, open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ElasticsearchStore } from '../../src/store/elasticsearch-store.ts';
import { ChunkEnricher } from '../../src/pipeline/enrich/chunk-enricher.ts';
import { entryTimestamp } from '../../src/pipeline/enrich/timestamp.ts';
import { startSimulator } from '../../src/simulator/index.ts';
import { bulkIndexLines, postBulk } from '../../src/store/bulk-request.ts';
import { executionContexts } from './execution-contexts.ts';
import { MAX_ENTRIES_PER_FILE, simulatorOptions, type Scenario } from './scenarios.ts';

export interface BulkBodies {
  files: { path: string; documents: number }[];
  documents: number;
  bytes: number;
}

/**
 * Builds every document of the scenario with the real ChunkEnricher, one enricher per 100,000-entry
 * chunk counted from the end as the connector's backward walk does, and cuts them into bodies of at
 * most `flushBytes` the way the bulk indexer packs its requests.
 */
export async function writeBulkBodies(
  scenario: Scenario,
  prefix: string,
  dir: string,
  flushBytes: number,
): Promise<BulkBodies> {
  await mkdir(dir, { recursive: true });
  const simulator = await startSimulator(simulatorOptions(scenario, 'jsonl'));
  const bodies: BulkBodies = { files: [], documents: 0, bytes: 0 };
  let pending: string[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    const path = join(dir, `${String(bodies.files.length).padStart(5, '0')}.ndjson`);
    // On disk before the clock starts: the kernel writing a gigabyte back while Elasticsearch
    // syncs its translog would slow the ceiling down.
    const file = await open(path, 'w');
    try {
      await file.writeFile(pending.join(''));
      await file.sync();
    } finally {
      await file.close();
    }
    bodies.files.push({ path, documents: pending.length });
    bodies.bytes += pendingBytes;
    pending = [];
    pendingBytes = 0;
  };
  try {
    for (const context of await executionContexts(simulator)) {
      const count = simulator.entryCount(context.executionId);
      let enricher: ChunkEnricher | undefined;
      let sequence = -1;
      let index = 0;
      for (const entry of simulator.entries(context.executionId)) {
        const chunk = Math.floor((count - 1 - index) / MAX_ENTRIES_PER_FILE);
        const chunkStart = Math.max(0, count - (chunk + 1) * MAX_ENTRIES_PER_FILE);
        if (chunk !== sequence) {
          sequence = chunk;
          enricher = new ChunkEnricher(context, chunk, indexNames(prefix));
        }
        const timestampMs = entryTimestamp(entry.logTimestamp)!;
        const outcome = enricher!.toDocument(entry, timestampMs, index - chunkStart);
        index++;
        if (outcome.kind !== 'document') throw new Error(`simulator entry not indexable: ${outcome.reason}`);
        const line = bulkIndexLines(outcome.index, outcome.id, sourceJson(outcome));
        const bytes = Buffer.byteLength(line);
        if (pending.length > 0 && pendingBytes + bytes > flushBytes) await flush();
        pending.push(line);
        pendingBytes += bytes;
        bodies.documents++;
      }
    }
    if (pending.length > 0) await flush();
    return bodies;
  } finally {
    await simulator.close();
  }
}

/** Sends the bodies with `concurrency` requests in flight, each read from disk just before it goes. */
export async function sendBulkBodies(
  store: ElasticsearchStore,
  bodies: BulkBodies,
  concurrency: number,
): Promise<{ documents: number; seconds: number }> {
  let next = 0;
  let documents = 0;
  const worker = async () => {
    for (let file = bodies.files[next++]; file !== undefined; file = bodies.files[next++]) {
      const items = await postBulk(store, await readFile(file.path), file.documents);
      const failed = items.find((item) => item.error !== undefined);
      if (failed) throw new Error(`Elasticsearch refused a document: ${JSON.stringify(failed.error)}`);
      documents += items.length;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { documents, seconds: (performance.now() - started) / 1000 };
}
