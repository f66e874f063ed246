import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/common/errors.ts';
import { scrubSecrets } from '../../src/common/secrets.ts';
import type { ElasticsearchSettings } from '../../src/config/config.ts';
import { resolveKibanaSettings } from '../../src/kibana/kibana-settings.ts';
import { dataViewPatterns, readSavedObjects, withIndexPrefix } from '../../src/kibana/saved-objects.ts';

const NO_ES_AUTH: ElasticsearchSettings = { nodes: ['http://localhost:9200'], insecure: false };

describe('Kibana settings of setup', () => {
  const folder = mkdtempSync(join(tmpdir(), 'kibana-settings-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('is off without a Kibana URL', () => {
    assert.equal(resolveKibanaSettings({ flags: {}, env: {}, elasticsearch: NO_ES_AUTH }), undefined);
  });

  it('takes flags over the environment, and treats the default space as no space', () => {
    const settings = resolveKibanaSettings({
      flags: { 'kibana-url': 'https://kibana.example:5601/base/', 'kibana-space': 'ops' },
      env: { KIBANA_URL: 'http://ignored:5601', KIBANA_SPACE: 'ignored' },
      elasticsearch: NO_ES_AUTH,
    });
    assert.deepEqual(settings, {
      url: 'https://kibana.example:5601/base',
      space: 'ops',
      rejectUnauthorized: true,
    });
    const defaultSpace = resolveKibanaSettings({
      flags: {},
      env: { KIBANA_URL: 'http://kibana:5601', KIBANA_SPACE: 'default' },
      elasticsearch: NO_ES_AUTH,
    });
    assert.equal(defaultSpace?.space, undefined);
  });

  it('uses its own credentials first, else the Elasticsearch ones', () => {
    const es: ElasticsearchSettings = { ...NO_ES_AUTH, username: 'elastic', password: 'es-password-1' };
    const env = { KIBANA_URL: 'http://kibana:5601' };
    assert.deepEqual(resolveKibanaSettings({ flags: {}, env, elasticsearch: es })?.auth, {
      username: 'elastic',
      password: 'es-password-1',
    });
    assert.deepEqual(
      resolveKibanaSettings({ flags: {}, env, elasticsearch: { ...NO_ES_AUTH, apiKey: 'es-api-key-1' } })
        ?.auth,
      { apiKey: 'es-api-key-1' },
    );
    const own = resolveKibanaSettings({
      flags: {},
      env: { ...env, KIBANA_USERNAME: 'kibana-admin', KIBANA_PASSWORD: 'kb-password-1' },
      elasticsearch: es,
    });
    assert.deepEqual(own?.auth, { username: 'kibana-admin', password: 'kb-password-1' });
  });

  it('reads secrets and the CA from files, and registers the secrets for scrubbing', () => {
    const keyFile = join(folder, 'api-key');
    const caFile = join(folder, 'ca.pem');
    writeFileSync(keyFile, 'kibana-key-from-file\n');
    writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const settings = resolveKibanaSettings({
      flags: {},
      env: {
        KIBANA_URL: 'https://kibana:5601',
        KIBANA_API_KEY_FILE: keyFile,
        KIBANA_CA_CERT: caFile,
        KIBANA_INSECURE_SKIP_TLS_VERIFY: 'false',
      },
      elasticsearch: NO_ES_AUTH,
    });
    assert.deepEqual(settings?.auth, { apiKey: 'kibana-key-from-file' });
    assert.match(settings?.ca ?? '', /BEGIN CERTIFICATE/);
    assert.equal(settings?.rejectUnauthorized, true);
    assert.equal(scrubSecrets('key kibana-key-from-file'), 'key [REDACTED]');
  });

  it('reports every problem at once, without quoting a password', () => {
    assert.throws(
      () =>
        resolveKibanaSettings({
          flags: { 'kibana-space': 'Ops Team' },
          env: {
            KIBANA_URL: 'ftp://admin:url-password-9@kibana',
            KIBANA_USERNAME: 'admin',
            KIBANA_PASSWORD_FILE: join(folder, 'missing'),
            KIBANA_INSECURE_SKIP_TLS_VERIFY: 'maybe',
          },
          elasticsearch: NO_ES_AUTH,
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        for (const expected of [
          /must be an http\(s\) URL/,
          /must not carry credentials/,
          /"Ops Team" is not a Kibana space id/,
          /KIBANA_PASSWORD_FILE: cannot read/,
          /needs both KIBANA_USERNAME and KIBANA_PASSWORD/,
          /KIBANA_INSECURE_SKIP_TLS_VERIFY "maybe"/,
        ]) {
          assert.match(error.message, expected);
        }
        assert.doesNotMatch(error.message, /url-password-9/);
        return true;
      },
    );
  });
});

describe('saved objects for another index prefix', () => {
  it('points only the data views elsewhere', () => {
    const shipped = readSavedObjects();
    const moved = withIndexPrefix(shipped, 'acme');
    const changed = moved.filter(
      (object, index) => JSON.stringify(object) !== JSON.stringify(shipped[index]),
    );
    assert.deepEqual(
      changed.map((object) => [object.type, object.attributes.title]),
      [
        ['index-pattern', 'acme-logs*'],
        ['index-pattern', 'acme-executions*'],
      ],
    );
    assert.deepEqual(dataViewPatterns('talend'), ['talend-logs*', 'talend-executions*']);
    assert.equal(shipped[0]?.attributes.title, 'talend-logs*', 'the shipped objects are left untouched');
  });
});
