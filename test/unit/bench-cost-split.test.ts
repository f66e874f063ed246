import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costSplit } from '../../bench/support/cost-split.ts';

describe('bench cost split', () => {
  it('takes the cost of a document from the one-execution run and of an execution from the others', () => {
    // 8 µs a document; executions of the second data set cost 3.5 ms each, of the third 20 ms.
    const split = costSplit([
      { label: 'one', documents: 1_000_000, executions: 1, cpuSeconds: 8 },
      { label: 'small', documents: 200_000, executions: 2_000, cpuSeconds: 1.6 + 7 },
      { label: 'many', documents: 1_000_000, executions: 200, cpuSeconds: 8 + 4 },
    ]);
    assert.equal(split.perDocumentFrom, 'one');
    assert.equal(split.microsecondsPerDocument, 8);
    assert.deepEqual(split.perExecution, [
      { label: 'small', millisecondsPerExecution: 3.5 },
      { label: 'many', millisecondsPerExecution: 20 },
    ]);
  });

  it('needs a run of one execution', () => {
    assert.throws(
      () => costSplit([{ label: 'x', documents: 10, executions: 2, cpuSeconds: 1 }]),
      /no run of one execution/,
    );
  });
});
