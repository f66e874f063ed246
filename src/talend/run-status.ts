/**
 * Talend's run-status rules: whether a run is still going, and when it was triggered, started and
 * ended, read from the fields Talend fills (or leaves out) in an execution.
 */
import { dateMs } from '../common/epoch.ts';
import {
  IN_FLIGHT_EXECUTION_STATUSES,
  RUNNING_STATUSES,
  TERMINAL_STATUSES,
  type TalendExecution,
} from '../contracts/talend-api.ts';

/** Words in an undocumented status that can only mean the run is over. */
const OVER_WORDS = /SUCCE|FAIL|REJECT|TERMINAT|CANCEL|ABORT|ERROR|TIMEOUT|KILL|COMPLETE|FINISH|DONE|STOPPED/i;

/**
 * Whether a run is still going. A `finishTimestamp` means over. Without one, the documented
 * lower-case `status` decides; failing that, `executionStatus`: a known in-flight value means
 * running, a value that names an end means over. A status nobody documented and that names no end
 * counts as running: walking a finished run to the horizon once more per sync costs a request,
 * while taking a running run for finished would lose the lines it logs afterwards.
 */
export function isRunning(execution: TalendExecution): boolean {
  if (execution.finishTimestamp !== undefined) return false;
  const status = execution.status?.toLowerCase();
  if ((RUNNING_STATUSES as readonly string[]).includes(status)) return true;
  if ((TERMINAL_STATUSES as readonly string[]).includes(status)) return false;
  const detail = execution.executionStatus?.toUpperCase();
  if (detail !== undefined && (IN_FLIGHT_EXECUTION_STATUSES as readonly string[]).includes(detail))
    return true;
  return !OVER_WORDS.test(`${status ?? ''} ${detail ?? ''}`);
}

export function triggerTime(execution: TalendExecution): number | undefined {
  return dateMs(execution.triggerTimestamp) ?? dateMs(execution.startTimestamp);
}

export function startTime(execution: TalendExecution): number | undefined {
  return dateMs(execution.startTimestamp) ?? dateMs(execution.triggerTimestamp);
}

/**
 * When a run that is over ended: its `finishTimestamp`, or for one that ended without it (rejected
 * before it started), its trigger or start time. The settle delay counts from here.
 */
export function endTime(execution: TalendExecution): number | undefined {
  return dateMs(execution.finishTimestamp) ?? triggerTime(execution);
}
