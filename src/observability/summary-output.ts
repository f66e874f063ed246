import type { RunSummary } from './run-stats.ts';

/** The run summary as a small table for people at a terminal. */
export function summaryTable(summary: RunSummary, outcome: string, exitCode: number): string {
  const mebibytes = (summary.bytes / 1024 / 1024).toFixed(1);
  const { executions } = summary;
  const rows: [string, string | number][] = [
    ['outcome', `${outcome} (exit code ${exitCode})`],
    [
      'tasks',
      summary.tasksSkippedLeased
        ? `${summary.tasks} (${summary.tasksSkippedLeased} leased by another run)`
        : summary.tasks,
    ],
    [
      'executions',
      `${executions.planned}: ${executions.done} done, ${executions.stillRunning} still running, ` +
        `${executions.syncFailed} sync failed, ${executions.givenUp} given up`,
    ],
    ['failed at Talend', `${executions.failedAtTalend} of these executions`],
    ['dead-lettered', `lines of ${executions.withDeadLetters} of these executions`],
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
export function summaryJson(summary: RunSummary, outcome: string, exitCode: number): string {
  return JSON.stringify({ msg: 'run summary', outcome, exitCode, ...summary });
}
