import {
  NEXT_END_TIME_HEADER,
  type GenerateLogResponse,
  type LogFileFormat,
  type LogsPage,
  type LogStatusResponse,
} from '../contracts/talend-api.ts';
import type { ApiReply, ApiRequest, Route, SimulatorContext } from './api-types.ts';
import { endedWithoutLog } from './api-views.ts';
import { readBody, requireExecutionId, SimulatedHttpError } from './http-util.ts';
import { layoutFor } from './log-file-format.ts';
import { enumParam, intParam, timeParam } from './query-params.ts';
import type { ExecutionRecord } from './tenant-state.ts';
import type { Variants } from './types.ts';
import { formatNextEndTime, parseDateTime, parseLogTime } from './time-format.ts';

const LOGS_PATH = /^\/monitoring\/executions\/(?<id>[^/]+)\/logs$/;
const STATUS_PATH = /^\/monitoring\/executions\/(?<id>[^/]+)\/logs\/status$/;
const FORMATS: readonly LogFileFormat[] = ['JSON', 'TEXT'];
const ORDERS = ['DESC', 'ASC'] as const;
const MAX_PAGE = 200;
const DEFAULT_PAGE = 50;

function executionFor(context: SimulatorContext, request: ApiRequest): ExecutionRecord {
  const record = context.state.execution(requireExecutionId(request.params.id ?? ''));
  if (!record) throw new SimulatedHttpError(404, 'Execution with provided ID, has not been found');
  return record;
}

function generate(context: SimulatorContext, request: ApiRequest): ApiReply {
  const record = executionFor(context, request);
  if (endedWithoutLog(record.spec, context.variants)) {
    throw new SimulatedHttpError(404, 'Execution logs not found');
  }
  const query = request.url.searchParams;
  const format = enumParam(query, 'fileFormat', FORMATS);
  const { variants, maxEntriesPerFile } = context;
  const all = record.log.indexRange(
    {
      startTime: timeParam(query, 'startTime', parseLogTime),
      endTime: timeParam(query, 'endTime', parseLogTime),
      endInclusive: variants.boundary === 'inclusive',
    },
    request.now,
  );
  // Over the limit, the file keeps only the newest entries and says where the next, older, file ends.
  const partial = all.hi - all.lo > maxEntriesPerFile;
  const range = partial ? { lo: all.hi - maxEntriesPerFile, hi: all.hi } : all;
  const { task, spec } = record;
  const file = context.files.create({
    executionId: spec.id,
    taskId: task.id,
    log: record.log,
    layout: layoutFor(format, variants),
    range,
    fileName: query.get('newFileName') === 'true' ? `${task.id}_${spec.id}.log` : `${spec.id}.log`,
    tokenExpiresAt: request.now + variants.logTokenTtlSeconds * 1000,
  });
  const body: GenerateLogResponse = { size: range.hi - range.lo, token: file.token };
  if (!partial) return { status: 200, body };
  const nextEndTime = formatNextEndTime(record.log.timestampAt(range.lo), variants.nextEndTimeFormat);
  return { status: 206, body, headers: { [NEXT_END_TIME_HEADER]: nextEndTime } };
}

/**
 * The guide sends the token as plain text, the reference declares a JSON string: both are taken
 * unless the variant enforces one, by the request's media type.
 */
function tokenFrom(request: ApiRequest, body: string, accepted: Variants['statusBodyType']): string {
  const mediaType = (request.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (accepted !== 'either' && mediaType !== accepted) {
    throw new SimulatedHttpError(
      415,
      `Content type '${mediaType}' not supported: send the token as ${accepted}`,
    );
  }
  const text = body.trim();
  if (!text.startsWith('"')) return text;
  try {
    const token: unknown = JSON.parse(text);
    if (typeof token === 'string') return token;
  } catch {
    // Falls through to the 400 below.
  }
  throw new SimulatedHttpError(400, 'Body must be the token, as text or as a JSON string');
}

async function status(context: SimulatorContext, request: ApiRequest): Promise<ApiReply> {
  const record = executionFor(context, request);
  const token = tokenFrom(request, await readBody(request.req), context.variants.statusBodyType);
  const file = context.files.withToken(token);
  if (!file || file.executionId !== record.spec.id) {
    throw new SimulatedHttpError(404, 'Log file not found for this token and execution');
  }
  if (request.now >= file.tokenExpiresAt) {
    throw new SimulatedHttpError(400, 'The token has expired: generate the log again');
  }
  file.polls++;
  const { variants } = context;
  let body: LogStatusResponse = { status: 'IN_PROGRESS' };
  if (!request.faults.has('stuckInProgress') && file.polls > variants.statusPollsBeforeReady) {
    const path = `/logs/${file.id}/${file.fileName}`;
    body = {
      status: 'READY',
      presignedURL: context.signer.sign(
        path,
        request.now,
        variants.presignedUrlTtlSeconds,
        variants.objectStore,
      ),
    };
  }
  return { status: 200, body };
}

function page(context: SimulatorContext, request: ApiRequest): ApiReply {
  const { log } = executionFor(context, request);
  const query = request.url.searchParams;
  const count = intParam(query, 'count', { min: 1, max: MAX_PAGE }) ?? DEFAULT_PAGE;
  const startIndex = intParam(query, 'startIndex', { min: 0 }) ?? 0;
  const order = enumParam(query, 'order', ORDERS);
  const { lo, hi } = log.indexRange(
    {
      startTime: timeParam(query, 'startTime', parseDateTime),
      endTime: timeParam(query, 'endTime', parseDateTime),
      endInclusive: true,
    },
    request.now,
  );
  const filtered = hi - lo;
  const size = Math.max(0, Math.min(count, filtered - startIndex));
  const data = [];
  for (let k = 0; k < size; k++) {
    data.push(log.entryAt(order === 'ASC' ? lo + startIndex + k : hi - 1 - startIndex - k));
  }
  const body: LogsPage = { size, totalSize: log.count(request.now), totalSizeFiltered: filtered, data };
  if (startIndex + size < filtered) body.nextIndex = startIndex + size;
  return { status: 200, body };
}

function remove(context: SimulatorContext, request: ApiRequest): ApiReply {
  executionFor(context, request).log.deleteEntries(request.now);
  return { status: 200, body: {} };
}

export function monitoringRoutes(context: SimulatorContext): Route[] {
  return [
    { method: 'POST', path: LOGS_PATH, kind: 'generateLog', handle: (r) => generate(context, r) },
    { method: 'POST', path: STATUS_PATH, kind: 'logStatus', handle: (r) => status(context, r) },
    { method: 'GET', path: LOGS_PATH, kind: 'pageLogs', handle: (r) => page(context, r) },
    { method: 'DELETE', path: LOGS_PATH, kind: 'deleteLogs', handle: (r) => remove(context, r) },
  ];
}
