import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExecutionContext } from '../../src/documents/shapes.ts';
import { executionContextOf, talendContext } from '../../src/documents/talend-context.ts';

describe('the context of a replayed line', () => {
  it('is read back from talend.* as it was written there', () => {
    const full: ExecutionContext = {
      taskId: 't',
      taskName: 'Orders',
      executionId: 'e',
      workspaceId: 'w',
      workspaceName: 'Finance',
      environmentId: 'env',
      environmentName: 'Production',
      status: 'execution_successful',
      executionType: 'MANUAL',
      triggerTimestamp: '2026-01-01T00:00:00.000Z',
      startTimestamp: '2026-01-01T00:00:01.000Z',
      finishTimestamp: '2026-01-01T00:10:00.000Z',
      runtime: { type: 'REMOTE_ENGINE', id: 'r', engineId: 'eng', clusterId: 'c', runProfileId: 'p' },
    };
    const bare: ExecutionContext = { taskId: 't', executionId: 'e' };
    for (const context of [full, bare]) {
      const talend = talendContext(context);
      assert.deepEqual(talendContext(executionContextOf(talend)), talend);
    }
  });
});
