import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/common/errors.ts';
import { scrubSecrets } from '../../src/common/secrets.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { FlagValues } from '../../src/config/setting-source.ts';
import { indexNames } from '../../src/config/index-names.ts';
import { readSavedObjects, withIndexPrefix } from '../../src/kibana/saved-objects.ts';

/** The Kibana settings `setup` reads, as loadConfig resolves them with the rest. */
function resolveKibanaSettings(input: { flags: FlagValues; env: NodeJS.ProcessEnv }) {
  return loadConfig({ ...input, needs: { talend: false, elasticsearch: true, kibana: true } }).kibana;
}

describe('Kibana settings of setup', () => {
  const folder = mkdtempSync(join(tmpdir(), 'kibana-settings-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('is off without a Kibana URL', () => {
    assert.equal(resolveKibanaSettings({ flags: {}, env: {} }), undefined);
  });

  it('takes flags over the environment, and treats the default space as no space', () => {
    const settings = resolveKibanaSettings({
      flags: { 'kibana-url': 'https://kibana.example:5601/base/', 'kibana-space': 'ops' },
      env: { KIBANA_URL: 'http://ignored:5601', KIBANA_SPACE: 'ignored' },
    });
    assert.deepEqual(settings, {
      url: 'https://kibana.example:5601/base',
      space: 'ops',
      rejectUnauthorized: true,
    });
    const defaultSpace = resolveKibanaSettings({
      flags: {},
      env: { KIBANA_URL: 'http://kibana:5601', KIBANA_SPACE: 'default' },
    });
    assert.equal(defaultSpace?.space, undefined);
  });

  it('uses its own credentials first, else the Elasticsearch ones', () => {
    const es = { ES_USERNAME: 'elastic', ES_PASSWORD: 'es-password-1' };
    const env = { KIBANA_URL: 'http://kibana:5601' };
    assert.deepEqual(resolveKibanaSettings({ flags: {}, env: { ...env, ...es } })?.auth, {
      username: 'elastic',
      password: 'es-password-1',
    });
    assert.deepEqual(
      resolveKibanaSettings({ flags: {}, env: { ...env, ES_API_KEY: 'es-api-key-1' } })?.auth,
      { apiKey: 'es-api-key-1' },
    );
    const own = resolveKibanaSettings({
      flags: {},
      env: { ...env, ...es, KIBANA_USERNAME: 'kibana-admin', KIBANA_PASSWORD: 'kb-password-1' },
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
    const moved = withIndexPrefix(shipped, indexNames('acme'));
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
    assert.deepEqual(indexNames('talend').dataViewPatterns, ['talend-logs*', 'talend-executions*']);
    assert.equal(shipped[0]?.attributes.title, 'talend-logs*', 'the shipped objects are left untouched');
  });
});

describe('Kibana settings in the settings table', () => {
  it('come from the config file like any other setting, and are read only for setup', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kibana-file-')), 'talend-logs.yaml');
    writeFileSync(
      file,
      'kibana:\n  url: https://kibana.example:5601\n  space: ops\n  insecureSkipTlsVerify: true\n',
    );
    const setup = loadConfig({
      flags: { config: file },
      env: {},
      needs: { talend: false, elasticsearch: true, kibana: true },
    });
    assert.deepEqual(setup.kibana, {
      url: 'https://kibana.example:5601',
      space: 'ops',
      rejectUnauthorized: false,
    });
    const sync = loadConfig({
      flags: { config: file },
      env: { KIBANA_URL: 'not a url' },
      needs: { talend: false, elasticsearch: true },
    });
    assert.equal(sync.kibana, undefined);
  });
});
