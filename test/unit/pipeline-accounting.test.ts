import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AccountingError } from '../../src/pipeline/errors.ts';
import { checkAccounting, type ChunkResult } from '../../src/pipeline/ingest-chunk.ts';

describe('chunk accounting', () => {
  const result: ChunkResult = {
    linesRead: 10,
    acknowledged: 6,
    deadLettered: 3,
    skippedOutsideWindow: 1,
    bytes: 100,
    durationMs: 5,
    retries: 0,
  };

  it('passes when every line read is indexed, dead-lettered or skipped', () => {
    assert.doesNotThrow(() => checkAccounting(result, 'exec#0'));
  });

  it('fails loudly when a line is unaccounted for', () => {
    assert.throws(
      () => checkAccounting({ ...result, acknowledged: 5 }, 'exec#0'),
      (error: unknown) =>
        error instanceof AccountingError &&
        /exec#0: 10 lines read but 9 accounted for/.test(error.message) &&
        error.context.linesRead === 10,
    );
  });
});
