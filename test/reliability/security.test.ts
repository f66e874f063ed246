import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateTenant } from '../../src/simulator/index.ts';
import {
  assertRunExact,
  executionIdsOf,
  proxyElasticsearch,
  recordTalendSecrets,
  storedStateText,
} from '../support/fault-harness.ts';
import { startJobHarness, type CliResult, type JobHarness } from '../support/job-harness.ts';
import { SecretLedger } from '../support/secret-ledger.ts';
import type { TalendRecorder } from '../support/talend-recorder.ts';
import { createTestCertificates } from '../support/tls-certificates.ts';

const ES_USER = 'talend_logs_writer';
const ES_PASSWORD = 'Elasticsearch-password-of-the-suite';
const DOCKERFILE = fileURLToPath(new URL('../../Dockerfile', import.meta.url));
const ledger = new SecretLedger();
const harnesses: { harness: JobHarness; recorder: TalendRecorder }[] = [];
const certificates = createTestCertificates();
const secretsDir = mkdtempSync(join(tmpdir(), 'talend-logs-secrets-'));

/** `talendTls`: the simulator's API is served over HTTPS with the test certificate. */
async function scenario(label: string, seed: number, talendTls = false) {
  const tenant = generateTenant({
    seed,
    tasks: 1,
    executionsPerTask: 2,
    entriesPerExecution: 1_500,
    spreadDays: 1,
  });
  const harness = await startJobHarness(label, { tenant, variants: { statusPollsBeforeReady: 0 } });
  const recorder = await recordTalendSecrets(harness, talendTls ? certificates : undefined);
  harnesses.push({ harness, recorder });
  ledger.addSecret('personal access token', harness.env.TALEND_TOKEN!);
  const run = (what: string, args: string[], env?: NodeJS.ProcessEnv): Promise<CliResult> =>
    ledger.track(`${label}: ${what}`, harness.runCli(args, env));
  return { harness, recorder, run, executionIds: executionIdsOf(tenant) };
}

describe('security defaults', { concurrency: true }, () => {
  after(async () => {
    for (const { harness, recorder } of harnesses) {
      for (const secret of recorder.secrets) ledger.addSecret(`secret issued to ${harness.prefix}`, secret);
      ledger.addText(`stored state of ${harness.prefix}`, await storedStateText(harness));
    }
    await Promise.all(harnesses.map(({ harness }) => harness.close()));
    certificates.remove();
    rmSync(secretsDir, { recursive: true, force: true });
    assert.deepEqual(ledger.leaks(), [], 'no secret in any output or stored state');
  });

  it('an Elasticsearch password never shows, even in retry warnings or when it is refused', async () => {
    const { harness, run, executionIds } = await scenario('rel-sec-es-password', 80);
    ledger.addBasicAuth('Elasticsearch password', ES_USER, ES_PASSWORD);
    const proxy = await proxyElasticsearch(harness, {
      basicAuth: { username: ES_USER, password: ES_PASSWORD },
    });
    // Rejected bulk requests make the CLI log the client's errors, which carry the request.
    proxy.rejectBulk({ requestRate: 0.2, itemRate: 0, seed: 8080 });
    const env = { ES_USERNAME: ES_USER, ES_PASSWORD };
    const accepted = await run('right password', ['sync', '--bulk-size', '64kb'], env);
    await assertRunExact(accepted, harness, executionIds);
    assert.equal(proxy.counters.unauthorized, 0);
    assert.ok(proxy.counters.bulkRequestsRejected > 0);

    const refused = await run('wrong password', ['sync'], {
      ES_USERNAME: ES_USER,
      ES_PASSWORD: `${ES_PASSWORD}-wrong`,
    });
    ledger.addBasicAuth('wrong Elasticsearch password', ES_USER, `${ES_PASSWORD}-wrong`);
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(
      refused.stderr,
      /Elasticsearch at http:\/\/127\.0\.0\.1:\d+\/ refused the credentials \(HTTP 401/,
    );
    assert.match(refused.stderr, /check ES_USERNAME and ES_PASSWORD, or ES_API_KEY/);
  });

  it('an Elasticsearch API key from ES_API_KEY_FILE is sent as an ApiKey header and never shows', async () => {
    const { harness, run, executionIds } = await scenario('rel-sec-es-api-key', 83);
    const apiKey = Buffer.from('talend-logs-sync-key-id:api-key-secret-of-the-suite').toString('base64');
    const wrongKey = Buffer.from('talend-logs-sync-key-id:a-wrong-api-key-secret').toString('base64');
    ledger.addSecret('Elasticsearch API key', apiKey);
    ledger.addSecret('wrong Elasticsearch API key', wrongKey);
    ledger.addSecret('secret part of the API key', 'api-key-secret-of-the-suite');
    const proxy = await proxyElasticsearch(harness, { apiKey });
    const keyFile = join(secretsDir, 'es-api-key');
    writeFileSync(keyFile, `${apiKey}\n`);
    const accepted = await run('API key from a file', ['sync'], { ES_API_KEY_FILE: keyFile });
    await assertRunExact(accepted, harness, executionIds);
    assert.equal(proxy.counters.unauthorized, 0);

    const refused = await run('wrong API key', ['sync'], { ES_API_KEY: wrongKey });
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(
      refused.stderr,
      /refused the credentials .*check ES_USERNAME and ES_PASSWORD, or ES_API_KEY/,
    );
    assert.ok(proxy.counters.unauthorized > 0);
  });

  for (const side of [
    {
      name: 'Talend',
      flag: 'talend',
      seed: 81,
      refused:
        /Could not reach Talend for listTasks at https:\/\/127\.0\.0\.1:\d+ after 1 attempts .*TLS certificate is not trusted: .*--talend-ca-cert FILE/,
    },
    {
      name: 'Elasticsearch',
      flag: 'es',
      seed: 82,
      refused:
        /The TLS certificate of Elasticsearch at https:\/\/127\.0\.0\.1:\d+\/ is not trusted \(.+\): give the CA that signed it with --es-ca-cert FILE/,
    },
  ]) {
    it(`${side.name} over TLS: an unknown CA is refused by default, trusted with --${side.flag}-ca-cert, skipped loudly`, async () => {
      const { harness, run, executionIds } = await scenario(
        `rel-sec-${side.flag}-tls`,
        side.seed,
        side.name === 'Talend',
      );
      if (side.name === 'Elasticsearch') await proxyElasticsearch(harness, { tls: certificates });

      const refused = await run('default verification', ['sync']);
      assert.equal(refused.code, 5, refused.stderr);
      assert.match(refused.stderr, side.refused);

      const trusted = await run('with the CA', ['sync', `--${side.flag}-ca-cert`, certificates.caPath]);
      await assertRunExact(trusted, harness, executionIds);

      const skipped = await run('verification off', ['sync', `--${side.flag}-insecure-skip-tls-verify`]);
      assert.equal(skipped.code, 0, skipped.stderr);
      assert.match(
        skipped.stderr,
        new RegExp(`TLS certificate verification towards ${side.name} is DISABLED`),
      );
    });
  }

  it('the container image runs as a non-root user', (context) => {
    if (!existsSync(DOCKERFILE)) {
      context.skip('no Dockerfile at the repository root');
      return;
    }
    const finalStage = readFileSync(DOCKERFILE, 'utf8')
      .split(/^FROM\s/im)
      .at(-1)!;
    const users = [...finalStage.matchAll(/^USER\s+(\S+)/gim)].map((match) => match[1]!);
    assert.ok(users.length > 0, 'the final stage sets a USER');
    assert.doesNotMatch(users.at(-1)!, /^(root|0)(:|$)/, 'the last USER is not root');
  });
});
