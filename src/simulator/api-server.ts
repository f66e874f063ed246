import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorResponse } from '../contracts/talend-api.ts';
import type { ApiReply, ApiRequest, Route, SimulatorContext } from './api-types.ts';
import { DrawnFaults } from './faults.ts';
import { pause, sendBody, SimulatedHttpError } from './http-util.ts';
import { monitoringRoutes } from './monitoring-routes.ts';
import { oauthRoutes } from './oauth-routes.ts';
import { orchestrationRoutes } from './orchestration-routes.ts';
import { processingRoutes } from './processing-routes.ts';
import type { RateLimiter } from './rate-limiter.ts';
import type { ApiGroup } from './types.ts';

const FAULT_MESSAGES: Record<number, string> = {
  404: 'Execution logs not found',
  429: 'Too many requests',
  500: 'Something went wrong on server side',
  502: 'Bad gateway',
  503: 'Service unavailable',
};
/** Seconds a fault-made 429 asks the client to wait. */
const FAULT_RETRY_AFTER_SECONDS = 1;

interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

function groupOf(pathname: string): ApiGroup | undefined {
  const first = pathname.split('/')[1];
  return first === 'monitoring' || first === 'processing' || first === 'orchestration' ? first : undefined;
}

/** The Talend API listener's request handler. */
export function apiHandler(
  context: SimulatorContext,
  rateLimiter: RateLimiter,
): (req: IncomingMessage, res: ServerResponse) => void {
  const routes = [
    ...oauthRoutes(context),
    ...orchestrationRoutes(context),
    ...processingRoutes(context),
    ...monitoringRoutes(context),
  ];

  function match(method: string, pathname: string): RouteMatch {
    let pathMatched = false;
    for (const route of routes) {
      const found = route.path.exec(pathname);
      if (!found) continue;
      pathMatched = true;
      if (route.method === method) return { route, params: { ...found.groups } };
    }
    throw pathMatched
      ? new SimulatedHttpError(405, `Method ${method} not allowed`)
      : new SimulatedHttpError(404, 'Not found - resource not found');
  }

  function tooManyRequests(retryAfterSeconds: number): SimulatedHttpError {
    const headers: Record<string, string> = context.variants.retryAfter
      ? { 'retry-after': String(retryAfterSeconds) }
      : {};
    return new SimulatedHttpError(429, FAULT_MESSAGES[429] ?? '', { headers });
  }

  /** Everything before the handler: counting, faults, rate limits, authentication. */
  async function admit(req: IncomingMessage, url: URL): Promise<{ route: Route; request: ApiRequest }> {
    const { route, params } = match(req.method ?? 'GET', url.pathname);
    context.stats[route.kind]++;
    if (req.headers['talend-version'] === undefined) context.stats.withoutVersionHeader++;
    const faults = context.faults.draw(route.kind, params.id);
    if (faults.delayMs > 0) await pause(faults.delayMs);
    const now = context.now();
    const group = groupOf(url.pathname);
    const wait = group && rateLimiter.take(group, req.socket.remoteAddress ?? '', now);
    if (wait !== undefined) throw tooManyRequests(wait);
    const status = faults.errorStatus();
    if (status === 429) throw tooManyRequests(FAULT_RETRY_AFTER_SECONDS);
    if (status !== undefined)
      throw new SimulatedHttpError(status, FAULT_MESSAGES[status] ?? 'Simulated failure');
    if (route.kind !== 'token') {
      if (faults.has('expiredAccessToken')) throw context.auth.expireEarly(req.headers.authorization);
      context.auth.authenticate(req.headers.authorization, now);
    }
    return { route, request: { req, url, params, now, faults } };
  }

  async function respond(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://simulator');
    let faults = DrawnFaults.none;
    let reply: ApiReply;
    try {
      const admitted = await admit(req, url);
      faults = admitted.request.faults;
      reply = await admitted.route.handle(admitted.request);
    } catch (error) {
      reply = errorReply(error, requestId);
    }
    const headers = { 'content-type': 'application/json', 'x-request-id': requestId, ...reply.headers };
    const body = reply.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(reply.body));
    await sendBody(res, reply.status, headers, body, faults.bodyCut());
  }

  return (req, res) => {
    respond(req, res).catch(() => res.destroy());
  };
}

function errorReply(error: unknown, requestId: string): ApiReply {
  const failure =
    error instanceof SimulatedHttpError
      ? error
      : new SimulatedHttpError(500, 'Something went wrong on server side', { detail: String(error) });
  const body: ErrorResponse = { status: failure.status, message: failure.message, requestId };
  if (failure.detail !== undefined) body.detail = failure.detail;
  return { status: failure.status, body, headers: failure.headers };
}
