/** The probe's report for people at a terminal: one block per open point. */
import type { PointName, ProbeReport } from './report.ts';

const TITLES: Record<PointName, string> = {
  listingFilter: 'Listing from/to filter on',
  listingOrder: 'Listing order',
  listingTotal: 'Listing total',
  statusValues: 'Status values',
  terminalWithoutFinish: 'Ended runs without finishTimestamp: their log',
  rejectedRuns: 'Rejected runs',
  logFileShape: 'Log file shape',
  logCompression: 'Log file compression',
  logTimestamp: 'logTimestamp type',
  nextEndTime: 'X-Log-Next-Request-End-Time format',
  endTimeBoundary: 'Generate endTime boundary',
  retryAfter: '429 Retry-After header',
  statusBody: '/logs/status token body',
};

export function renderText(report: ProbeReport): string {
  const { probe } = report;
  const lines = [
    `talend-logs probe ${probe.version} against ${probe.apiUrl}, ${probe.startedAt} to ${probe.finishedAt}`,
    `${probe.tasksListed} of ${probe.tasksSelected} tasks listed, ${probe.executionsSeen} runs seen over the last ${probe.lastDays} days`,
    ...(probe.failedTasks ?? []).map(
      (failed) => `  listing failed for task ${failed.taskId}: ${failed.error}`,
    ),
    '',
  ];
  for (const [name, point] of Object.entries(report.points) as [
    PointName,
    ProbeReport['points'][PointName],
  ][]) {
    lines.push(`${TITLES[name].padEnd(46)} ${point.result}`);
    if (point.reason !== undefined) lines.push(`    ${point.reason}`);
    for (const [key, value] of Object.entries(point.evidence ?? {})) {
      lines.push(`    ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
    }
  }
  lines.push(
    '',
    'Attach "talend-logs probe --json" to bug reports: it holds no token, URL query or log message.',
  );
  return lines.join('\n');
}
