import type { RunStats } from './run-stats.ts';

/**
 * A single status line on stderr, redrawn twice a second, only on a terminal: unattended runs get
 * the JSON summary instead, and no control characters in their logs.
 */
export function startProgress(stats: RunStats, stream: NodeJS.WriteStream = process.stderr): () => void {
  if (!stream.isTTY) return () => undefined;
  const draw = () => {
    const seconds = Math.max(1, (Date.now() - stats.startedAt) / 1000);
    const line =
      `executions ${stats.executionsCompleted + stats.executionsPartial}/${stats.executionsPlanned}` +
      `  chunks ${stats.chunks}  documents ${stats.documents}  dead letters ${stats.deadLetters}` +
      `  ${Math.round(stats.documents / seconds)}/s`;
    stream.write(`\r${line.slice(0, (stream.columns ?? 120) - 1)}\x1b[K`);
  };
  const timer = setInterval(draw, 500);
  timer.unref();
  return () => {
    clearInterval(timer);
    draw();
    stream.write('\n');
  };
}
