/**
 * The secured suite (`npm run test:secured`): the real CLI against a real Elasticsearch with security, TLS on HTTP
 * and file-realm users whose roles are read from deploy/elasticsearch/roles.yml, the file README shows. Kept out of
 * `npm test`: it starts a node of its own (about 20 s and half a gigabyte) as an unprivileged user.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Client } from '@elastic/elasticsearch';
import { generateTenant } from '../../src/simulator/index.ts';
import { createElasticsearchClient } from '../../src/store/elasticsearch-client.ts';
import { DEFAULTS } from '../support/config.ts';
import { startSecuredElasticsearch, type SecuredElasticsearch } from '../elasticsearch/secured-es.ts';
import { assertRunExact, storedStateText } from '../support/fault-harness.ts';
import { executionIdsOf, startJobHarness, type CliResult, type JobHarness } from '../support/job-harness.ts';
import { SecretLedger } from '../support/secret-ledger.ts';
import { createTestCertificates } from '../support/tls-certificates.ts';

const ROLES_FILE = fileURLToPath(new URL('../../deploy/elasticsearch/roles.yml', import.meta.url));
/** The prefix the roles file is written for (README, "Elasticsearch roles"). */
const PREFIX = 'talend';
const password = () => `pw-${randomBytes(12).toString('base64url')}`;
const SETUP = { username: 'talend_setup', password: password(), roles: ['talend_logs_setup'] };
const SYNC = { username: 'talend_sync', password: password(), roles: ['talend_logs_sync'] };

const ledger = new SecretLedger();
let es: SecuredElasticsearch;
let admin: Client;
let harness: JobHarness;
let executionIds: string[];

const run = (what: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> =>
  ledger.track(what, harness.runCli(args, env));

/** The environment of a user's run: its credentials, and the node's CA. */
const as = (user: { username: string; password: string }): NodeJS.ProcessEnv => ({
  ES_USERNAME: user.username,
  ES_PASSWORD: user.password,
  ES_CA_CERT: es.caPath,
});

/** The connector's client of the node as a user, to ask Elasticsearch itself what the role allows. */
function clientAs(user: { username: string; password: string }): Client {
  return createElasticsearchClient(
    {
      nodes: [es.url],
      username: user.username,
      password: user.password,
      caCert: readFileSync(es.caPath, 'utf8'),
      insecure: false,
    },
    DEFAULTS.services.elasticsearch.requestTimeoutMs,
  );
}

async function statusOf(request: Promise<unknown>): Promise<number> {
  try {
    await request;
    return 200;
  } catch (error) {
    return (error as { meta?: { statusCode?: number } }).meta?.statusCode ?? -1;
  }
}

describe('a secured Elasticsearch: README roles, TLS and credentials', () => {
  before(async () => {
    es = await startSecuredElasticsearch({ rolesFile: ROLES_FILE, users: [SETUP, SYNC] });
    ledger.addBasicAuth('elastic password', es.elastic.username, es.elastic.password);
    ledger.addBasicAuth('setup password', SETUP.username, SETUP.password);
    ledger.addBasicAuth('sync password', SYNC.username, SYNC.password);
    admin = clientAs(es.elastic);
    const tenant = generateTenant({
      seed: 2020,
      tasks: 2,
      executionsPerTask: 2,
      entriesPerExecution: 1_500,
      spreadDays: 1,
    });
    executionIds = executionIdsOf(tenant);
    harness = await startJobHarness(
      'secured',
      { tenant, variants: { statusPollsBeforeReady: 0 } },
      { url: es.url, client: admin, prefix: PREFIX },
    );
    ledger.addSecret('personal access token', harness.env.TALEND_TOKEN!);
  });

  after(async () => {
    try {
      if (harness !== undefined) {
        ledger.addText('stored state', await storedStateText(harness));
        await harness.close();
      }
      await admin?.close();
    } finally {
      await es?.stop();
    }
    assert.ok(ledger.textCount > 0);
    assert.deepEqual(ledger.leaks(), [], 'no credential in any output or stored state');
  });

  it('setup as the setup user, then sync as the sync user (credentials from *_FILE): every line exactly once', async () => {
    const setup = await run('setup', ['setup'], as(SETUP));
    assert.equal(setup.code, 0, setup.stderr);

    const secrets = mkdtempSync(join(tmpdir(), 'talend-logs-secured-'));
    let sync: CliResult;
    try {
      writeFileSync(join(secrets, 'es-username'), `${SYNC.username}\n`);
      writeFileSync(join(secrets, 'es-password'), `${SYNC.password}\n`);
      sync = await run('sync', ['sync'], {
        ES_USERNAME_FILE: join(secrets, 'es-username'),
        ES_PASSWORD_FILE: join(secrets, 'es-password'),
        ES_CA_CERT: es.caPath,
      });
    } finally {
      rmSync(secrets, { recursive: true, force: true });
    }
    await assertRunExact(sync, harness, executionIds);
    // The role cannot read templates: the check that uses them says so and trusts `setup`.
    assert.match(
      sync.stdout + sync.stderr,
      /Not allowed to read template .*assuming `talend-logs setup` installed/,
    );

    const again = await run('second sync', ['sync'], as(SYNC));
    await assertRunExact(again, harness, executionIds);
  });

  it('Elasticsearch itself refuses with 403 what the sync role must not do', async () => {
    await admin.index({ index: 'outside-data', document: { message: 'not ours' }, refresh: true });
    const logIndices = Object.keys(await admin.indices.get({ index: `${PREFIX}-logs-*` }));
    assert.ok(logIndices.length > 0);
    const sync = clientAs(SYNC);
    try {
      const refused = {
        'delete a log index': await statusOf(sync.indices.delete({ index: logIndices[0]! })),
        'delete the state index': await statusOf(sync.indices.delete({ index: `${PREFIX}-state` })),
        'write outside the prefix': await statusOf(
          sync.index({ index: 'outside-data', document: { message: 'written by sync' } }),
        ),
        'read outside the prefix': await statusOf(sync.search({ index: 'outside-data' })),
        'change a template': await statusOf(
          sync.indices.putIndexTemplate({ name: `${PREFIX}-logs`, index_patterns: [`${PREFIX}-logs-*`] }),
        ),
        'change a component template': await statusOf(
          sync.cluster.putComponentTemplate({ name: `${PREFIX}-logs-settings`, template: {} }),
        ),
      };
      assert.deepEqual(
        refused,
        Object.fromEntries(Object.keys(refused).map((what) => [what, 403])),
        'each is refused with 403',
      );
      // and what it may do, it can: the refusals above are the role's, not a broken login
      assert.equal(await statusOf(sync.search({ index: `${PREFIX}-logs-*`, size: 0 })), 200);
    } finally {
      await sync.close();
      await admin.indices.delete({ index: 'outside-data' });
    }
  });

  it('setup as the sync user: exit 5, saying which privileges it needs', async () => {
    const refused = await run('setup as sync', ['setup'], as(SYNC));
    assert.equal(refused.code, 5, refused.stderr);
    assert.match(
      refused.stderr,
      /unauthorized for user \[talend_sync\].*granted by the cluster privileges \[.*manage_pipeline/,
    );
  });

  it('a wrong password: exit 5, one line naming the user and not the password', async () => {
    const wrong = { username: SYNC.username, password: `${SYNC.password}-wrong` };
    ledger.addBasicAuth('wrong password', wrong.username, wrong.password);
    const refused = await run('wrong password', ['sync'], as(wrong));
    assert.equal(refused.code, 5, refused.stderr);
    const lines = refused.stderr.trim().split('\n');
    assert.equal(lines.length, 1, refused.stderr);
    assert.match(lines[0]!, /refused the credentials of user talend_sync \(HTTP 401/);
  });

  it('an untrusted CA: exit 5 naming --es-ca-cert; the node CA given: works', async () => {
    const other = createTestCertificates();
    try {
      for (const [what, env] of [
        ['no CA', { ES_USERNAME: SYNC.username, ES_PASSWORD: SYNC.password }],
        ['another CA', { ...as(SYNC), ES_CA_CERT: other.caPath }],
      ] as const) {
        const refused = await run(what, ['sync'], env);
        assert.equal(refused.code, 5, `${what}: ${refused.stderr}`);
        assert.match(
          refused.stderr,
          /TLS certificate of Elasticsearch at https:\/\/127\.0\.0\.1:\d+\/ is not trusted/,
        );
        assert.match(refused.stderr, /--es-ca-cert FILE/);
      }
    } finally {
      other.remove();
    }
    const trusted = await run('the CA', ['sync', '--es-ca-cert', es.caPath], {
      ES_USERNAME: SYNC.username,
      ES_PASSWORD: SYNC.password,
    });
    await assertRunExact(trusted, harness, executionIds);
  });
});
