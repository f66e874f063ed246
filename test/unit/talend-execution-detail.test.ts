import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TalendExecutionDetail } from '../../src/contracts/talend-api.ts';
import { executionFromDetail } from '../../src/talend/index.ts';

const DETAIL: TalendExecutionDetail = {
  executionId: 'exec-1',
  status: 'execution_failed',
  executionStatus: 'EXECUTION_FAILED',
  executionType: 'SCHEDULED',
  triggerTimestamp: '2026-03-01T09:00:00Z',
  startTimestamp: '2026-03-01T09:00:05Z',
  finishTimestamp: '2026-03-01T09:10:05Z',
  userId: 'user-1',
  userType: 'SERVICE',
  accountId: 'account-1',
  workspaceId: 'ws-1',
  environmentVersion: '1.3',
  executionDestination: 'REMOTE_ENGINE',
  jobId: 'job-1',
  jobVersion: '0.1.0',
  remoteEngineId: 'engine-1',
  runProfileId: 'profile-1',
  numberOfProcessedRows: 10,
  errorMessage: 'tMap_1 failed',
  misfiredExecutionReason: 'UNKNOWN',
  timeout: 30,
};

describe('executionFromDetail', () => {
  it('reads a detail as a listing item of the task that tracked it, engine from what the detail declares', () => {
    assert.deepEqual(executionFromDetail(DETAIL, 'task-1'), {
      executionId: 'exec-1',
      taskId: 'task-1',
      executionType: 'SCHEDULED',
      status: 'execution_failed',
      executionStatus: 'EXECUTION_FAILED',
      startTimestamp: '2026-03-01T09:00:05Z',
      triggerTimestamp: '2026-03-01T09:00:00Z',
      finishTimestamp: '2026-03-01T09:10:05Z',
      userId: 'user-1',
      userType: 'SERVICE',
      runtime: { type: 'REMOTE_ENGINE', id: 'engine-1', engineId: 'engine-1', runProfileId: 'profile-1' },
      errorMessage: 'tMap_1 failed',
      misfiredExecutionReason: 'UNKNOWN',
      timeout: 30,
    });
  });

  it('names the cluster as the runtime of a cluster run, and gives none when the detail says nothing of one', () => {
    const clustered = executionFromDetail(
      { ...DETAIL, executionDestination: 'REMOTE_ENGINE_CLUSTER', remoteEngineClusterId: 'cluster-1' },
      'task-1',
    );
    assert.deepEqual(clustered.runtime, {
      type: 'REMOTE_ENGINE_CLUSTER',
      id: 'cluster-1',
      engineId: 'engine-1',
      clusterId: 'cluster-1',
      runProfileId: 'profile-1',
    });
    assert.deepEqual(
      executionFromDetail(
        { ...DETAIL, executionDestination: 'CLOUD', remoteEngineId: undefined, runProfileId: undefined },
        't',
      ).runtime,
      {
        type: 'CLOUD',
      },
    );
    const bare = { executionId: 'exec-2', status: 'executing' };
    assert.equal(executionFromDetail(bare, 't').runtime, undefined);
  });
});
