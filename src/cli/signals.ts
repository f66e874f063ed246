import type { Logger } from '../observability/logger.ts';
import { EXIT } from './exit-codes.ts';

/**
 * First SIGINT/SIGTERM: abort the run gracefully (no new work, in-flight work abandoned, acknowledged
 * work committed). A second one exits at once: the checkpoints are still never ahead of the index.
 */
export function abortOnSignals(logger: Logger): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      logger.warn({ signal: name }, 'second signal: exiting now');
      process.exit(EXIT.interrupted);
    }
    logger.warn({ signal: name }, 'stopping: finishing acknowledged work, taking no new work');
    controller.abort(new Error(`received ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
