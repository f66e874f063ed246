import type { RunStats } from './run-stats.ts';
import { stderrStatusLine, type StatusLine } from './status-line.ts';

/**
 * A single status line on stderr, redrawn twice a second, only on a terminal: unattended runs get
 * the JSON summary instead, and no control characters in their logs. Log lines are written above it
 * (see StatusLine), never into it.
 */
export function startProgress(stats: RunStats, line: StatusLine = stderrStatusLine): () => void {
  if (!line.onTerminal) return () => undefined;
  const draw = () => {
    const seconds = Math.max(1, (Date.now() - stats.startedAt) / 1000);
    line.show(
      `executions ${stats.executionsCompleted + stats.executionsPartial}/${stats.executionsPlanned}` +
        `  chunks ${stats.chunks}  documents ${stats.documents}  dead letters ${stats.deadLetters}` +
        `  ${Math.round(stats.documents / seconds)}/s`,
    );
  };
  const timer = setInterval(draw, 500);
  timer.unref();
  return () => {
    clearInterval(timer);
    draw();
    line.end();
  };
}
