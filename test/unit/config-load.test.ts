import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/common/errors.ts';
import { scrubSecrets } from '../../src/common/secrets.ts';
import type { Config } from '../../src/config/config.ts';
import { loadConfig } from '../../src/config/load.ts';
import { parseDate, parseDuration, parseShard, parseSize } from '../../src/config/parse-values.ts';
import {
  defaultOf,
  SETTINGS,
  type SettingName,
  type SettingSpec,
  type SettingWithDefault,
} from '../../src/config/settings.ts';

const both = { talend: true, elasticsearch: true };
const NOW = Date.parse('2026-11-22T12:00:00Z');

function problemsOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  it('takes flags over environment over the config file, then defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      'talend:\n  region: ap\nindexPrefix: fromfile\nsync:\n  concurrency: 7\n  settleDelay: 1m\n',
    );
    const config = loadConfig({
      flags: { config: file, concurrency: '3' },
      env: { TALEND_REGION: 'eu', TALEND_TOKEN: 'pat-value-123' },
      needs: both,
    });
    assert.equal(config.talend.region, 'eu');
    assert.equal(config.indexPrefix, 'fromfile');
    assert.equal(config.sync.concurrency, 3);
    assert.equal(config.sync.settleDelayMs, 60_000);
    assert.equal(config.sync.lookbackMs, 86_400_000);
    assert.deepEqual(config.elasticsearch.nodes, ['http://localhost:9200']);
    assert.deepEqual(config.talend.auth, { kind: 'pat', token: 'pat-value-123' });
  });

  it('reads the OAuth audience override from flag, environment or file, and leaves it unset otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'talend:\n  region: eu\n  oauthAudience: https://from-file.example\n');
    const load = (flags: Record<string, string>, env: NodeJS.ProcessEnv = {}) =>
      loadConfig({ flags, env: { TALEND_TOKEN: 'pat-value-123', ...env }, needs: both }).talend.oauthAudience;
    assert.equal(load({ config: file }), 'https://from-file.example');
    assert.equal(
      load({ config: file }, { TALEND_OAUTH_AUDIENCE: 'https://from-env.example' }),
      'https://from-env.example',
    );
    assert.equal(
      load(
        { config: file, 'talend-oauth-audience': 'https://from-flag.example' },
        { TALEND_OAUTH_AUDIENCE: 'https://from-env.example' },
      ),
      'https://from-flag.example',
    );
    assert.equal(load({}, { TALEND_REGION: 'eu' }), undefined);
  });

  it('reads secrets from *_FILE variables and registers them for scrubbing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    writeFileSync(join(dir, 'secret'), 'client-secret-from-file\n');
    const config = loadConfig({
      flags: {},
      env: {
        TALEND_API_URL: 'http://127.0.0.1:1',
        TALEND_CLIENT_ID: 'id-1',
        TALEND_CLIENT_SECRET_FILE: join(dir, 'secret'),
        ES_URL: 'http://127.0.0.1:9200,http://127.0.0.2:9200',
        ES_USERNAME: 'elastic',
        ES_PASSWORD: 'es-password-xyz',
      },
      needs: both,
    });
    assert.deepEqual(config.talend.auth, {
      kind: 'serviceAccount',
      clientId: 'id-1',
      clientSecret: 'client-secret-from-file',
    });
    assert.deepEqual(config.elasticsearch.nodes, ['http://127.0.0.1:9200', 'http://127.0.0.2:9200']);
    assert.equal(
      scrubSecrets('secret=client-secret-from-file pw=es-password-xyz'),
      'secret=[REDACTED] pw=[REDACTED]',
    );
  });

  it('reports every problem at once, each with what to do', () => {
    const message = problemsOf(() =>
      loadConfig({
        flags: { concurrency: 'many', 'index-prefix': 'Bad*Prefix', shard: '3/3' },
        env: { TALEND_REGION: 'Europe West' },
        needs: both,
      }),
    );
    assert.match(message, /TALEND_REGION "Europe West" is not valid: expected a Talend region id/);
    assert.doesNotMatch(message, /Talend region missing/, 'an invalid region is not also a missing one');
    assert.match(message, /TALEND_TOKEN/);
    assert.match(message, /--concurrency \/ SYNC_CONCURRENCY "many" is not valid: expected a whole number/);
    assert.match(message, /"Bad\*Prefix" is not a valid index prefix/);
    assert.match(message, /"3\/3" is not valid: expected i\/n with 0 <= i < n/);
  });

  it('names an invalid Talend quota once, though two API groups share it', () => {
    const message = problemsOf(() =>
      loadConfig({
        flags: {},
        env: { TALEND_REGION: 'eu', TALEND_TOKEN: 't', TALEND_PROCESSING_RATE_LIMIT: '0' },
        needs: both,
        now: NOW,
      }),
    );
    assert.equal(message.split('TALEND_PROCESSING_RATE_LIMIT').length - 1, 1, message);
  });

  it('validates backfill ranges', () => {
    const env = { TALEND_REGION: 'us', TALEND_TOKEN: 'pat-value-123' };
    assert.match(
      problemsOf(() => loadConfig({ flags: { backfill: true }, env, needs: both, now: NOW })),
      /needs --from/,
    );
    assert.match(
      problemsOf(() =>
        loadConfig({ flags: { backfill: true, from: 'yesterday' }, env, needs: both, now: NOW }),
      ),
      /--from "yesterday" is not valid: expected a real date up to now/,
    );
    assert.match(
      problemsOf(() =>
        loadConfig({
          flags: { backfill: true, from: '2026-11-20', to: '2026-11-01' },
          env,
          needs: both,
          now: NOW,
        }),
      ),
      /must be before --to/,
    );
    assert.match(
      problemsOf(() => loadConfig({ flags: { from: '2026-11-01' }, env, needs: both })),
      /add --backfill/,
    );
    const config = loadConfig({ flags: { backfill: true, from: 'now-90d' }, env, needs: both, now: NOW });
    assert.deepEqual(config.sync.backfill, { from: NOW - 90 * 86_400_000, to: NOW });
  });

  it('reads the outage budget from a flag, the environment or the file, 2 minutes by default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ retry: { outageBudget: '5m' } }));
    const env = { TALEND_REGION: 'eu', TALEND_TOKEN: 'pat-value-123' };
    const budget = (flags: Record<string, string>, extra: Record<string, string> = {}) =>
      loadConfig({ flags, env: { ...env, ...extra }, needs: both }).services.elasticsearch.retry.budgetMs;
    assert.equal(budget({}), 120_000);
    assert.equal(budget({ config: file }), 300_000);
    assert.equal(budget({ config: file }, { OUTAGE_BUDGET: '45s' }), 45_000);
    assert.equal(budget({ config: file, 'outage-budget': '10s' }, { OUTAGE_BUDGET: '45s' }), 10_000);
    assert.match(
      problemsOf(() => budget({ 'outage-budget': 'forever' })),
      /--outage-budget \/ OUTAGE_BUDGET "forever" is not valid: expected a duration/,
    );
  });

  it('needs no Talend credentials for commands that only read Elasticsearch', () => {
    const config = loadConfig({
      flags: {},
      env: { ES_URL: 'http://127.0.0.1:9250' },
      needs: { talend: false, elasticsearch: true },
    });
    assert.equal(config.talend.auth, undefined);
  });

  it('refuses a token and a service account together', () => {
    assert.match(
      problemsOf(() =>
        loadConfig({
          flags: {},
          env: {
            TALEND_REGION: 'us',
            TALEND_TOKEN: 'pat-value-123',
            TALEND_CLIENT_ID: 'x',
            TALEND_CLIENT_SECRET: 'secret-1',
          },
          needs: both,
        }),
      ),
      /Both a Talend token and a service account/,
    );
  });
});

describe('the config file', () => {
  const env = { TALEND_REGION: 'us', TALEND_TOKEN: 'pat-value-123' };
  const fileWith = (name: string, text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'cfg-')), name);
    writeFileSync(path, text);
    return path;
  };

  it('refuses keys the settings table does not know, naming the key meant', () => {
    const path = fileWith(
      'talend-logs.yaml',
      'sync:\n  concurency: 8\nindexprefix: x\nbulk: 3\nverbose: true\n',
    );
    const message = problemsOf(() => loadConfig({ flags: { config: path }, env, needs: both }));
    assert.match(
      message,
      /Unknown key "sync\.concurency" in the config file ".*": did you mean sync\.concurrency\?/,
    );
    assert.match(message, /Unknown key "indexprefix" .*did you mean indexPrefix\?/);
    assert.match(message, /"bulk" in the config file ".*" must hold keys such as bulk\.size, not a value/);
    assert.match(message, /Unknown key "verbose" .*README's configuration reference list the keys/);
  });

  it('reads dotted keys written flat as the nested ones, and refuses one given both ways', () => {
    const flat = fileWith(
      'flat.yaml',
      'elasticsearch.url: http://10.0.0.9:9200\nsync.concurrency: 3\ntalend:\n  rateLimits.monitoringPerMinute: 90\n',
    );
    const config = loadConfig({ flags: { config: flat }, env, needs: both });
    assert.deepEqual(config.elasticsearch.nodes, ['http://10.0.0.9:9200']);
    assert.equal(config.sync.concurrency, 3);
    assert.equal(config.services.talend.client.rateLimits.monitoringPerMinute, 90);
    const twice = fileWith('twice.json', JSON.stringify({ 'bulk.size': '1mb', bulk: { size: '2mb' } }));
    assert.match(
      problemsOf(() => loadConfig({ flags: { config: twice }, env, needs: both })),
      /"bulk\.size" is given twice in the config file ".*twice\.json" \(flat and nested\): keep one of them\./,
    );
    const unknown = fileWith('proto.json', '{"__proto__": {"indexPrefix": "x"}, "sync.concurency": 2}');
    const message = problemsOf(() => loadConfig({ flags: { config: unknown }, env, needs: both }));
    assert.match(message, /Unknown key "__proto__"/);
    const bare = fileWith('bare.yaml', 'sync.lookback: 48\n');
    assert.match(
      problemsOf(() => loadConfig({ flags: { config: bare }, env, needs: both })),
      /config file key sync\.lookback "48" is not valid: expected a duration with its unit .* write 48s, 48m, 48h or 48d\./,
    );
    assert.match(message, /Unknown key "sync\.concurency" .*did you mean sync\.concurrency\?/);
  });

  it('tells JSON from YAML by the content, whatever the file is named', () => {
    const yaml = fileWith('settings.conf', '# YAML\nsync:\n  concurrency: 6\n');
    assert.equal(loadConfig({ flags: { config: yaml }, env, needs: both }).sync.concurrency, 6);
    const json = fileWith('settings.cfg', '\n  {"sync": {"concurrency": 7}, "tasks": ["a", "b"]}');
    const config = loadConfig({ flags: { config: json }, env, needs: both });
    assert.equal(config.sync.concurrency, 7);
    assert.deepEqual(config.selection.taskIds, ['a', 'b']);
    const yamlNamedJson = fileWith('settings.json', 'sync:\n  concurrency: 5\n');
    assert.equal(loadConfig({ flags: { config: yamlNamedJson }, env, needs: both }).sync.concurrency, 5);
  });

  it('reads the format --config-format gives, and says how to give it when the guess fails', () => {
    const flow = fileWith('settings.conf', '{sync: {concurrency: 9}}');
    assert.match(
      problemsOf(() => loadConfig({ flags: { config: flow }, env, needs: both })),
      /is not valid JSON \(it starts with "\{"\): .*If it is YAML, say so with --config-format yaml\./,
    );
    const flags = { config: flow, 'config-format': 'yaml' };
    assert.equal(loadConfig({ flags, env, needs: both }).sync.concurrency, 9);
    assert.equal(
      loadConfig({ flags: { config: flow }, env: { ...env, TALEND_LOGS_CONFIG_FORMAT: 'YAML' }, needs: both })
        .sync.concurrency,
      9,
    );
    assert.match(
      problemsOf(() => loadConfig({ flags: { ...flags, 'config-format': 'toml' }, env, needs: both })),
      /--config-format \/ TALEND_LOGS_CONFIG_FORMAT "toml" is not valid: expected one of json, yaml\./,
    );
  });
});

describe('LOG_FORMAT', () => {
  const load = (env: NodeJS.ProcessEnv, isTty: boolean) =>
    loadConfig({
      flags: {},
      env: { ES_URL: 'http://127.0.0.1:9250', ...env },
      needs: { talend: false, elasticsearch: true },
      isTty,
    });

  it('is pretty on a terminal and JSON elsewhere, unless told', () => {
    assert.equal(load({}, true).log.pretty, true);
    assert.equal(load({}, false).log.pretty, false);
    assert.equal(load({ LOG_FORMAT: 'json' }, true).log.pretty, false);
    assert.equal(load({ LOG_FORMAT: 'Pretty' }, false).log.pretty, true);
  });

  it('refuses another format', () => {
    assert.match(
      problemsOf(() => load({ LOG_FORMAT: 'logfmt' }, false)),
      /--log-format \/ LOG_FORMAT "logfmt" is not valid: expected one of json, pretty\./,
    );
  });
});

describe('--no-<flag>', () => {
  it('turns a boolean off over the environment and the terminal default', () => {
    const config = loadConfig({
      flags: { progress: false, ilm: false },
      env: { PROGRESS: 'true', ILM_ENABLED: 'true', ES_URL: 'http://127.0.0.1:9250' },
      needs: { talend: false, elasticsearch: true },
      isTty: true,
    });
    assert.equal(config.log.progress, false);
    assert.equal(config.ilm.enabled, false);
  });
});

describe('TALEND_LOG_FORMAT', () => {
  it('is read as TALEND_LOG_FILE_FORMAT, its new name, with a warning; the new name wins', () => {
    const warnings: string[] = [];
    const load = (env: NodeJS.ProcessEnv) =>
      loadConfig({
        flags: {},
        env: { ES_URL: 'http://127.0.0.1:9250', ...env },
        needs: { talend: false, elasticsearch: true },
        warnings,
      });
    assert.equal(load({ TALEND_LOG_FORMAT: 'text' }).sync.fileFormat, 'TEXT');
    assert.deepEqual(warnings, [
      'TALEND_LOG_FORMAT is deprecated: rename it TALEND_LOG_FILE_FORMAT (same values).',
    ]);
    assert.equal(load({ TALEND_LOG_FORMAT: 'TEXT', TALEND_LOG_FILE_FORMAT: 'JSON' }).sync.fileFormat, 'JSON');
    assert.equal(warnings.length, 1, 'no warning when the new name is set');
  });
});

describe('value parsers', () => {
  it('takes only dates and times that exist, never rolling one over', () => {
    assert.equal(parseDate('2028-02-29', NOW), Date.parse('2028-02-29T00:00:00Z'));
    for (const text of ['2026-13-01', '2026-02-30', '2027-02-29', '2026-04-31', '2026-00-10', '2026-01-00'])
      assert.equal(parseDate(text, NOW), undefined, text);
    for (const text of [
      '2026-01-31T24:00',
      '2026-01-31T10:60',
      '2026-01-31T10:00:60',
      '2026-01-31T10:00+25:00',
    ])
      assert.equal(parseDate(text, NOW), undefined, text);
    assert.equal(parseDate('99999999999999999', NOW), undefined, 'beyond what a Date holds');
  });

  it('needs a unit in a duration, and reads binary size units', () => {
    assert.equal(parseDuration('48'), undefined);
    assert.equal(parseDate('now-30', NOW), undefined);
    assert.equal(parseDuration('500 ms'), 500);
    assert.equal(parseSize('2MiB'), 2 * 1024 * 1024);
    assert.equal(parseSize('2mb'), parseSize('2mib'));
    assert.equal(parseSize('512'), 512);
  });

  it('parses durations, sizes, shards and dates as users write them', () => {
    assert.equal(parseDuration('30s'), 30_000);
    assert.equal(parseDuration('1.5h'), 5_400_000);
    assert.equal(parseDuration('soon'), undefined);
    assert.equal(parseSize('5mb'), 5 * 1024 * 1024);
    assert.deepEqual(parseShard('1/4'), { index: 1, count: 4 });
    assert.equal(parseShard('4/4'), undefined);
    assert.equal(parseDate('2026-01-31', NOW), Date.parse('2026-01-31T00:00:00Z'));
    assert.equal(parseDate('2026-01-31T10:00', NOW), Date.parse('2026-01-31T10:00:00Z'));
    assert.equal(parseDate('2026-01-31T10:00:00+02:00', NOW), Date.parse('2026-01-31T08:00:00Z'));
    assert.equal(parseDate('now-7d', NOW), NOW - 7 * 86_400_000);
    assert.equal(parseDate('31/01/2026', NOW), undefined);
  });
});

describe('defaults', () => {
  const DAY_MS = 86_400_000;
  /** Where each setting with a default lands in the Config: a new one fails to compile until added. */
  const WHERE: Record<SettingWithDefault, (config: Config) => unknown> = {
    talendInsecure: (config) => config.talend.insecure,
    monitoringRateLimit: (config) => config.services.talend.client.rateLimits.monitoringPerMinute,
    processingRateLimit: (config) => config.services.talend.client.rateLimits.processingPerMinute,
    statusMaxWait: (config) => config.services.talend.client.statusPoll.maxWaitMs,
    outageBudget: (config) => config.services.elasticsearch.retry.budgetMs,
    esUrl: (config) => config.elasticsearch.nodes,
    esInsecure: (config) => config.elasticsearch.insecure,
    indexPrefix: (config) => config.indexPrefix,
    concurrency: (config) => config.sync.concurrency,
    settleDelay: (config) => config.sync.settleDelayMs,
    lookback: (config) => config.sync.lookbackMs,
    listingOverlap: (config) => config.sync.listingOverlapMs,
    leaseTtl: (config) => config.sync.leaseTtlMs,
    maxAttempts: (config) => config.sync.maxExecutionAttempts,
    fileFormat: (config) => config.sync.fileFormat,
    dryRun: (config) => config.sync.dryRun,
    backfill: (config) => config.sync.backfill !== undefined,
    bulkSize: (config) => config.bulk.flushBytes,
    bulkConcurrency: (config) => config.bulk.concurrency,
    bulkRetries: (config) => config.services.elasticsearch.itemRetries,
    ilm: (config) => config.ilm.enabled,
    ilmDeleteAfter: (config) => config.ilm.deleteAfterDays * DAY_MS,
    logLevel: (config) => config.log.level,
    kibanaInsecure: (config) => config.kibana?.rejectUnauthorized === false,
  };

  it('gives every setting the parsed default of the settings table when nothing sets it', () => {
    // A Kibana URL (a setting without default) so that the Kibana settings are read as well.
    const config = loadConfig({
      flags: {},
      env: { KIBANA_URL: 'http://kibana:5601' },
      needs: { talend: false, elasticsearch: true, kibana: true },
    });
    const withDefault = (Object.keys(SETTINGS) as SettingName[]).filter(
      (name) => (SETTINGS[name] as SettingSpec).default !== undefined,
    );
    assert.deepEqual(withDefault.toSorted(), Object.keys(WHERE).toSorted());
    for (const name of withDefault as SettingWithDefault[]) {
      assert.deepEqual(WHERE[name](config), defaultOf(name), name);
    }
  });
});
