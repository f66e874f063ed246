/**
 * Where a process's CPU time goes, from many runs of different shapes: a least-squares fit of
 * CPU seconds = c0 + a · documents + b · executions. `a` is the cost of a document, `b` what an
 * execution costs beyond its documents (requests, a file to open, a checkpoint), `c0` the start.
 */

export interface FitPoint {
  x: readonly number[];
  y: number;
}

/**
 * Ordinary least squares with an intercept: the coefficients [c0, c1, ...] minimising
 * Σ (y - c0 - Σ ci · xi)². Columns are scaled to their largest value first, so that documents in the
 * millions and executions in the thousands weigh alike in the elimination.
 */
export function leastSquares(points: readonly FitPoint[]): number[] {
  const width = (points[0]?.x.length ?? 0) + 1;
  if (points.length < width) throw new Error(`${points.length} points cannot fit ${width} coefficients`);
  const rows = points.map((point) => {
    if (point.x.length !== width - 1) throw new Error('every point needs the same number of variables');
    return [1, ...point.x];
  });
  const scale = Array.from(
    { length: width },
    (_, j) => Math.max(...rows.map((row) => Math.abs(row[j]!))) || 1,
  );
  // Normal equations (XᵀX) c = Xᵀy on the scaled columns, solved by Gaussian elimination.
  const matrix = Array.from({ length: width }, (_, i) => {
    const row = Array.from({ length: width }, (_, j) =>
      rows.reduce((sum, r) => sum + (r[i]! / scale[i]!) * (r[j]! / scale[j]!), 0),
    );
    row.push(rows.reduce((sum, r, k) => sum + (r[i]! / scale[i]!) * points[k]!.y, 0));
    return row;
  });
  for (let column = 0; column < width; column++) {
    let pivot = column;
    for (let row = column + 1; row < width; row++) {
      if (Math.abs(matrix[row]![column]!) > Math.abs(matrix[pivot]![column]!)) pivot = row;
    }
    if (Math.abs(matrix[pivot]![column]!) < 1e-12) {
      throw new Error(
        'the points do not tell the coefficients apart (a variable never varies independently)',
      );
    }
    [matrix[column], matrix[pivot]] = [matrix[pivot]!, matrix[column]!];
    for (let row = 0; row < width; row++) {
      if (row === column) continue;
      const factor = matrix[row]![column]! / matrix[column]![column]!;
      for (let j = column; j <= width; j++) matrix[row]![j]! -= factor * matrix[column]![j]!;
    }
  }
  return matrix.map((row, i) => row[width]! / row[i]! / scale[i]!);
}

export interface CostRun {
  documents: number;
  executions: number;
  cpuSeconds: number;
}

export interface CostFit {
  startupSeconds: number;
  microsecondsPerDocument: number;
  millisecondsPerExecution: number;
  runs: number;
}

/** CPU seconds = c0 + a · documents + b · executions over `runs`, in the units RESULTS.md shows. */
export function costFit(runs: readonly CostRun[]): CostFit {
  const [c0, a, b] = leastSquares(
    runs.map((run) => ({ x: [run.documents, run.executions], y: run.cpuSeconds })),
  );
  return {
    startupSeconds: c0!,
    microsecondsPerDocument: a! * 1e6,
    millisecondsPerExecution: b! * 1e3,
    runs: runs.length,
  };
}
