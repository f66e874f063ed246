/**
 * The CLI with a service account while TALEND_API_URL points elsewhere than Talend (here at the
 * simulator, playing a proxy) and the tenant issues tokens only for its region's API URL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateTenant } from '../../src/simulator/index.ts';
import { assertRunExact, executionIdsOf } from '../support/fault-harness.ts';
import { startJobHarness, type JobHarness } from '../support/job-harness.ts';

const REGION_AUDIENCE = 'https://api.eu.cloud.talend.com';
const ACCOUNT = { clientId: 'audience-service-account', clientSecret: 'audience-service-account-secret' };
const SYNC = ['sync', '--lookback', '3d'];

describe('OAuth audience behind TALEND_API_URL', () => {
  let harness: JobHarness;
  let executionIds: string[];

  before(async () => {
    const tenant = generateTenant({
      seed: 91,
      tasks: 1,
      executionsPerTask: 2,
      entriesPerExecution: 300,
      spreadDays: 1,
    });
    executionIds = executionIdsOf(tenant);
    harness = await startJobHarness('talend-audience', {
      tenant,
      auth: { serviceAccounts: [ACCOUNT], audiences: [REGION_AUDIENCE] },
      variants: { statusPollsBeforeReady: 0 },
    });
    delete harness.env.TALEND_TOKEN;
    Object.assign(harness.env, {
      TALEND_CLIENT_ID: ACCOUNT.clientId,
      TALEND_CLIENT_SECRET: ACCOUNT.clientSecret,
    });
  });
  after(() => harness.close());

  it("without a region the URL's origin is the audience: refused, with what to set", async () => {
    const result = await harness.runCli(SYNC);
    assert.equal(result.code, 5, result.stderr);
    assert.match(result.stderr, /HTTP 401: the service account credentials were refused/);
    assert.match(result.stderr, /Talend said: \\?"Invalid audience/);
    assert.match(result.stderr, /check TALEND_REGION, or set TALEND_OAUTH_AUDIENCE/);
    assert.doesNotMatch(result.stderr + result.stdout, new RegExp(ACCOUNT.clientSecret));
  });

  it("with TALEND_REGION the region's API URL is the audience, and the sync is exact", async () => {
    const tokensBefore = harness.simulator.stats().token;
    const result = await harness.runCli(SYNC, { TALEND_REGION: 'eu' });
    await assertRunExact(result, harness, executionIds);
    assert.ok(harness.simulator.stats().token > tokensBefore, 'a token was issued');
  });

  it('TALEND_OAUTH_AUDIENCE wins over the region', async () => {
    const wrongRegion = await harness.runCli(SYNC, { TALEND_REGION: 'us' });
    assert.equal(wrongRegion.code, 5, "another region's audience is refused");
    const tokensBefore = harness.simulator.stats().token;
    const result = await harness.runCli(SYNC, {
      TALEND_REGION: 'us',
      TALEND_OAUTH_AUDIENCE: REGION_AUDIENCE,
    });
    await assertRunExact(result, harness, executionIds);
    assert.ok(harness.simulator.stats().token > tokensBefore, 'a token was issued');
  });
});
