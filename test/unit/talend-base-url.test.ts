import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/common/errors.ts';
import { resolveBaseUrl, resolveOAuthAudience } from '../../src/talend/index.ts';

describe('resolveBaseUrl', () => {
  it('maps every documented region to its API host', () => {
    for (const region of ['us', 'eu', 'ap', 'au', 'us-west']) {
      assert.equal(resolveBaseUrl({ region }).href, `https://api.${region}.cloud.talend.com/`);
    }
  });

  it('accepts newer region ids of the same shape, whatever their case or spacing', () => {
    assert.equal(resolveBaseUrl({ region: 'in' }).origin, 'https://api.in.cloud.talend.com');
    assert.equal(resolveBaseUrl({ region: ' EU ' }).origin, 'https://api.eu.cloud.talend.com');
    assert.equal(
      resolveBaseUrl({ region: 'ap-southeast-2' }).origin,
      'https://api.ap-southeast-2.cloud.talend.com',
    );
  });

  it('lets an explicit base URL win over the region', () => {
    const url = resolveBaseUrl({ region: 'eu', baseUrl: 'http://127.0.0.1:8080/talend' });
    assert.equal(url.origin, 'http://127.0.0.1:8080');
    assert.equal(url.pathname, '/talend');
  });

  it('ignores an empty base URL and falls back to the region', () => {
    assert.equal(resolveBaseUrl({ region: 'au', baseUrl: '  ' }).origin, 'https://api.au.cloud.talend.com');
  });

  it('rejects bad region ids with an actionable ConfigError', () => {
    for (const region of ['eu.evil.com', 'eu/x', 'é', '-eu', 'us_west', 'eu?x=1']) {
      assert.throws(
        () => resolveBaseUrl({ region }),
        (error: unknown) =>
          error instanceof ConfigError &&
          /region id/.test(error.message) &&
          /TALEND_API_URL/.test(error.message),
        region,
      );
    }
  });

  it('rejects a missing region and URL', () => {
    assert.throws(
      () => resolveBaseUrl({}),
      (error: unknown) => error instanceof ConfigError && /No Talend region/.test(error.message),
    );
  });

  it('rejects base URLs that are not http(s) or carry queries or credentials', () => {
    for (const baseUrl of [
      'not a url',
      'ftp://api.eu.cloud.talend.com',
      'https://api.eu.cloud.talend.com/?x=1',
      'https://user:pw@host',
    ]) {
      assert.throws(() => resolveBaseUrl({ baseUrl }), ConfigError, baseUrl);
    }
  });

  it('never echoes credentials given inside a base URL', () => {
    try {
      resolveBaseUrl({ baseUrl: 'https://me:hunter2-secret@api.eu.cloud.talend.com' });
      assert.fail('expected a ConfigError');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.doesNotMatch(error.message, /hunter2/);
    }
  });
});

describe('resolveOAuthAudience', () => {
  const proxy = new URL('http://127.0.0.1:8080/talend');

  it("names the region's API URL, also when the calls go to another base URL", () => {
    assert.equal(
      resolveOAuthAudience({ region: 'eu', baseUrl: resolveBaseUrl({ region: 'eu' }) }),
      'https://api.eu.cloud.talend.com',
    );
    assert.equal(
      resolveOAuthAudience({ region: ' US-West ', baseUrl: proxy }),
      'https://api.us-west.cloud.talend.com',
    );
  });

  it("names the base URL's origin when no region is known", () => {
    assert.equal(resolveOAuthAudience({ baseUrl: proxy }), 'http://127.0.0.1:8080');
    assert.equal(resolveOAuthAudience({ region: '  ', baseUrl: proxy }), 'http://127.0.0.1:8080');
  });

  it('lets an explicit audience win over region and base URL', () => {
    const audience = 'https://api.eu.cloud.talend.com';
    assert.equal(resolveOAuthAudience({ region: 'us', baseUrl: proxy, audience }), audience);
    assert.equal(resolveOAuthAudience({ baseUrl: proxy, audience: ` ${audience} ` }), audience);
    assert.equal(
      resolveOAuthAudience({ region: 'ap', baseUrl: proxy, audience: ' ' }),
      'https://api.ap.cloud.talend.com',
    );
  });

  it('rejects a bad region id as resolveBaseUrl does', () => {
    assert.throws(
      () => resolveOAuthAudience({ region: 'eu.evil.com', baseUrl: proxy }),
      (error: unknown) => error instanceof ConfigError && /region id/.test(error.message),
    );
  });
});
