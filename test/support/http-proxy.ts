/**
 * A small reverse proxy on 127.0.0.1 for fault tests: between the CLI and Elasticsearch, or the CLI
 * and the Talend simulator. Requests and answers are buffered whole (API calls and bulk requests, never
 * log downloads), so a test can inspect, rewrite, hold or refuse any of them. It can also refuse every
 * connection (the upstream is "down") and serve HTTPS with a test certificate.
 */
import { once } from 'node:events';
import {
  Agent,
  createServer as createHttpServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

export interface BufferedReply {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

export interface Exchange {
  method: string;
  /** Path and query, as received. */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Sends the request upstream (with changes, if given) and returns the upstream's whole answer. */
  forward(changes?: { body?: Buffer; dropHeaders?: string[] }): Promise<BufferedReply>;
}

/** Decides the answer to one request: usually `exchange.forward()`, possibly changed. */
export type ProxyHandler = (exchange: Exchange) => Promise<BufferedReply>;

export interface ProxyOptions {
  /** Origin of the upstream, e.g. `http://127.0.0.1:9250`. */
  target: string;
  handler?: ProxyHandler;
  /** Serve HTTPS with this certificate instead of HTTP. */
  tls?: { key: string; cert: string };
}

export interface RunningProxy {
  url: string;
  /** While on, every connection (open or new) is closed at once: the upstream looks down. */
  refuseConnections(on: boolean): void;
  /** Connections closed by `refuseConnections` so far. */
  readonly refused: number;
  close(): Promise<void>;
}

/** Headers that describe one hop, not the message: never copied across the proxy. */
const HOP_HEADERS = [
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'host',
  'accept-encoding',
];

const forwardAll: ProxyHandler = (exchange) => exchange.forward();

export async function startProxy(options: ProxyOptions): Promise<RunningProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const handler = options.handler ?? forwardAll;
  const sockets = new Set<Socket>();
  let refusing = false;
  let refused = 0;

  const forward = async (
    request: { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer },
    changes: { body?: Buffer; dropHeaders?: string[] } = {},
  ): Promise<BufferedReply> => {
    const body = changes.body ?? request.body;
    const drop = new Set([...HOP_HEADERS, ...(changes.dropHeaders ?? [])]);
    const headers: OutgoingHttpHeaders = { host: target.host, 'content-length': body.length };
    for (const [name, value] of Object.entries(request.headers)) {
      if (!drop.has(name) && value !== undefined) headers[name] = value;
    }
    const upstream = httpRequest({
      agent,
      host: target.hostname,
      port: target.port,
      method: request.method,
      path: request.url,
      headers,
    });
    // A reset after the answer began also fails the request object (Node 24 does, Node 20 not):
    // reading the body below already reports it, so that second report must not crash the test.
    upstream.on('error', () => undefined);
    upstream.end(body);
    const [response] = (await once(upstream, 'response')) as [IncomingMessage];
    return {
      status: response.statusCode ?? 502,
      headers: copyHeaders(response.headers),
      body: await readAll(response),
    };
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const answer = async () => {
      const request = {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers: req.headers,
        body: await readAll(req),
      };
      const reply = await handler({ ...request, forward: (changes) => forward(request, changes) });
      res.writeHead(reply.status, { ...reply.headers, 'content-length': reply.body.length });
      res.end(reply.body);
    };
    answer().catch(() => res.destroy());
  };

  const server: Server = options.tls
    ? createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
    : createHttpServer(onRequest);
  server.on('connection', (socket: Socket) => {
    if (refusing) {
      refused++;
      socket.destroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    refuseConnections(on) {
      refusing = on;
      if (!on) return;
      for (const socket of sockets) {
        refused++;
        socket.destroy();
      }
    },
    get refused() {
      return refused;
    },
    async close() {
      const closed = once(server, 'close');
      server.close();
      for (const socket of sockets) socket.destroy();
      agent.destroy();
      await closed;
    },
  };
}

function copyHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!HOP_HEADERS.includes(name) && value !== undefined) out[name] = value;
  }
  return out;
}

async function readAll(stream: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A JSON answer made by the proxy itself. */
export function jsonReply(status: number, body: unknown, headers: OutgoingHttpHeaders = {}): BufferedReply {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}
