import type { Route, SimulatorContext } from './api-types.ts';
import { readBody } from './http-util.ts';

export function oauthRoutes(context: SimulatorContext): Route[] {
  return [
    {
      method: 'POST',
      path: /^\/security\/oauth\/token$/,
      kind: 'token',
      handle: async (request) => ({
        status: 200,
        body: context.auth.issue(request.req.headers.authorization, await readBody(request.req), request.now),
      }),
    },
  ];
}
