import { once } from 'node:events';
import { ConfigError } from '../../common/errors.ts';
import { parseInteger } from '../../config/parse-values.ts';
import type { FlagValues } from '../../config/setting-source.ts';
import { demoTenant, startSimulator } from '../../simulator/index.ts';
import { EXIT } from '../exit-codes.ts';

const DEMO_TOKEN = 'demo-personal-access-token';
const DEFAULT_PORT = 8080;

/** `simulate`: the Talend API simulator in the foreground, until Ctrl-C. */
export async function simulateCommand(flags: FlagValues): Promise<number> {
  const port = portOption(flags, 'port', DEFAULT_PORT);
  // Presigned URLs name the object store, so nobody has to: any free port unless one is chosen.
  const objectStorePort = portOption(flags, 'object-store-port', 0);
  const tenant = demoTenant();
  if (flags.seed !== undefined) {
    const seed = parseInteger(String(flags.seed));
    if (seed === undefined) throw new ConfigError(`--seed "${String(flags.seed)}" is not a whole number.`);
    tenant.seed = seed;
  }
  const simulator = await startSimulator({
    tenant,
    port,
    objectStorePort,
    auth: { personalAccessTokens: [DEMO_TOKEN] },
  }).catch((error: unknown) => {
    throw listenError(error, { port, 'object-store-port': objectStorePort });
  });
  // Listening for Ctrl-C before saying where it listens: whoever reads that line may stop it at once.
  const stopped = Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  console.log(`Talend API simulator at ${simulator.apiUrl} (object store ${simulator.objectStoreUrl})`);
  console.log(`Try: TALEND_API_URL=${simulator.apiUrl} TALEND_TOKEN=${DEMO_TOKEN} talend-logs sync`);
  await stopped;
  await simulator.close();
  return EXIT.ok;
}

function portOption(flags: FlagValues, name: string, fallback: number): number {
  const text = flags[name];
  if (text === undefined) return fallback;
  const port = parseInteger(String(text));
  if (port === undefined || port < 0 || port > 65_535) {
    throw new ConfigError(
      `--${name} "${String(text)}" is not a port number: use 1 to 65535, or 0 for any free port.`,
    );
  }
  return port;
}

/** A port that is taken or not ours to open is the user's choice to change: exit 2, saying which. */
function listenError(error: unknown, ports: Record<string, number>): unknown {
  const { code, port } = error as NodeJS.ErrnoException & { port?: number };
  if (code !== 'EADDRINUSE' && code !== 'EACCES') return error;
  const option = Object.keys(ports).find((name) => ports[name] === port) ?? 'port';
  const why = code === 'EADDRINUSE' ? 'is in use' : 'may not be opened by this user';
  return new ConfigError(
    `Port ${String(port)} on 127.0.0.1 ${why} (${code}): choose another with --${option}, or 0 for any free port.`,
  );
}
