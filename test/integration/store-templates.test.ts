import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@elastic/elasticsearch';
import { ensureTemplates, installTemplates } from '../../src/store/templates.ts';
import { removePrefix, testClient, uniquePrefix } from '../support/elasticsearch.ts';

describe('index templates', () => {
  let client: Client;
  const prefix = uniquePrefix('templates');

  before(async () => {
    client = await testClient();
  });

  after(async () => {
    await removePrefix(client, prefix);
    await client.close();
  });

  async function clusterHasIlm(): Promise<boolean> {
    try {
      await client.ilm.getStatus();
      return true;
    } catch {
      return false;
    }
  }

  it('installs only what is missing, and again after one template was deleted', async () => {
    const first = await ensureTemplates(client, { prefix });
    assert.ok(first, 'a fresh prefix gets its templates');
    assert.deepEqual(first.componentTemplates, [
      `${prefix}-logs-settings`,
      `${prefix}-logs-ecs`,
      `${prefix}-logs-talend`,
    ]);
    assert.deepEqual(first.indexTemplates, [
      `${prefix}-logs`,
      `${prefix}-deadletter`,
      `${prefix}-executions`,
    ]);
    assert.equal(await ensureTemplates(client, { prefix }), undefined);

    await client.indices.deleteIndexTemplate({ name: `${prefix}-executions` });
    assert.ok(await ensureTemplates(client, { prefix }), 'the executions template is checked too');
    await client.indices.deleteIndexTemplate({ name: `${prefix}-deadletter` });
    assert.ok(await ensureTemplates(client, { prefix }));
    assert.equal(await ensureTemplates(client, { prefix }), undefined);
  });

  async function clusterHasSetProcessor(): Promise<boolean> {
    const { nodes } = await client.nodes.info({ metric: 'ingest' });
    return Object.values(nodes).every((node) =>
      (node.ingest?.processors ?? []).some((processor) => processor.type === 'set'),
    );
  }

  it('installs the logs ingest pipeline where the cluster can run it, and again once deleted', async () => {
    const pipeline = `${prefix}-logs-ingested`;
    const processors = await clusterHasSetProcessor();
    const report = await installTemplates(client, { prefix });
    assert.equal(report.ingestPipeline, processors ? pipeline : undefined);
    const simulated = await client.indices.simulateIndexTemplate({ name: `${prefix}-logs-2030.02` });
    const settings = simulated.template.settings as { index?: { default_pipeline?: string } };
    assert.equal(settings.index?.default_pipeline, processors ? pipeline : undefined);
    const installed = async () =>
      Object.keys(await client.ingest.getPipeline({ id: pipeline }, { ignore: [404] }));
    assert.deepEqual(await installed(), processors ? [pipeline] : []);
    // Without ingest processors the pipeline stays missing: no reason to install everything at every run.
    assert.equal(await ensureTemplates(client, { prefix }), undefined);
    if (!processors) return;
    await client.ingest.deletePipeline({ id: pipeline });
    assert.equal((await ensureTemplates(client, { prefix }))?.ingestPipeline, pipeline);
    assert.deepEqual(await installed(), [pipeline]);
    await client.index({
      index: `${prefix}-logs-2030.02`,
      id: 'i',
      refresh: true,
      document: { message: 'x' },
    });
    const source = (await client.get({ index: `${prefix}-logs-2030.02`, id: 'i' }))._source as {
      event?: { ingested?: string };
    };
    assert.ok(Date.parse(source.event?.ingested ?? '') > Date.now() - 60_000, 'set by the pipeline');
  });

  it('is idempotent, and applies ILM only where the cluster has it', async () => {
    const ilm = await clusterHasIlm();
    const report = await installTemplates(client, { prefix, ilm: { enabled: true, deleteAfterDays: 30 } });
    await installTemplates(client, { prefix, ilm: { enabled: true, deleteAfterDays: 30 } });
    assert.equal(report.ilmPolicy, ilm ? `${prefix}-logs-policy` : undefined);
    const simulated = await client.indices.simulateIndexTemplate({ name: `${prefix}-logs-2030.01` });
    const settings = simulated.template.settings as { index?: { lifecycle?: { name?: string } } };
    assert.equal(settings.index?.lifecycle?.name, ilm ? `${prefix}-logs-policy` : undefined);
  });

  it('creates monthly indices with the alias, the mappings and unknown fields kept but unindexed', async () => {
    await installTemplates(client, { prefix });
    const index = `${prefix}-logs-2024.07`;
    await client.index({
      index,
      id: '1',
      refresh: true,
      document: {
        '@timestamp': '2024-07-01T00:00:00Z',
        message: 'hello world',
        unexpected: { field: 1 },
        talend: { extra: { anything: [1, 'two'] }, task: { id: 't', name: 'Customer load' } },
      },
    });
    const alias = await client.indices.getAlias({ name: `${prefix}-logs` });
    assert.deepEqual(Object.keys(alias), [index]);
    const mapping = (await client.indices.getMapping({ index }))[index]!.mappings;
    assert.equal(mapping.dynamic, 'false');
    assert.equal(mapping.properties!.unexpected, undefined);
    const talend = (mapping.properties!.talend as { properties: Record<string, Record<string, unknown>> })
      .properties;
    assert.equal(talend.extra!.enabled, false);
    assert.equal(talend.task!.properties !== undefined, true);
    const byName = await client.search({
      index: `${prefix}-logs`,
      query: { match: { 'talend.task.name.text': 'customer' } },
    });
    assert.equal((byName.hits.total as { value: number }).value, 1);
    const source = (await client.get({ index, id: '1' }))._source as Record<string, unknown>;
    assert.deepEqual(source.unexpected, { field: 1 });
  });

  it('maps the dead-letter index with the original entry stored, not indexed', async () => {
    await installTemplates(client, { prefix });
    const index = `${prefix}-deadletter`;
    await client.index({
      index,
      refresh: true,
      document: {
        '@timestamp': '2024-07-01T00:00:00Z',
        stage: 'parse',
        raw: 'x'.repeat(40_000),
        original: { a: { b: 1 } },
      },
    });
    const properties = (await client.indices.getMapping({ index }))[index]!.mappings.properties!;
    assert.equal((properties.original as { enabled: boolean }).enabled, false);
    assert.equal((properties.raw as { index: boolean }).index, false);
    assert.equal((properties.stage as { type: string }).type, 'keyword');
  });
});
