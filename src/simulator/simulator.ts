import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimulatorContext } from './api-types.ts';
import { apiHandler } from './api-server.ts';
import { AuthService } from './auth.ts';
import { FaultInjector } from './faults.ts';
import { layoutFor } from './log-file-format.ts';
import { LogFileRegistry } from './log-files.ts';
import { objectStoreHandler } from './object-store.ts';
import { RateLimiter } from './rate-limiter.ts';
import { StoredLogFiles } from './stored-log-files.ts';
import { demoTenant } from './tenant-generator.ts';
import { TenantState } from './tenant-state.ts';
import {
  DEFAULT_VARIANTS,
  REQUEST_KINDS,
  type EntryRange,
  type RunningSimulator,
  type SimulatorOptions,
  type SimulatorStats,
} from './types.ts';
import { UrlSigner } from './url-signer.ts';

const DEFAULT_MAX_ENTRIES_PER_FILE = 100_000;

async function listen(host: string, port: number): Promise<{ server: Server; url: string }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return { server, url: `http://${shownHost}:${address.port}` };
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function emptyStats(): SimulatorStats {
  const stats = { withoutVersionHeader: 0, storedDownloads: 0 } as SimulatorStats;
  for (const kind of REQUEST_KINDS) stats[kind] = 0;
  return stats;
}

/** Starts the Talend API and its object store on two listeners (127.0.0.1, random ports by default). */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const now = options.now ?? Date.now;
  const state = new TenantState(structuredClone(options.tenant ?? demoTenant(now())));
  const variants = { ...DEFAULT_VARIANTS, ...options.variants };
  const storedFiles =
    options.storeLogFilesIn === undefined
      ? undefined
      : await StoredLogFiles.render(options.storeLogFilesIn, state.logs(), layoutFor('JSON', variants));
  const host = options.host ?? '127.0.0.1';
  const api = await listen(host, options.port ?? 0).catch(async (error: unknown) => {
    await storedFiles?.remove();
    throw error;
  });
  const store = await listen(host, options.objectStorePort ?? 0).catch(async (error: unknown) => {
    await Promise.all([close(api.server), storedFiles?.remove()]);
    throw error;
  });
  const context: SimulatorContext = {
    state,
    variants,
    files: new LogFileRegistry(),
    storedFiles,
    signer: new UrlSigner(store.url),
    auth: new AuthService(options.auth),
    faults: new FaultInjector(state.tenant.seed, options.faults),
    maxEntriesPerFile: options.maxEntriesPerFile ?? DEFAULT_MAX_ENTRIES_PER_FILE,
    now,
    stats: emptyStats(),
  };
  api.server.on('request', apiHandler(context, new RateLimiter(options.rateLimits)));
  store.server.on('request', objectStoreHandler(context));

  const fullWindow = (range: EntryRange = {}) => ({ ...range, endInclusive: true });
  return {
    apiUrl: api.url,
    objectStoreUrl: store.url,
    tenant: state.tenant,
    setVariants: (variants) => Object.assign(context.variants, variants),
    setFaults: (rules) => context.faults.setRules(rules),
    addExecution: (taskId, spec) => state.addExecution(taskId, spec),
    finishExecution: (executionId, finishTime, status = 'execution_successful') =>
      state.finishExecution(executionId, finishTime, status),
    deleteExecution: (executionId) => state.deleteExecution(executionId),
    entries: (executionId, range) => {
      const { log } = state.require(executionId);
      return log.entries(log.indexRange(fullWindow(range), now()));
    },
    entryCount: (executionId, range) => {
      const { lo, hi } = state.require(executionId).log.indexRange(fullWindow(range), now());
      return hi - lo;
    },
    malformedEntryIndexes: (executionId) => state.require(executionId).log.malformedIndexes(now()),
    stats: () => ({ ...context.stats }),
    close: async () => {
      await Promise.all([close(api.server), close(store.server)]);
      await storedFiles?.remove();
    },
  };
}
