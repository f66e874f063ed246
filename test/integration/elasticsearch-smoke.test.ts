import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@elastic/elasticsearch';
import { BulkIndexer } from '../../src/store/bulk-indexer.ts';
import { DeadLetterWriter } from '../../src/store/dead-letters.ts';
import type { ElasticsearchStore } from '../../src/store/elasticsearch-store.ts';
import { installTemplates } from '../../src/store/templates.ts';
import { removePrefix, testClient, testStore, uniquePrefix } from '../support/elasticsearch.ts';
import { DEFAULTS } from '../support/config.ts';
import { serializedDocument } from '../support/serialized-document.ts';

describe('Elasticsearch smoke', () => {
  let client: Client;
  let store: ElasticsearchStore;
  const prefix = uniquePrefix('smoke');

  before(async () => {
    client = await testClient();
    store = await testStore(prefix);
  });

  after(async () => {
    await removePrefix(client, prefix);
    await store.close();
    await client.close();
  });

  it('connects, and the product check passes on an 8.x or 9.x node (the majors README says are tested)', async () => {
    const info = await client.info();
    assert.match(info.version.number, /^(8|9)\./);
  });

  it('creates an index from the templates, bulk-indexes documents and finds them', async () => {
    const report = await installTemplates(store);
    assert.deepEqual(report.indexTemplates, [
      `${prefix}-logs`,
      `${prefix}-deadletter`,
      `${prefix}-executions`,
    ]);

    const deadLetters = new DeadLetterWriter(store);
    const indexer = new BulkIndexer(store, { ...DEFAULTS.bulk, deadLetters });
    const session = indexer.session({
      label: 'smoke',
      context: { talend: { task: { id: 't' }, execution: { id: 'e' } }, chunk: 0 },
    });
    const timestamp = Date.UTC(2024, 4, 17, 10, 0, 0);
    const index = store.names.logsIndex(timestamp);
    for (let i = 0; i < 3; i++) {
      await session.add({
        index,
        id: `doc-${i}`,
        serialized: serializedDocument({
          '@timestamp': new Date(timestamp + i).toISOString(),
          message: `hello ${i}`,
          log: { level: 'info' },
          talend: { task: { id: 't' }, execution: { id: 'e' }, position: { chunk: 0, line: i } },
        }),
        source: {},
      });
    }
    const result = await session.done();
    assert.equal(result.acknowledged, 3);
    assert.equal(result.deadLettered, 0);
    await indexer.close();
    await client.indices.refresh({ index });

    const found = await client.search({
      index: store.names.logsAlias,
      query: { match: { message: 'hello' } },
    });
    assert.equal((found.hits.total as { value: number }).value, 3);
    const mapping = await client.indices.getMapping({ index });
    const properties = mapping[index]!.mappings.properties!;
    assert.equal((properties['@timestamp'] as { type: string }).type, 'date');
    // The local test node has no mapper-extras module: the fallback must have been taken there.
    assert.equal(
      (properties.message as { type: string }).type,
      report.textFallback ? 'text' : 'match_only_text',
    );
    assert.equal(
      (properties.talend as { properties: Record<string, { properties: Record<string, { type: string }> }> })
        .properties.task!.properties.id!.type,
      'keyword',
    );
  });
});
