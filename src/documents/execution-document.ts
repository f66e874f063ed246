/**
 * The executions document of one run, as a pure function of what Talend says of it and what the
 * indices hold of its log. Each call gives the parts it knows; Elasticsearch merges them into the
 * stored document (see ExecutionsIndex.upsert), so a listing that knows only Talend's state never
 * erases the counts, and the counts never erase the row counts of the execution's detail.
 */
import { definedOnly } from '../common/defined-only.ts';
import { ECS_VERSION } from '../common/ecs-version.ts';
import {
  EXECUTIONS_DATASET,
  type ExecutionDocument,
  type ExecutionProgress,
  type IndexedLines,
} from './shapes.ts';
import type { TalendExecution, TalendExecutionDetail, TalendTask } from '../contracts/talend-api.ts';
import { isErrorSeverity, talendContext } from './talend-context.ts';
import { executionContext } from './execution-context.ts';
import { isRunning } from '../talend/run-status.ts';

export interface ExecutionReport {
  taskId: string;
  executionId: string;
  /** What Talend said of the run at this sync, as a listing item. */
  execution?: TalendExecution;
  /** The detail of a run that is over: Talend's row counts and error type. */
  detail?: TalendExecutionDetail;
  task?: TalendTask;
  /** What the log index holds of the run, and its checkpoint entry; absent at listing time. */
  indexed?: { lines: IndexedLines; progress: ExecutionProgress | undefined };
  syncedAt: string;
}

const NANOS_PER_MS = 1_000_000;

export function executionDocument(report: ExecutionReport): ExecutionDocument {
  const { execution, indexed } = report;
  const document: ExecutionDocument =
    execution === undefined
      ? { talend: { task: { id: report.taskId }, execution: { id: report.executionId } } }
      : talendState(execution, report.detail, report.task);
  document.talend.sync = { last_synced_at: report.syncedAt };
  if (indexed !== undefined) {
    const { lines, progress } = indexed;
    let errors = 0;
    for (const [level, count] of Object.entries(lines.byLevel)) if (isErrorSeverity(level)) errors += count;
    document.talend.lines = {
      total: lines.total,
      errors,
      by_level: lines.byLevel,
      dead_letters: progress?.deadLetters ?? 0,
      ...definedOnly({ first_error: lines.firstError, first_at: lines.firstAt, last_at: lines.lastAt }),
    };
    document.talend.sync.state = indexingState(progress);
    document.talend.sync.chunks = progress?.chunks ?? 0;
    document.talend.sync.bytes = progress?.bytes ?? 0;
  }
  return document;
}

/** Success or failure once the run is over; `unknown` while it runs, as ECS has it. */
export function outcomeOf(execution: TalendExecution): 'success' | 'failure' | 'unknown' {
  if (isRunning(execution)) return 'unknown';
  return /SUCCE/i.test(`${execution.status} ${execution.executionStatus ?? ''}`) ? 'success' : 'failure';
}

function talendState(
  execution: TalendExecution,
  detail: TalendExecutionDetail | undefined,
  task: TalendTask | undefined,
): ExecutionDocument {
  const talend = talendContext(executionContext(task, execution));
  const running = isRunning(execution);
  const duration = talend.execution.duration_ms;
  Object.assign(
    talend.execution,
    definedOnly({
      execution_status: execution.executionStatus,
      error_message: execution.errorMessage,
      error_type: detail?.errorType,
      processed_rows: numberOrUndefined(detail?.numberOfProcessedRows),
      rejected_rows: numberOrUndefined(detail?.numberOfRejectedRows),
    }),
  );
  const timestamp = execution.triggerTimestamp ?? execution.startTimestamp;
  return {
    ...(timestamp === undefined ? {} : { '@timestamp': timestamp }),
    event: {
      kind: 'event',
      category: ['process'],
      type: running ? ['start'] : ['end'],
      outcome: outcomeOf(execution),
      ...definedOnly({
        start: execution.startTimestamp,
        end: execution.finishTimestamp,
        duration: duration === undefined ? undefined : duration * NANOS_PER_MS,
      }),
      dataset: EXECUTIONS_DATASET,
      module: 'talend',
    },
    ecs: { version: ECS_VERSION },
    talend,
  };
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Where indexing a run's log stands, as its executions document shows it. */
function indexingState(progress: ExecutionProgress | undefined): 'indexing' | 'done' | 'given_up' {
  return progress?.done ? 'done' : progress?.abandoned ? 'given_up' : 'indexing';
}
