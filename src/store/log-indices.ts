import { errors } from '@elastic/elasticsearch';
import { describeError } from '../common/errors.ts';
import type { ElasticsearchStore } from './elasticsearch-store.ts';

/**
 * Creates each monthly log index before its first document, with `index.lifecycle.origination_date`
 * at the end of its month. ILM's `min_age` then counts from the newest line the index can hold, so
 * `--ilm-delete-after 90d` keeps every line at least 90 days. Created by its first write instead, an
 * index ages from when its month's first line arrived, and its last lines would go a month early.
 * (`index.lifecycle.parse_origination_date` would not do: it reads a day from the name, and the
 * name's month start is the oldest line, not the newest.)
 */
export class LogIndexCreator {
  /** Per index, the creation under way or done in this process. */
  private readonly created = new Map<string, Promise<void>>();

  constructor(private readonly store: ElasticsearchStore) {}

  /**
   * Resolves once every index named exists, or is left to be created by its first write. Never
   * rejects: what stops a write is for the bulk request that follows to find and report.
   */
  async ensure(indices: Iterable<string>): Promise<void> {
    await Promise.all([...new Set(indices)].map((index) => this.ensureOne(index)));
  }

  private ensureOne(index: string): Promise<void> {
    const known = this.created.get(index);
    if (known !== undefined) return known;
    const originationDate = this.store.names.logsIndexMonthEnd(index);
    if (originationDate === undefined) return Promise.resolve();
    const creation = this.create(index, originationDate);
    this.created.set(index, creation);
    return creation;
  }

  private async create(index: string, originationDate: number): Promise<void> {
    try {
      await this.store.client.indices.create(
        { index, settings: { 'index.lifecycle.origination_date': originationDate } },
        { maxRetries: 0 },
      );
    } catch (error) {
      if (
        error instanceof errors.ResponseError &&
        error.body?.error?.type === 'resource_already_exists_exception'
      )
        return;
      // Unreachable: the bulk request that follows rides the outage out under its own retry policy,
      // and the next batch for the index tries again. Refused (a privilege missing, a cluster without
      // the setting): the first write creates the index, or says what stops it.
      const unreachable = !(error instanceof errors.ResponseError);
      if (unreachable) this.created.delete(index);
      this.store.logger.warn(
        { index, reason: describeError(error) },
        'could not create the log index with its month end as lifecycle origination date' +
          (unreachable ? '; trying again with its next documents' : ': its age counts from its first write'),
      );
    }
  }
}
