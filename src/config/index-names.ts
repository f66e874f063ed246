/**
 * Every name we give in Elasticsearch, derived from the index prefix: indices, the alias and the
 * patterns that reach the monthly log indices, templates, the ingest pipeline and the lifecycle
 * policy. The only place that spells one, so that the store, Kibana's data views and the prefix
 * rule agree.
 */
export interface IndexNames {
  readonly prefix: string;
  /** The alias over every monthly log index: what users search and what Kibana's log data view targets. */
  readonly logsAlias: string;
  /** Every monthly log index, for searches and refreshes that must not depend on the alias. */
  readonly logsPattern: string;
  /** One document per execution, `_id` = the execution id: the latest state of every run. */
  readonly executions: string;
  /** Lines set aside, with why. */
  readonly deadLetters: string;
  /** Checkpoints and leases. */
  readonly state: string;
  /** Index templates, with the file of mappings/ that defines each. */
  readonly indexTemplates: readonly { name: string; file: string }[];
  /** The log indices' component templates, by part. */
  readonly componentTemplates: Readonly<Record<LogComponent, string>>;
  /** Sets `event.ingested`: the log indices' default pipeline. */
  readonly ingestPipeline: string;
  readonly ilmPolicy: string;
  /** The data views' patterns: the log data view's covers the monthly indices and their alias alike. */
  readonly dataViewPatterns: readonly string[];
  /** The monthly (UTC) log index of a line: the same line always lands in the same index. */
  logsIndex(timestampMs: number): string;
  /**
   * The first instant after the month a monthly log index of ours covers: no line of it is newer.
   * Undefined for any other name.
   */
  logsIndexMonthEnd(index: string): number | undefined;
  /** Every distinct name above that Elasticsearch stores (the monthly log index for the year 9999). */
  all(): string[];
}

export const LOG_COMPONENTS = ['settings', 'ecs', 'talend'] as const;
export type LogComponent = (typeof LOG_COMPONENTS)[number];

export function indexNames(prefix: string): IndexNames {
  const logsAlias = `${prefix}-logs`;
  const executions = `${prefix}-executions`;
  const deadLetters = `${prefix}-deadletter`;
  const componentTemplates = Object.fromEntries(
    LOG_COMPONENTS.map((component) => [component, `${logsAlias}-${component}`]),
  ) as Record<LogComponent, string>;
  const monthly = new RegExp(`^${escapeRegExp(logsAlias)}-(\\d{4})\\.(\\d{2})$`);
  const names: IndexNames = {
    prefix,
    logsAlias,
    logsPattern: `${logsAlias}-*`,
    executions,
    deadLetters,
    state: `${prefix}-state`,
    indexTemplates: [
      { name: logsAlias, file: 'talend-logs.json' },
      { name: deadLetters, file: 'talend-deadletter.json' },
      { name: executions, file: 'talend-executions.json' },
    ],
    componentTemplates,
    ingestPipeline: `${logsAlias}-ingested`,
    ilmPolicy: `${logsAlias}-policy`,
    dataViewPatterns: [`${logsAlias}*`, `${executions}*`],
    logsIndex(timestampMs) {
      const date = new Date(timestampMs);
      const month = String(date.getUTCMonth() + 1).padStart(2, '0');
      return `${logsAlias}-${String(date.getUTCFullYear()).padStart(4, '0')}.${month}`;
    },
    logsIndexMonthEnd(index) {
      const month = monthly.exec(index);
      return month === null ? undefined : Date.UTC(Number(month[1]), Number(month[2]), 1);
    },
    all() {
      const every = [
        names.logsAlias,
        names.logsIndex(Date.UTC(9999, 11, 1)),
        names.executions,
        names.deadLetters,
        names.state,
        ...names.indexTemplates.map((template) => template.name),
        ...Object.values(names.componentTemplates),
        names.ingestPipeline,
        names.ilmPolicy,
      ];
      return [...new Set(every)];
    },
  };
  return names;
}

/** `logsIndex` for a stream of mostly consecutive timestamps: recomputes only at month boundaries. */
export class MonthlyIndexNames {
  private from = 0;
  private to = -1;
  private name = '';

  constructor(private readonly names: IndexNames) {}

  forTimestamp(timestampMs: number): string {
    if (timestampMs < this.from || timestampMs >= this.to) {
      const date = new Date(timestampMs);
      this.from = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
      this.to = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
      this.name = this.names.logsIndex(timestampMs);
    }
    return this.name;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
