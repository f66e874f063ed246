import type { RunSummary } from './run-stats.ts';

/** The run summary as a small table for people at a terminal. */
export function summaryTable(summary: RunSummary, outcome: string): string {
  const mebibytes = (summary.bytes / 1024 / 1024).toFixed(1);
  const rows: [string, string | number][] = [
    ['outcome', outcome],
    [
      'tasks',
      summary.tasksSkippedLeased
        ? `${summary.tasks} (${summary.tasksSkippedLeased} leased by another run)`
        : summary.tasks,
    ],
    [
      'executions',
      `${summary.executions.completed} done, ${summary.executions.partial} with dead letters, ` +
        `${summary.executions.failed} failed, ${summary.executions.abandoned} given up (of ${summary.executions.planned})`,
    ],
    ['chunks', summary.chunks],
    ['lines read', summary.lines],
    ['documents', summary.documents],
    ['dead letters', summary.deadLetters],
    ['overlap skipped', summary.skippedOverlap],
    ['downloaded', `${mebibytes} MiB`],
    ['retries', `talend ${summary.retries.talend}, elasticsearch ${summary.retries.elasticsearch}`],
    ['duration', `${(summary.durationMs / 1000).toFixed(1)} s`],
    ['throughput', `${summary.documentsPerSecond} documents/s`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const lines = rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`);
  for (const failure of summary.failures) {
    lines.push(`  ! ${failure.executionId ?? failure.taskId ?? ''}: ${failure.error}`);
  }
  for (const run of summary.deadLetterRuns) {
    lines.push(`  ! ${run.executionId}: ${run.deadLetters} lines in the dead-letter index`);
  }
  return lines.join('\n');
}

/** One JSON line for log shippers when nobody is watching. */
export function summaryJson(summary: RunSummary, outcome: string): string {
  return JSON.stringify({ msg: 'run summary', outcome, ...summary });
}
