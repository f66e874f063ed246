import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client, estypes } from '@elastic/elasticsearch';
import { describeError } from '../common/errors.ts';
import { silentLogger, type Logger } from '../observability/logger.ts';
import { ElasticsearchWriteError } from './elasticsearch-errors.ts';
import { deadLetterIndex, validateIndexPrefix } from './index-names.ts';

export interface IlmOptions {
  enabled: boolean;
  /**
   * Age at which a monthly index is deleted, counted from the end of its month (see LogIndexCreator),
   * so that its newest line is kept that long. Default 90.
   */
  deleteAfterDays?: number;
}

export interface TemplateOptions {
  prefix: string;
  /** Off unless asked for: deleting data is the operator's decision. */
  ilm?: IlmOptions;
  logger?: Logger;
}

export interface TemplateInstallReport {
  componentTemplates: string[];
  indexTemplates: string[];
  /** The lifecycle policy installed, if any. */
  ilmPolicy?: string;
  /** `message` is `text` (norms off) because the cluster has no `match_only_text`. */
  textFallback: boolean;
}

const COMPONENTS = ['settings', 'ecs', 'talend'] as const;
const DEFAULT_DELETE_AFTER_DAYS = 90;
/** Answers per client, so that a process probes its cluster once. */
const matchOnlyTextSupport = new WeakMap<Client, boolean>();

/**
 * Installs or updates the component templates, the index templates of the log and dead-letter
 * indices and, where the cluster has ILM and it is enabled, the lifecycle policy. Idempotent: every
 * call puts the same definitions. Existing indices keep their mappings; the next monthly index
 * picks up the change.
 */
export async function installTemplates(
  client: Client,
  options: TemplateOptions,
): Promise<TemplateInstallReport> {
  const prefix = validateIndexPrefix(options.prefix);
  const logger = options.logger ?? silentLogger;
  const report: TemplateInstallReport = { componentTemplates: [], indexTemplates: [], textFallback: false };
  const params = {
    prefix,
    deleteAfterDays: String(options.ilm?.deleteAfterDays ?? DEFAULT_DELETE_AFTER_DAYS),
  };

  const policy = options.ilm?.enabled ? await installIlmPolicy(client, prefix, params, logger) : undefined;
  if (policy !== undefined) report.ilmPolicy = policy;

  const textFallback = !(await supportsMatchOnlyText(client, prefix, logger));
  report.textFallback = textFallback;
  for (const component of COMPONENTS) {
    const name = `${prefix}-logs-${component}`;
    const body = withTextFallback(loadMapping(`talend-logs-${component}.json`, params), textFallback);
    if (component === 'settings' && policy !== undefined) {
      (body.template as { settings: { index: Record<string, unknown> } }).settings.index.lifecycle = {
        name: policy,
      };
    }
    await put(`component template ${name}`, () => client.cluster.putComponentTemplate({ name, ...body }));
    report.componentTemplates.push(name);
  }
  for (const [name, file] of [
    [`${prefix}-logs`, 'talend-logs.json'],
    [deadLetterIndex(prefix), 'talend-deadletter.json'],
  ] as const) {
    const body = withTextFallback(loadMapping(file, params), textFallback);
    await put(`index template ${name}`, () => client.indices.putIndexTemplate({ name, ...body }));
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
  const params = { prefix, deleteAfterDays: '0' };
  const wanted = [
    ...COMPONENTS.map((component) => ({
      name: `${prefix}-logs-${component}`,
      kind: 'component' as const,
      version: versionOf(loadMapping(`talend-logs-${component}.json`, params)),
    })),
    {
      name: `${prefix}-logs`,
      kind: 'index' as const,
      version: versionOf(loadMapping('talend-logs.json', params)),
    },
    {
      name: `${prefix}-deadletter`,
      kind: 'index' as const,
      version: versionOf(loadMapping('talend-deadletter.json', params)),
    },
  ];
  for (const { name, kind, version } of wanted) {
    const installed =
      kind === 'component'
        ? (await client.cluster.getComponentTemplate({ name }, { ignore: [404] })).component_templates?.[0]
            ?.component_template.version
        : (await client.indices.getIndexTemplate({ name }, { ignore: [404] })).index_templates?.[0]
            ?.index_template.version;
    if (installed === undefined || installed === null || Number(installed) < version) {
      return installTemplates(client, options);
    }
  }
  return undefined;
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
  await put(`mapping of index ${index}`, () =>
    client.indices.putMapping({ index, ...template.mappings }, { ignore: [404] }),
  );
}

async function installIlmPolicy(
  client: Client,
  prefix: string,
  params: Record<string, string>,
  logger: Logger,
): Promise<string | undefined> {
  try {
    await client.ilm.getStatus();
  } catch (error) {
    logger.info(
      { reason: describeError(error) },
      'Elasticsearch has no index lifecycle management (ILM): log indices are kept until deleted by hand',
    );
    return undefined;
  }
  const name = `${prefix}-logs-policy`;
  const { policy } = loadMapping('talend-logs-ilm.json', params) as { policy: estypes.IlmPolicy };
  await put(`lifecycle policy ${name}`, () => client.ilm.putLifecycle({ name, policy }));
  return name;
}

/**
 * `match_only_text` lives in the mapper-extras module, which some minimal clusters (our local test
 * node among them) do not load. Probed by putting the ECS component template itself: its refusal
 * names the type.
 */
async function supportsMatchOnlyText(client: Client, prefix: string, logger: Logger): Promise<boolean> {
  const known = matchOnlyTextSupport.get(client);
  if (known !== undefined) return known;
  const name = `${prefix}-logs-ecs`;
  let supported = true;
  try {
    await client.cluster.putComponentTemplate({
      name,
      ...loadMapping('talend-logs-ecs.json', { prefix, deleteAfterDays: '0' }),
    });
  } catch (error) {
    if (!describeError(error).includes('match_only_text')) {
      throw new ElasticsearchWriteError(
        `Could not install component template ${name}: ${describeError(error)}`,
        { template: name },
        error,
      );
    }
    supported = false;
    logger.info(
      'Elasticsearch has no match_only_text (mapper-extras module missing): mapping messages as text without norms',
    );
  }
  matchOnlyTextSupport.set(client, supported);
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

async function put(what: string, request: () => Promise<unknown>): Promise<void> {
  try {
    await request();
  } catch (error) {
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

let mappingsDir: string | undefined;

/**
 * The JSON files of `mappings/`, placeholders filled in. The folder sits at the package root, which
 * is two levels up from this file when run from source and three from the compiled `dist/src/store`.
 */
function loadMapping(file: string, params: Record<string, string>): Record<string, unknown> {
  mappingsDir ??= findMappingsDir();
  const text = readFileSync(join(mappingsDir, file), 'utf8').replace(
    /\{\{(\w+)\}\}/g,
    (placeholder, key: string) => params[key] ?? placeholder,
  );
  return JSON.parse(text) as Record<string, unknown>;
}

function findMappingsDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'mappings');
    if (existsSync(join(candidate, 'talend-logs.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir)
      throw new Error('The mappings/ folder of talend-logs-es was not found next to the package');
    dir = parent;
  }
}
