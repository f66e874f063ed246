import { once } from 'node:events';
import { ConfigError } from '../../common/errors.ts';
import type { FlagValues } from '../../config/setting-source.ts';
import { demoTenant, startSimulator } from '../../simulator/index.ts';
import { EXIT } from '../exit-codes.ts';

const DEMO_TOKEN = 'demo-personal-access-token';

/** `simulate`: the Talend API simulator in the foreground, until Ctrl-C. */
export async function simulateCommand(flags: FlagValues): Promise<number> {
  const port = flags.port === undefined ? 8080 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65534)
    throw new ConfigError(`--port "${String(flags.port)}" is not a port number.`);
  const tenant = demoTenant();
  if (typeof flags.seed === 'string') tenant.seed = Number(flags.seed);
  const simulator = await startSimulator({
    tenant,
    port,
    objectStorePort: port === 0 ? 0 : port + 1,
    auth: { personalAccessTokens: [DEMO_TOKEN] },
  });
  console.log(`Talend API simulator at ${simulator.apiUrl} (object store ${simulator.objectStoreUrl})`);
  console.log(`Try: TALEND_API_URL=${simulator.apiUrl} TALEND_TOKEN=${DEMO_TOKEN} talend-logs sync`);
  await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
  await simulator.close();
  return EXIT.ok;
}
