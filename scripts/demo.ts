/**
 * `npm run demo`: `talend-logs demo` from this checkout, against ES_URL (or --es-url), else against the
 * local Elasticsearch of test/elasticsearch, started first (it needs Java 17 and Maven) and left running.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startLocalElasticsearch } from '../test/elasticsearch/local-es.ts';

const args = process.argv.slice(2);
const configured = process.env.ES_URL || args.some((arg) => arg.startsWith('--es-url'));
const env = { ...process.env };
if (!configured) {
  console.log('Starting the local Elasticsearch (the first time builds it from Maven Central)…');
  env.ES_URL = (await startLocalElasticsearch()).url;
}
const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const demo = spawnSync(process.execPath, ['--import', 'tsx', cli, 'demo', ...args], {
  stdio: 'inherit',
  env,
});
if (!configured) console.log('The local Elasticsearch keeps running: stop it with "npm run es:stop".');
process.exitCode = demo.status ?? 1;
