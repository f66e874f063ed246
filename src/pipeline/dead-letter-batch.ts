import type { DeadLetter } from '../documents/dead-letter.ts';
import type { DeadLetterWriter } from '../store/dead-letters.ts';

/**
 * The parse and enrich dead letters of one chunk, stored a batch at a time. A line counts as
 * dead-lettered only once its batch is stored.
 */
export class DeadLetterBatch {
  stored = 0;
  private pending: DeadLetter[] = [];

  constructor(
    private readonly writer: DeadLetterWriter,
    private readonly size = 500,
  ) {}

  async add(record: DeadLetter): Promise<void> {
    this.pending.push(record);
    if (this.pending.length >= this.size) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    await this.writer.write(batch);
    this.stored += batch.length;
  }
}
