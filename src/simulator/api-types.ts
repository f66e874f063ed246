import type { IncomingMessage } from 'node:http';
import type { AuthService } from './auth.ts';
import type { DrawnFaults, FaultInjector } from './faults.ts';
import type { LogFileRegistry } from './log-files.ts';
import type { StoredLogFiles } from './stored-log-files.ts';
import type { TenantState } from './tenant-state.ts';
import type { SimulatorStats, RequestKind, Variants } from './types.ts';
import type { UrlSigner } from './url-signer.ts';

/** Everything the two listeners share. */
export interface SimulatorContext {
  state: TenantState;
  /** Live: `setVariants` mutates it. */
  variants: Variants;
  files: LogFileRegistry;
  /** Logs rendered to disk at start (`SimulatorOptions.storeLogFilesIn`). */
  storedFiles?: StoredLogFiles;
  signer: UrlSigner;
  auth: AuthService;
  faults: FaultInjector;
  maxEntriesPerFile: number;
  now: () => number;
  stats: SimulatorStats;
}

export interface ApiRequest {
  req: IncomingMessage;
  url: URL;
  /** Named groups of the route's path pattern. */
  params: Record<string, string>;
  now: number;
  faults: DrawnFaults;
}

export interface ApiReply {
  status: number;
  /** Serialised as JSON; undefined sends an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  path: RegExp;
  kind: RequestKind;
  handle(request: ApiRequest): ApiReply | Promise<ApiReply>;
}
