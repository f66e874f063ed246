import { readFileSync } from 'node:fs';
import type { Client, estypes } from '@elastic/elasticsearch';
import { describeError } from '../common/errors.ts';
import { packageFile } from '../common/package-files.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { ElasticsearchUnavailableError, ElasticsearchWriteError, statusOf } from './elasticsearch-errors.ts';
import { retryElasticsearch } from './elasticsearch-retry.ts';
import { validateIndexPrefix } from '../config/index-prefix.ts';
import { deadLetterIndex, executionsIndex } from './index-names.ts';

export interface IlmOptions {
  enabled: boolean;
  /**
   * Age at which a monthly index is deleted, counted from the end of its month (see LogIndexCreator),
   * so that its newest line is kept that long.
   */
  deleteAfterDays: number;
}

export interface TemplateOptions {
  prefix: string;
  /** No lifecycle policy unless given and enabled: deleting data is the operator's decision. */
  ilm?: IlmOptions;
  logger?: Logger;
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

const COMPONENTS = ['settings', 'ecs', 'talend'] as const;
/** Answers per client, so that a process probes its cluster once. */
const matchOnlyTextSupport = new WeakMap<Client, boolean>();
const ingestPipelineSupport = new WeakMap<Client, boolean>();

/**
 * Installs or updates the logs' ingest pipeline (where the cluster has ingest processors), the component
 * templates, the index templates of the log, dead-letter and executions indices and, where the cluster
 * has ILM and it is enabled, the lifecycle policy. Idempotent: every
 * call puts the same definitions. Existing indices keep their mappings; the next monthly index
 * picks up the change.
 */
export async function installTemplates(
  client: Client,
  options: TemplateOptions,
): Promise<TemplateInstallReport> {
  const prefix = validateIndexPrefix(options.prefix);
  const logger = options.logger ?? silentLogger;
  const params = mappingParams(prefix);
  const report: TemplateInstallReport = { componentTemplates: [], indexTemplates: [], textFallback: false };

  // Before the settings that name it: a log index created in between would fail every write.
  if (await supportsIngestPipeline(client, params, logger)) {
    await put(client, `ingest pipeline ${params.ingestPipeline}`, () =>
      client.ingest.putPipeline({ id: params.ingestPipeline, ...loadMapping(INGEST_PIPELINE_FILE, params) }),
    );
    report.ingestPipeline = params.ingestPipeline;
  }

  const policy = options.ilm?.enabled
    ? await installIlmPolicy(client, prefix, options.ilm, logger)
    : undefined;
  if (policy !== undefined) report.ilmPolicy = policy;

  const textFallback = !(await supportsMatchOnlyText(client, prefix, logger));
  report.textFallback = textFallback;
  for (const component of COMPONENTS) {
    const name = `${prefix}-logs-${component}`;
    const body = withTextFallback(loadMapping(`talend-logs-${component}.json`, params), textFallback);
    if (component === 'settings') {
      const { index } = (body.template as { settings: { index: Record<string, unknown> } }).settings;
      if (policy !== undefined) index.lifecycle = { name: policy };
      if (report.ingestPipeline === undefined) delete index.default_pipeline;
    }
    await put(client, `component template ${name}`, () =>
      client.cluster.putComponentTemplate({ name, ...body }),
    );
    report.componentTemplates.push(name);
  }
  for (const [name, file] of indexTemplates(prefix)) {
    const body = withTextFallback(loadMapping(file, params), textFallback);
    await put(client, `index template ${name}`, () => client.indices.putIndexTemplate({ name, ...body }));
    report.indexTemplates.push(name);
  }
  await updateDeadLetterMapping(client, prefix, textFallback);
  logger.info({ prefix, ...report }, 'Elasticsearch templates installed');
  return report;
}

/**
 * Installs the templates only when one is missing or older than ours: what every run does at start,
 * cheaply, without overwriting an operator's deliberate edits of the same version.
 */
export async function ensureTemplates(
  client: Client,
  options: TemplateOptions,
): Promise<TemplateInstallReport | undefined> {
  const prefix = validateIndexPrefix(options.prefix);
  const params = mappingParams(prefix);
  const wanted = [
    {
      name: params.ingestPipeline,
      kind: 'pipeline' as const,
      version: versionOf(loadMapping(INGEST_PIPELINE_FILE, params)),
    },
    ...COMPONENTS.map((component) => ({
      name: `${prefix}-logs-${component}`,
      kind: 'component' as const,
      version: versionOf(loadMapping(`talend-logs-${component}.json`, params)),
    })),
    ...indexTemplates(prefix).map(([name, file]) => ({
      name,
      kind: 'index' as const,
      version: versionOf(loadMapping(file, params)),
    })),
  ];
  for (const { name, kind, version } of wanted) {
    let installed: unknown;
    try {
      installed = await retryElasticsearch(client, `the check of ${kind} ${name}`, () =>
        installedVersion(client, kind, name),
      );
    } catch (error) {
      // The least-privilege role of `sync` cannot read templates (README, "Elasticsearch roles"):
      // `setup`, which can, has installed them.
      if (statusOf(error) !== 403) throw error;
      (options.logger ?? silentLogger).warn(
        { template: name, reason: describeError(error) },
        `Not allowed to read template ${name}: assuming \`talend-logs setup\` installed the templates`,
      );
      return undefined;
    }
    if (installed === undefined || installed === null || Number(installed) < version) {
      // A cluster without ingest processors has no pipeline for good: not a reason to install again.
      if (
        kind === 'pipeline' &&
        !(await supportsIngestPipeline(client, params, options.logger ?? silentLogger))
      ) {
        continue;
      }
      return installTemplates(client, options);
    }
  }
  return undefined;
}

/** The version of an installed definition; undefined (or null) when it is missing or has none. */
async function installedVersion(
  client: Client,
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

/** The placeholders of the files of mappings/. */
interface MappingParams extends Record<string, string> {
  prefix: string;
  ingestPipeline: string;
}

function mappingParams(prefix: string): MappingParams {
  return { prefix, ingestPipeline: `${prefix}-logs-ingested` };
}

/** Index templates by name, with the file of mappings/ that defines each. */
function indexTemplates(prefix: string): [name: string, file: string][] {
  return [
    [`${prefix}-logs`, 'talend-logs.json'],
    [deadLetterIndex(prefix), 'talend-deadletter.json'],
    [executionsIndex(prefix), 'talend-executions.json'],
  ];
}

/**
 * The dead-letter index is one index, not one a month: a new version of its template would never
 * reach it. Its fields are only ever added, which an existing index accepts.
 */
async function updateDeadLetterMapping(client: Client, prefix: string, textFallback: boolean): Promise<void> {
  const index = deadLetterIndex(prefix);
  const { template } = withTextFallback(loadMapping('talend-deadletter.json', { prefix }), textFallback) as {
    template: { mappings: Omit<estypes.IndicesPutMappingRequest, 'index'> };
  };
  await put(client, `mapping of index ${index}`, () =>
    client.indices.putMapping({ index, ...template.mappings }, { ignore: [404] }),
  );
}

async function installIlmPolicy(
  client: Client,
  prefix: string,
  ilm: IlmOptions,
  logger: Logger,
): Promise<string | undefined> {
  try {
    await retryElasticsearch(client, 'the ILM status', () => client.ilm.getStatus());
  } catch (error) {
    if (error instanceof ElasticsearchUnavailableError) throw error;
    logger.info(
      { reason: describeError(error) },
      'Elasticsearch has no index lifecycle management (ILM): log indices are kept until deleted by hand',
    );
    return undefined;
  }
  const name = `${prefix}-logs-policy`;
  const params = { prefix, deleteAfterDays: String(ilm.deleteAfterDays) };
  const { policy } = loadMapping('talend-logs-ilm.json', params) as { policy: estypes.IlmPolicy };
  await put(client, `lifecycle policy ${name}`, () => client.ilm.putLifecycle({ name, policy }));
  return name;
}

/**
 * `match_only_text` lives in the mapper-extras module, which some minimal clusters (our local test
 * node among them) do not load. Probed by putting the ECS component template itself: its refusal
 * names the type.
 */
function supportsMatchOnlyText(client: Client, prefix: string, logger: Logger): Promise<boolean> {
  const name = `${prefix}-logs-ecs`;
  return probe(client, matchOnlyTextSupport, {
    what: `component template ${name}`,
    put: () =>
      client.cluster.putComponentTemplate({ name, ...loadMapping('talend-logs-ecs.json', { prefix }) }),
    refusal: 'match_only_text',
    fallback: () =>
      logger.info(
        'Elasticsearch has no match_only_text (mapper-extras module missing): mapping messages as text without norms',
      ),
  });
}

/**
 * Ingest processors live in the ingest-common module, which minimal clusters (our local test node
 * among them) do not load. Probed by putting the pipeline itself: its refusal names the processor.
 */
function supportsIngestPipeline(client: Client, params: MappingParams, logger: Logger): Promise<boolean> {
  const name = params.ingestPipeline;
  return probe(client, ingestPipelineSupport, {
    what: `ingest pipeline ${name}`,
    put: () => client.ingest.putPipeline({ id: name, ...loadMapping(INGEST_PIPELINE_FILE, params) }),
    refusal: 'No processor type exists',
    fallback: () =>
      logger.info(
        { pipeline: name },
        'Elasticsearch has no ingest processors (ingest-common module missing): log documents get no event.ingested',
      ),
  });
}

/**
 * Whether the cluster accepts a definition that needs an optional module, remembered per client: a
 * refusal that names the missing part means no, calls `fallback` once, and is no error.
 */
async function probe(
  client: Client,
  answers: WeakMap<Client, boolean>,
  {
    what,
    put,
    refusal,
    fallback,
  }: { what: string; put: () => Promise<unknown>; refusal: string; fallback: () => void },
): Promise<boolean> {
  const known = answers.get(client);
  if (known !== undefined) return known;
  let supported = true;
  try {
    await retryElasticsearch(client, `the probe with ${what}`, put);
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
  answers.set(client, supported);
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
async function put(client: Client, what: string, request: () => Promise<unknown>): Promise<void> {
  try {
    await retryElasticsearch(client, `the ${what}`, request);
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

/** The JSON files of `mappings/`, at the package root, placeholders filled in. */
function loadMapping(file: string, params: Record<string, string>): Record<string, unknown> {
  const text = readFileSync(packageFile('mappings', file), 'utf8').replace(
    /\{\{(\w+)\}\}/g,
    (placeholder, key: string) => params[key] ?? placeholder,
  );
  return JSON.parse(text) as Record<string, unknown>;
}
