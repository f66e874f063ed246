import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@elastic/elasticsearch';
import type { ElasticsearchStore } from '../../src/store/elasticsearch-store.ts';
import { ensureTemplates, installTemplates } from '../../src/store/templates.ts';
import { capturedLogger } from '../support/captured-logger.ts';
import { removePrefix, testClient, testStore, uniquePrefix } from '../support/elasticsearch.ts';
import { elasticsearchUrl } from '../support/elasticsearch.ts';
import { startElasticsearchProxy } from '../support/elasticsearch-proxy.ts';

describe('index templates', () => {
  let client: Client;
  let store: ElasticsearchStore;
  const prefix = uniquePrefix('templates');

  before(async () => {
    client = await testClient();
    store = await testStore(prefix);
  });

  after(async () => {
    await removePrefix(client, prefix);
    await store.close();
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
    const first = await ensureTemplates(store);
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
    assert.equal(await ensureTemplates(store), undefined);

    await client.indices.deleteIndexTemplate({ name: `${prefix}-executions` });
    assert.ok(await ensureTemplates(store), 'the executions template is checked too');
    await client.indices.deleteIndexTemplate({ name: `${prefix}-deadletter` });
    assert.ok(await ensureTemplates(store));
    assert.equal(await ensureTemplates(store), undefined);
  });

  it("carries on with a warning when the user may not read templates (sync's role), fails on other refusals", async () => {
    await installTemplates(store);
    const proxy = await startElasticsearchProxy({ target: await elasticsearchUrl() });
    const { logger, text } = capturedLogger();
    const viaProxy = await testStore(prefix, { node: proxy.url, logger });
    const isTemplateRead = ({ method, url }: { method: string; url: string }) =>
      method === 'GET' && /^\/_(component|index)_template\//.test(url);
    try {
      // A missing template would be installed by a user allowed to look: this one is not, so it
      // must not try (its role cannot put templates either).
      await client.indices.deleteIndexTemplate({ name: `${prefix}-deadletter` });
      proxy.forbid(isTemplateRead);
      assert.equal(await ensureTemplates(viaProxy), undefined);
      assert.equal(proxy.counters.forbidden, 1, 'the first refused read settles it');
      assert.match(
        text(),
        /"log.level":"warn".*Not allowed to read template .*-logs-settings.*talend-logs setup/,
      );
      assert.equal(
        (await client.indices.existsIndexTemplate({ name: `${prefix}-deadletter` })) as boolean,
        false,
      );

      proxy.forbid(undefined);
      assert.ok(await ensureTemplates(viaProxy), 'allowed to read, it installs what is missing');

      proxy.forbid(({ method, url }) => method === 'PUT' && /^\/_component_template\//.test(url));
      await client.indices.deleteIndexTemplate({ name: `${prefix}-deadletter` });
      await assert.rejects(
        ensureTemplates(viaProxy),
        /Could not install component template .*-logs-settings: security_exception/,
      );
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
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
    const report = await installTemplates(store);
    assert.equal(report.ingestPipeline, processors ? pipeline : undefined);
    const simulated = await client.indices.simulateIndexTemplate({ name: `${prefix}-logs-2030.02` });
    const settings = simulated.template.settings as { index?: { default_pipeline?: string } };
    assert.equal(settings.index?.default_pipeline, processors ? pipeline : undefined);
    const installed = async () =>
      Object.keys(await client.ingest.getPipeline({ id: pipeline }, { ignore: [404] }));
    assert.deepEqual(await installed(), processors ? [pipeline] : []);
    // Without ingest processors the pipeline stays missing: no reason to install everything at every run.
    assert.equal(await ensureTemplates(store), undefined);
    if (!processors) return;
    await client.ingest.deletePipeline({ id: pipeline });
    assert.equal((await ensureTemplates(store))?.ingestPipeline, pipeline);
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
    const report = await installTemplates(store, { ilm: { enabled: true, deleteAfterDays: 30 } });
    await installTemplates(store, { ilm: { enabled: true, deleteAfterDays: 30 } });
    assert.equal(report.ilmPolicy, ilm ? `${prefix}-logs-policy` : undefined);
    const simulated = await client.indices.simulateIndexTemplate({ name: `${prefix}-logs-2030.01` });
    const settings = simulated.template.settings as { index?: { lifecycle?: { name?: string } } };
    assert.equal(settings.index?.lifecycle?.name, ilm ? `${prefix}-logs-policy` : undefined);
  });

  it('creates monthly indices with the alias, the mappings and unknown fields kept but unindexed', async () => {
    await installTemplates(store);
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

  it('maps the dead-letter index in ECS terms, the original line stored but not indexed', async () => {
    await installTemplates(store);
    const index = `${prefix}-deadletter`;
    await client.index({
      index,
      refresh: true,
      document: {
        '@timestamp': '2024-07-01T00:00:00Z',
        event: { original: 'x'.repeat(40_000) },
        error: { type: 'malformed_line', message: 'invalid JSON' },
        talend: { dead_letter: { stage: 'parse' } },
      },
    });
    const properties = (await client.indices.getMapping({ index }))[index]!.mappings.properties!;
    const fields = (name: string) =>
      (properties[name] as { properties: Record<string, Record<string, unknown>> }).properties;
    assert.deepEqual(fields('event').original, { type: 'keyword', index: false, doc_values: false });
    assert.equal(fields('error').type!.type, 'keyword');
    assert.equal(fields('ecs').version!.type, 'keyword');
    const deadLetter = fields('talend').dead_letter as { properties: Record<string, { type: string }> };
    assert.equal(deadLetter.properties.stage!.type, 'keyword');
    const found = await client.count({ index, query: { term: { 'talend.dead_letter.stage': 'parse' } } });
    assert.equal(found.count, 1);
  });

  it('adds the fields of a newer dead-letter mapping to a dead-letter index that exists', async () => {
    const index = `${prefix}-deadletter`;
    await client.indices.delete({ index, ignore_unavailable: true });
    await client.indices.create({
      index,
      mappings: { dynamic: false, properties: { stage: { type: 'keyword' } } },
    });
    await installTemplates(store);
    const properties = (await client.indices.getMapping({ index }))[index]!.mappings.properties!;
    assert.ok(properties.stage, 'what was there stays');
    assert.ok(properties.event && properties.talend, 'the new fields are added');
  });
});
