/**
 * What a document and what an execution cost a process, by subtraction between runs of one machine
 * state: the run of one large execution gives the cost of a document (its start and its one
 * execution spread over a million of them), and each run of many executions, less its documents at
 * that cost, gives what an execution costs beyond its documents. A least-squares line through the
 * three data sets did not hold: 200 executions of 5,000 lines cost half as much again per document as
 * one of 1,000,000, and the fit answered with a negative start.
 */

export interface CostRun {
  label: string;
  documents: number;
  executions: number;
  cpuSeconds: number;
}

export interface CostSplit {
  /** The run of one execution it is taken from. */
  perDocumentFrom: string;
  microsecondsPerDocument: number;
  /** Per run of many executions: milliseconds an execution costs beyond its documents. */
  perExecution: { label: string; millisecondsPerExecution: number }[];
}

export function costSplit(runs: readonly CostRun[]): CostSplit {
  const single = runs.find((run) => run.executions === 1);
  if (single === undefined) throw new Error('no run of one execution to take the cost of a document from');
  const perDocument = single.cpuSeconds / single.documents;
  return {
    perDocumentFrom: single.label,
    microsecondsPerDocument: Number((perDocument * 1e6).toFixed(2)),
    perExecution: runs
      .filter((run) => run.executions > 1)
      .map((run) => ({
        label: run.label,
        millisecondsPerExecution: Number(
          (((run.cpuSeconds - run.documents * perDocument) / run.executions) * 1e3).toFixed(2),
        ),
      })),
  };
}
