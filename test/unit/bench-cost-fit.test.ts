import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costFit, leastSquares } from '../../bench/support/cost-fit.ts';

const close = (actual: number, expected: number, what: string) =>
  assert.ok(
    Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
    `${what}: ${actual} ≠ ${expected}`,
  );

describe('bench cost fit', () => {
  it('recovers the coefficients of points on a plane, at the scales of a benchmark', () => {
    // 0.3 s to start, 4 µs a document, 12 ms an execution.
    const cpu = (documents: number, executions: number) => 0.3 + 4e-6 * documents + 0.012 * executions;
    const shapes = [
      [1_000_000, 1],
      [1_000_000, 200],
      [200_000, 2_000],
      [100_000, 1],
      [5_000_000, 1],
    ] as const;
    const fit = costFit(
      shapes.map(([documents, executions]) => ({
        documents,
        executions,
        cpuSeconds: cpu(documents, executions),
      })),
    );
    close(fit.startupSeconds, 0.3, 'startup');
    close(fit.microsecondsPerDocument, 4, 'per document');
    close(fit.millisecondsPerExecution, 12, 'per execution');
    assert.equal(fit.runs, 5);
  });

  it('minimises the squared residuals when the points are off the line', () => {
    // y = c0 + c1 x through (0, 0), (1, 1), (2, 1), (3, 2): c1 = 0.6, c0 = 0.1 by the normal equations.
    const [c0, c1] = leastSquares([
      { x: [0], y: 0 },
      { x: [1], y: 1 },
      { x: [2], y: 1 },
      { x: [3], y: 2 },
    ]);
    close(c0!, 0.1, 'intercept');
    close(c1!, 0.6, 'slope');
  });

  it('refuses points that cannot tell the coefficients apart', () => {
    assert.throws(
      () =>
        leastSquares([
          { x: [1, 1], y: 1 },
          { x: [2, 2], y: 2 },
        ]),
      /cannot fit/,
    );
    // Executions always one per 5,000 documents: documents and executions cannot be told apart.
    const collinear = [1, 2, 3, 4].map((n) => ({ documents: n * 5_000, executions: n, cpuSeconds: n }));
    assert.throws(() => costFit(collinear), /do not tell the coefficients apart/);
  });
});
