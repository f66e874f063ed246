import { readFileSync } from 'node:fs';
import type { estypes } from '@elastic/elasticsearch';
import { describeError } from '../common/errors.ts';
import { packageFile } from '../common/package-files.ts';
import { LOG_COMPONENTS, type IndexNames } from '../config/index-names.ts';
import { ElasticsearchUnavailableError, ElasticsearchWriteError, statusOf } from './elasticsearch-errors.ts';
import type { ElasticsearchStore } from './elasticsearch-store.ts';

export interface IlmOptions {
  enabled: boolean;
  /**
   * Age at which a monthly index is deleted, counted from the end of its month (see LogIndexCreator),
   * so that its newest line is kept that long.
   */
  deleteAfterDays: number;
}

export interface TemplateOptions {
  /** No lifecycle policy unless given and enabled: deleting data is the operator's decision. */
  ilm?: IlmOptions;
}

export interface TemplateInstallReport {
  /** The logs' default ingest pipeline; none where the cluster has no ingest processors. */
  ingestPipeline?: string;
  componentTemplates: string[];
  indexTemplates: string[];
  /** The lifecycle policy installed, if any. */
  ilmPolicy?: string;
  /** `message` is `text` (norms off) because the cluster has no `match_only_text`. */
  textFallback: boolean;
}

/**
 * Installs or updates the logs' ingest pipeline (where the cluster has ingest processors), the component
 * templates, the index templates of the log, dead-letter and executions indices and, where the cluster
 * has ILM and it is enabled, the lifecycle policy. Idempotent: every
 * call puts the same definitions. Existing indices keep their mappings; the next monthly index
 * picks up the change.
 */
export async function installTemplates(
  store: ElasticsearchStore,
  options: TemplateOptions = {},
): Promise<TemplateInstallReport> {
  const { client, names, logger } = store;
  const params = mappingParams(names);
  const report: TemplateInstallReport = { componentTemplates: [], indexTemplates: [], textFallback: false };

  // Before the settings that name it: a log index created in between would fail every write.
  if (await supportsIngestPipeline(store, params)) {
    await put(store, `ingest pipeline ${params.ingestPipeline}`, () =>
      client.ingest.putPipeline({ id: params.ingestPipeline, ...loadMapping(INGEST_PIPELINE_FILE, params) }),
    );
    report.ingestPipeline = params.ingestPipeline;
  }

  const policy = options.ilm?.enabled ? await installIlmPolicy(store, options.ilm) : undefined;
  if (policy !== undefined) report.ilmPolicy = policy;

  const textFallback = !(await supportsMatchOnlyText(store));
  report.textFallback = textFallback;
  for (const component of LOG_COMPONENTS) {
    const name = names.componentTemplates[component];
    const body = withTextFallback(loadMapping(`talend-logs-${component}.json`, params), textFallback);
    if (component === 'settings') {
      const { index } = (body.template as { settings: { index: Record<string, unknown> } }).settings;
      if (policy !== undefined) index.lifecycle = { name: policy };
      if (report.ingestPipeline === undefined) delete index.default_pipeline;
    }
    await put(store, `component template ${name}`, () =>
      client.cluster.putComponentTemplate({ name, ...body }),
    );
    report.componentTemplates.push(name);
  }
  for (const { name, file } of names.indexTemplates) {
    const body = withTextFallback(loadMapping(file, params), textFallback);
    await put(store, `index template ${name}`, () => client.indices.putIndexTemplate({ name, ...body }));
    report.indexTemplates.push(name);
  }
  await updateDeadLetterMapping(store, textFallback);
  logger.info({ prefix: names.prefix, ...report }, 'Elasticsearch templates installed');
  return report;
}

/**
 * Installs the templates only when one is missing or older than ours: what every run does at start,
 * cheaply, without overwriting an operator's deliberate edits of the same version.
 */
export async function ensureTemplates(
  store: ElasticsearchStore,
  options: TemplateOptions = {},
): Promise<TemplateInstallReport | undefined> {
  const { names } = store;
  const params = mappingParams(names);
  const wanted = [
    {
      name: params.ingestPipeline,
      kind: 'pipeline' as const,
      version: versionOf(loadMapping(INGEST_PIPELINE_FILE, params)),
    },
    ...LOG_COMPONENTS.map((component) => ({
      name: names.componentTemplates[component],
      kind: 'component' as const,
      version: versionOf(loadMapping(`talend-logs-${component}.json`, params)),
    })),
    ...names.indexTemplates.map(({ name, file }) => ({
      name,
      kind: 'index' as const,
      version: versionOf(loadMapping(file, params)),
    })),
  ];
  for (const { name, kind, version } of wanted) {
    let installed: unknown;
    try {
      installed = await store.request(`the check of ${kind} ${name}`, () =>
        installedVersion(store, kind, name),
      );
    } catch (error) {
      // The least-privilege role of `sync` cannot read templates (README, "Elasticsearch roles"):
      // `setup`, which can, has installed them.
      if (statusOf(error) !== 403) throw error;
      store.logger.warn(
        { template: name, reason: describeError(error) },
        `Not allowed to read template ${name}: assuming \`talend-logs setup\` installed the templates`,
      );
      return undefined;
    }
    if (installed === undefined || installed === null || Number(installed) < version) {
      // A cluster without ingest processors has no pipeline for good: not a reason to install again.
      if (kind === 'pipeline' && !(await supportsIngestPipeline(store, params))) continue;
      return installTemplates(store, options);
    }
  }
  return undefined;
}

/** The version of an installed definition; undefined (or null) when it is missing or has none. */
async function installedVersion(
  { client }: ElasticsearchStore,
  kind: 'pipeline' | 'component' | 'index',
  name: string,
): Promise<unknown> {
  switch (kind) {
    case 'pipeline':
      return (await client.ingest.getPipeline({ id: name }, { ignore: [404] }))[name]?.version;
    case 'component':
      return (await client.cluster.getComponentTemplate({ name }, { ignore: [404] })).component_templates?.[0]
        ?.component_template.version;
    case 'index':
      return (await client.indices.getIndexTemplate({ name }, { ignore: [404] })).index_templates?.[0]
        ?.index_template.version;
  }
}

/**
 * Sets `event.ingested` in Elasticsearch, as the logs' `index.default_pipeline`: the connector's
 * documents stay byte for byte the same from one run to the next.
 */
const INGEST_PIPELINE_FILE = 'talend-logs-ingested.json';

/** The placeholders of the files of mappings/: every name comes from the names object. */
interface MappingParams extends Record<string, string> {
  ingestPipeline: string;
}

function mappingParams(names: IndexNames): MappingParams {
  return {
    logsAlias: names.logsAlias,
    logsPattern: names.logsPattern,
    executions: names.executions,
    deadLetters: names.deadLetters,
    settingsTemplate: names.componentTemplates.settings,
    ecsTemplate: names.componentTemplates.ecs,
    talendTemplate: names.componentTemplates.talend,
    ingestPipeline: names.ingestPipeline,
  };
}

/**
 * The dead-letter index is one index, not one a month: a new version of its template would never
 * reach it. Its fields are only ever added, which an existing index accepts.
 */
async function updateDeadLetterMapping(store: ElasticsearchStore, textFallback: boolean): Promise<void> {
  const index = store.names.deadLetters;
  const params = mappingParams(store.names);
  const { template } = withTextFallback(loadMapping('talend-deadletter.json', params), textFallback) as {
    template: { mappings: Omit<estypes.IndicesPutMappingRequest, 'index'> };
  };
  await put(store, `mapping of index ${index}`, () =>
    store.client.indices.putMapping({ index, ...template.mappings }, { ignore: [404] }),
  );
}

async function installIlmPolicy(store: ElasticsearchStore, ilm: IlmOptions): Promise<string | undefined> {
  const { client, names, logger } = store;
  try {
    await store.request('the ILM status', () => client.ilm.getStatus());
  } catch (error) {
    if (error instanceof ElasticsearchUnavailableError) throw error;
    logger.info(
      { reason: describeError(error) },
      'Elasticsearch has no index lifecycle management (ILM): log indices are kept until deleted by hand',
    );
    return undefined;
  }
  const name = names.ilmPolicy;
  const params = { ...mappingParams(names), deleteAfterDays: String(ilm.deleteAfterDays) };
  const { policy } = loadMapping('talend-logs-ilm.json', params) as { policy: estypes.IlmPolicy };
  await put(store, `lifecycle policy ${name}`, () => client.ilm.putLifecycle({ name, policy }));
  return name;
}

/**
 * `match_only_text` lives in the mapper-extras module, which some minimal clusters (our local test
 * node among them) do not load. Probed by putting the ECS component template itself: its refusal
 * names the type.
 */
function supportsMatchOnlyText(store: ElasticsearchStore): Promise<boolean> {
  const name = store.names.componentTemplates.ecs;
  const params = mappingParams(store.names);
  return probe(store, {
    what: `component template ${name}`,
    put: () =>
      store.client.cluster.putComponentTemplate({ name, ...loadMapping('talend-logs-ecs.json', params) }),
    refusal: 'match_only_text',
    fallback: () =>
      store.logger.info(
        'Elasticsearch has no match_only_text (mapper-extras module missing): mapping messages as text without norms',
      ),
  });
}

/**
 * Ingest processors live in the ingest-common module, which minimal clusters (our local test node
 * among them) do not load. Probed by putting the pipeline itself: its refusal names the processor.
 */
function supportsIngestPipeline(store: ElasticsearchStore, params: MappingParams): Promise<boolean> {
  const name = params.ingestPipeline;
  return probe(store, {
    what: `ingest pipeline ${name}`,
    put: () => store.client.ingest.putPipeline({ id: name, ...loadMapping(INGEST_PIPELINE_FILE, params) }),
    refusal: 'No processor type exists',
    fallback: () =>
      store.logger.info(
        { pipeline: name },
        'Elasticsearch has no ingest processors (ingest-common module missing): log documents get no event.ingested',
      ),
  });
}

/**
 * Whether the cluster accepts a definition that needs an optional module, remembered by the store: a
 * refusal that names the missing part means no, calls `fallback` once, and is no error.
 */
async function probe(
  store: ElasticsearchStore,
  {
    what,
    put,
    refusal,
    fallback,
  }: { what: string; put: () => Promise<unknown>; refusal: string; fallback: () => void },
): Promise<boolean> {
  const known = store.clusterSupports.get(refusal);
  if (known !== undefined) return known;
  let supported = true;
  try {
    await store.request(`the probe with ${what}`, put);
  } catch (error) {
    if (error instanceof ElasticsearchUnavailableError) throw error;
    if (!describeError(error).includes(refusal)) {
      throw new ElasticsearchWriteError(
        `Could not install ${what}: ${describeError(error)}`,
        { template: what },
        error,
      );
    }
    supported = false;
    fallback();
  }
  store.clusterSupports.set(refusal, supported);
  return supported;
}

function withTextFallback<T>(value: T, fallback: boolean): T {
  if (!fallback || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => withTextFallback(item, true)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) out[key] = withTextFallback(child, true);
  if (out.type === 'match_only_text') {
    out.type = 'text';
    out.norms = false;
  }
  return out as T;
}

/** Puts a definition; a refusal (not an outage, which the retries ride out) is a write error. */
async function put(store: ElasticsearchStore, what: string, request: () => Promise<unknown>): Promise<void> {
  try {
    await store.request(`the ${what}`, request);
  } catch (error) {
    if (error instanceof ElasticsearchUnavailableError) throw error;
    throw new ElasticsearchWriteError(
      `Could not install ${what}: ${describeError(error)}`,
      { template: what },
      error,
    );
  }
}

function versionOf(body: Record<string, unknown>): number {
  return Number(body.version ?? 0);
}

/** A template file of `mappings/` with the names filled in: what is installed, as JSON. */
export function mappingFile(file: string, names: IndexNames): Record<string, unknown> {
  return loadMapping(file, mappingParams(names));
}

/** The JSON files of `mappings/`, at the package root, placeholders filled in. */
function loadMapping(file: string, params: Record<string, string>): Record<string, unknown> {
  const text = readFileSync(packageFile('mappings', file), 'utf8').replace(
    /\{\{(\w+)\}\}/g,
    (placeholder, key: string) => params[key] ?? placeholder,
  );
  return JSON.parse(text) as Record<string, unknown>;
}
