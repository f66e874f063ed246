import type { ExecutionContext } from '../../src/documents/shapes.ts';
import { executionContext } from '../../src/documents/execution-context.ts';
import { createTalendClient } from '../../src/talend/index.ts';
import type { RunningSimulator } from '../../src/simulator/index.ts';
import { DEFAULTS } from '../../test/support/config.ts';
import { BENCH_TOKEN } from './scenarios.ts';

const WINDOW_MS = 3 * 86_400_000;

/**
 * Each execution's context as the connector builds it: from the tasks and executions the (simulated)
 * Talend API lists, so that the documents built outside the connector are byte for byte its own.
 */
export async function executionContexts(simulator: RunningSimulator): Promise<ExecutionContext[]> {
  const talend = createTalendClient({
    ...DEFAULTS.services.talend.client,
    retry: DEFAULTS.services.talend.retry,
    baseUrl: new URL(simulator.apiUrl),
    auth: { kind: 'pat', token: BENCH_TOKEN },
    rateLimits: { monitoringPerMinute: 0, processingPerMinute: 0, orchestrationPerMinute: 0 },
  });
  try {
    const contexts: ExecutionContext[] = [];
    const now = Date.now();
    for await (const task of talend.listTasks()) {
      const executions = talend.listTaskExecutions(task.executable, { from: now - WINDOW_MS, to: now });
      for await (const execution of executions) contexts.push(executionContext(task, execution));
    }
    return contexts;
  } finally {
    await talend.close();
  }
}
