import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ECS_VERSION } from '../../src/common/ecs-version.ts';
import type { TalendExecution, TalendExecutionDetail, TalendTask } from '../../src/contracts/talend-api.ts';
import { executionDocument, outcomeOf } from '../../src/documents/execution-document.ts';

const SYNCED = '2026-03-01T10:00:00.000Z';
const TASK: TalendTask = {
  executable: 'task-1',
  name: 'Orders_Load',
  workspace: { id: 'ws-1', name: 'Finance', environment: { id: 'env-1', name: 'Production' } },
};
const BASE: TalendExecution = {
  executionId: 'exec-1',
  taskId: 'task-1',
  executionType: 'SCHEDULED',
  status: 'execution_failed',
  executionStatus: 'EXECUTION_FAILED',
  triggerTimestamp: '2026-03-01T09:00:00Z',
  startTimestamp: '2026-03-01T09:00:05Z',
  finishTimestamp: '2026-03-01T09:10:05Z',
  runtime: { type: 'REMOTE_ENGINE', id: 're-1', engineId: 'eng-1' },
  errorMessage: 'tMap_1: null pointer',
};

describe('executionDocument', () => {
  it("maps a finished run's detail to ECS fields and Talend's state", () => {
    const detail: TalendExecutionDetail = {
      executionId: 'exec-1',
      status: 'execution_failed',
      numberOfProcessedRows: 1_200,
      numberOfRejectedRows: 7,
      errorType: 'EXECUTION_ERROR',
    };
    assert.deepEqual(
      executionDocument({
        taskId: 'task-1',
        executionId: 'exec-1',
        execution: BASE,
        detail,
        task: TASK,
        syncedAt: SYNCED,
      }),
      {
        '@timestamp': '2026-03-01T09:00:00Z',
        event: {
          kind: 'event',
          category: ['process'],
          type: ['end'],
          outcome: 'failure',
          start: '2026-03-01T09:00:05Z',
          end: '2026-03-01T09:10:05Z',
          duration: 600_000 * 1_000_000,
          dataset: 'talend.executions',
          module: 'talend',
        },
        ecs: { version: ECS_VERSION },
        talend: {
          task: { id: 'task-1', name: 'Orders_Load' },
          execution: {
            id: 'exec-1',
            status: 'execution_failed',
            type: 'SCHEDULED',
            trigger_time: '2026-03-01T09:00:00Z',
            start_time: '2026-03-01T09:00:05Z',
            finish_time: '2026-03-01T09:10:05Z',
            duration_ms: 600_000,
            execution_status: 'EXECUTION_FAILED',
            error_message: 'tMap_1: null pointer',
            error_type: 'EXECUTION_ERROR',
            processed_rows: 1_200,
            rejected_rows: 7,
          },
          workspace: { id: 'ws-1', name: 'Finance' },
          environment: { id: 'env-1', name: 'Production' },
          runtime: { type: 'REMOTE_ENGINE', id: 're-1', engine_id: 'eng-1' },
          sync: { last_synced_at: SYNCED },
        },
      },
    );
  });

  it('shows a running run as started, outcome unknown, without end or duration', () => {
    const running: TalendExecution = {
      executionId: 'exec-2',
      taskId: 'task-1',
      status: 'executing',
      executionStatus: 'EXECUTING',
      startTimestamp: '2026-03-01T09:30:00Z',
    };
    const document = executionDocument({
      taskId: 'task-1',
      executionId: 'exec-2',
      execution: running,
      syncedAt: SYNCED,
    });
    assert.equal(
      document['@timestamp'],
      '2026-03-01T09:30:00Z',
      'the start time when there is no trigger time',
    );
    assert.deepEqual(document.event?.type, ['start']);
    assert.equal(document.event?.outcome, 'unknown');
    assert.equal(document.event?.end, undefined);
    assert.equal(document.event?.duration, undefined);
    assert.equal(document.talend.execution.duration_ms, undefined);
  });

  it('adds what the indices hold: lines per level, errors, dead letters, chunks, bytes and the indexing state', () => {
    const document = executionDocument({
      taskId: 'task-1',
      executionId: 'exec-1',
      execution: BASE,
      indexed: {
        lines: {
          total: 120,
          byLevel: { info: 100, warn: 10, error: 8, fatal: 1, severe: 1 },
          firstError: 'java.sql.SQLException: refused',
          firstAt: '2026-03-01T09:00:06.000Z',
          lastAt: '2026-03-01T09:10:04.000Z',
        },
        progress: { done: true, deadLetters: 2, chunks: 3, bytes: 4_096 },
      },
      syncedAt: SYNCED,
    });
    assert.deepEqual(document.talend.lines, {
      total: 120,
      errors: 10,
      by_level: { info: 100, warn: 10, error: 8, fatal: 1, severe: 1 },
      dead_letters: 2,
      first_error: 'java.sql.SQLException: refused',
      first_at: '2026-03-01T09:00:06.000Z',
      last_at: '2026-03-01T09:10:04.000Z',
    });
    assert.deepEqual(document.talend.sync, {
      last_synced_at: SYNCED,
      state: 'done',
      chunks: 3,
      bytes: 4_096,
    });
  });

  it('writes only the counts when Talend no longer answers for the run', () => {
    const document = executionDocument({
      taskId: 'task-1',
      executionId: 'gone-1',
      indexed: { lines: { total: 0, byLevel: {} }, progress: { abandoned: true } },
      syncedAt: SYNCED,
    });
    assert.deepEqual(document, {
      talend: {
        task: { id: 'task-1' },
        execution: { id: 'gone-1' },
        sync: { last_synced_at: SYNCED, state: 'given_up', chunks: 0, bytes: 0 },
        lines: { total: 0, errors: 0, by_level: {}, dead_letters: 0 },
      },
    });
  });
});

describe('outcomeOf', () => {
  it('success, failure, or unknown while the run goes on', () => {
    const run = (status: string, extra: Partial<TalendExecution> = {}) =>
      outcomeOf({ executionId: 'e', taskId: 't', status, ...extra });
    assert.equal(run('execution_successful'), 'success');
    for (const status of [
      'execution_failed',
      'execution_rejected',
      'deploy_failed',
      'terminated',
      'terminated_timeout',
    ])
      assert.equal(run(status), 'failure', status);
    assert.equal(run('executing'), 'unknown');
    assert.equal(run('dispatching'), 'unknown');
    // A status nobody documented: decided by the upper-case detail, as for planning.
    assert.equal(run('weird', { executionStatus: 'EXECUTION_SUCCESS' }), 'success');
    assert.equal(run('weird', { executionStatus: 'STARTING_FLOW_EXECUTION' }), 'unknown');
  });
});
