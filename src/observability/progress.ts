import type { Logger } from './logger.ts';
import type { RunStats } from './run-stats.ts';
import { stderrStatusLine, type StatusLine } from './status-line.ts';

/** On a terminal, the progress line is redrawn this often: twice a second. */
const REDRAW_MS = 500;
/** Off a terminal, `--progress` logs the same counts this often, and once at the end. */
const LOG_EVERY_MS = 10_000;

/**
 * The progress of a run on stderr. On a terminal, a single status line redrawn in place, with log
 * lines written above it (see StatusLine), never into it. Elsewhere, where a redrawn line would be
 * control characters in a log file, one log line (ECS JSON, `message: "progress"`) every ten seconds
 * and one at the end. The documents count moves as Elasticsearch acknowledges them, within a chunk.
 */
export function startProgress(
  stats: RunStats,
  logger: Logger,
  line: StatusLine = stderrStatusLine,
): () => void {
  const counts = () => ({
    executionsFinished:
      stats.executionsDone +
      stats.executionsStillRunning +
      stats.executionsSyncFailed +
      stats.executionsGivenUp,
    executionsPlanned: stats.executionsPlanned,
    chunks: stats.chunks,
    documentsAcknowledged: stats.acknowledgedSoFar,
    deadLetters: stats.deadLetters,
    documentsPerSecond: Math.round(
      stats.acknowledgedSoFar / Math.max(1, (Date.now() - stats.startedAt) / 1000),
    ),
  });
  const draw = line.onTerminal
    ? () => {
        const now = counts();
        line.show(
          `executions ${now.executionsFinished}/${now.executionsPlanned}  chunks ${now.chunks}` +
            `  documents ${now.documentsAcknowledged}  dead letters ${now.deadLetters}` +
            `  ${now.documentsPerSecond}/s`,
        );
      }
    : () => logger.info(counts(), 'progress');
  const timer = setInterval(draw, line.onTerminal ? REDRAW_MS : LOG_EVERY_MS);
  timer.unref();
  return () => {
    clearInterval(timer);
    draw();
    line.end();
  };
}
