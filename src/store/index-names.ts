/** The alias covering every monthly log index: what users search and what Kibana's data view targets. */
export function logsAlias(prefix: string): string {
  return `${prefix}-logs`;
}

/** One document per execution, `_id` = the execution id: the latest state of every run. */
export function executionsIndex(prefix: string): string {
  return `${prefix}-executions`;
}

export function deadLetterIndex(prefix: string): string {
  return `${prefix}-deadletter`;
}

/** Monthly (UTC) so that one line always lands in the same index whatever run or chunk carries it. */
export function logsIndexName(prefix: string, timestampMs: number): string {
  const date = new Date(timestampMs);
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  return `${prefix}-logs-${String(date.getUTCFullYear()).padStart(4, '0')}.${month}`;
}

/**
 * The first instant after the month a monthly log index covers (`<prefix>-logs-YYYY.MM`): no line of
 * it is newer. Undefined for any other name.
 */
export function logsIndexMonthEnd(index: string): number | undefined {
  const month = /-logs-(\d{4})\.(\d{2})$/.exec(index);
  return month === null ? undefined : Date.UTC(Number(month[1]), Number(month[2]), 1);
}

/** `logsIndexName` for a stream of mostly consecutive timestamps: recomputes only at month boundaries. */
export class MonthlyIndexNames {
  private from = 0;
  private to = -1;
  private name = '';

  constructor(private readonly prefix: string) {}

  forTimestamp(timestampMs: number): string {
    if (timestampMs < this.from || timestampMs >= this.to) {
      const date = new Date(timestampMs);
      this.from = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
      this.to = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
      this.name = logsIndexName(this.prefix, timestampMs);
    }
    return this.name;
  }
}
