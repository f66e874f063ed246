/**
 * Property-based: values generated for every setting, through its flag, its environment variable and
 * its config file key, each judged by a model of what the setting accepts written here, apart from
 * the parsers: an invalid value must be refused (exit 2, nothing fetched or written), a valid one
 * accepted.
 *
 * Most values are judged in-process, through the same argument parser and config loader the CLI
 * runs: a CLI start costs seconds of CPU on a loaded machine, and the thousands of values that make
 * the property worth having would take an hour as child processes. A sample drawn from the same
 * generators then goes through the real CLI against the simulator and Elasticsearch, to show that
 * the in-process verdict is the process's: exit 2 with nothing fetched or written, or a run that
 * goes through.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { commandSettings, parseArguments } from '../../src/cli/arguments.ts';
import { COMMANDS, type CommandSpec } from '../../src/cli/command-table.ts';
import { ConfigError } from '../../src/common/errors.ts';
import { loadConfig } from '../../src/config/load.ts';
import { SETTINGS, type SettingName, type SettingSpec } from '../../src/config/settings.ts';
import { uniquePrefix } from '../support/elasticsearch.ts';
import { startJobHarness, type JobHarness } from '../support/job-harness.ts';

const NOW = Date.UTC(2026, 11, 7, 12, 0, 0);
const DAY = 86_400_000;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: DAY };
/** Enough values per setting and channel to meet each rule's edges; a few seconds in all. */
const RUNS = 60;
/** Dates are judged with a backfill whose other end is fixed: --to now, or --from this. */
const BACKFILL_FROM = '1990-01-01';

/** A value as typed, and whether the setting must accept it. */
interface Sample {
  text: string;
  valid: boolean;
}

/** How to generate a setting's values and judge them; `env` completes what the setting needs. */
interface Model {
  values: fc.Arbitrary<Sample>;
  env?: NodeJS.ProcessEnv;
}

const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 _.\-/]{0,12}$/);

function duration(min: string, max = '3650d'): Model {
  const bounds = [min, max].map((text) => Number(/^\d+/.exec(text)![0]) * UNITS[/[a-z]+$/.exec(text)![0]]!);
  return {
    values: fc
      .record({
        number: fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.constantFrom(0.5, 1.5, 3651, 4_000_000_000)),
        unit: fc.constantFrom('', 'ms', 's', 'm', 'h', 'd', 'S', 'H', 'w', 'sec', 'days'),
        space: fc.constantFrom('', ' '),
      })
      .map(({ number, unit, space }) => {
        const factor = UNITS[unit.toLowerCase()];
        const ms = factor === undefined ? undefined : Math.round(number * factor);
        return {
          text: `${number}${space}${unit}`,
          valid: ms !== undefined && ms >= bounds[0]! && ms <= bounds[1]!,
        };
      }),
  };
}

const COUNT: Model = {
  values: fc.oneof(
    fc.integer({ min: -3, max: 100_000 }).map((n) => ({ text: String(n), valid: n >= 1 })),
    fc.constantFrom('1.5', '1e3', 'many', '4 ', '99999999999999999999', '0x10').map((text) => ({
      text,
      valid: text === '4 ',
    })),
  ),
};

const BULK_SIZE: Model = {
  values: fc
    .record({
      number: fc.oneof(fc.integer({ min: 0, max: 200_000 }), fc.constantFrom(0.5, 1.5, 63, 64, 65)),
      unit: fc.constantFrom('', 'b', 'kb', 'mb', 'gb', 'KB', 'MiB', 'kib', 'tb', 'k', 'bytes'),
    })
    .map(({ number, unit }) => {
      const factor = { '': 1, b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, kib: 1024, mib: 1024 ** 2 }[
        unit.toLowerCase()
      ];
      const bytes = factor === undefined ? undefined : Math.round(number * factor);
      return {
        text: `${number}${unit}`,
        valid: bytes !== undefined && bytes >= 1024 && bytes <= 64 * 1024 ** 2,
      };
    }),
};

function oneOf(...choices: string[]): Model {
  return {
    values: fc.oneof(
      fc.record({ choice: fc.constantFrom(...choices), upper: fc.boolean() }).map(({ choice, upper }) => ({
        text: upper ? choice.toUpperCase() : choice.toLowerCase(),
        valid: true,
      })),
      word.map((text) => ({
        text,
        valid: choices.some((choice) => choice.toLowerCase() === text.trim().toLowerCase()),
      })),
    ),
  };
}

const BOOLEAN: Model = {
  values: fc.oneof(
    fc.constantFrom('true', 'false', 'yes', 'no', 'on', 'off', '1', '0', 'TRUE', 'Off').map((text) => ({
      text,
      valid: true,
    })),
    fc.constantFrom('2', 'sometimes', 'y', 'enabled').map((text) => ({ text, valid: false })),
  ),
};

const SHARD: Model = {
  values: fc
    .record({
      index: fc.integer({ min: -1, max: 6 }),
      count: fc.integer({ min: -1, max: 6 }),
      sep: fc.constantFrom('/', ' / ', ':'),
    })
    .map(({ index, count, sep }) => ({
      text: `${index}${sep}${count}`,
      valid: sep !== ':' && index >= 0 && count >= 1 && index < count,
    })),
};

function isLeap(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function daysIn(year: number, month: number): number {
  return [31, isLeap(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `bound` judges the instant: before now for --from (whose --to is now), after BACKFILL_FROM for --to. */
function date(bound: (instant: number) => boolean): Model {
  const calendar = fc
    .record({
      year: fc.integer({ min: 1990, max: 2999 }),
      month: fc.integer({ min: 0, max: 13 }),
      day: fc.integer({ min: 0, max: 32 }),
      time: fc.option(
        fc.record({
          hour: fc.integer({ min: 0, max: 24 }),
          minute: fc.integer({ min: 0, max: 60 }),
          second: fc.integer({ min: 0, max: 60 }),
          zone: fc.constantFrom('', 'Z', '+02:00', '-05:30'),
        }),
      ),
    })
    .map(({ year, month, day, time }) => {
      const text = `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
      const real = month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
      if (time === null) return { text, valid: real && bound(Date.UTC(year, month - 1, day)) };
      const { hour, minute, second, zone } = time;
      const offset =
        zone === '' || zone === 'Z'
          ? 0
          : (zone.startsWith('-') ? -1 : 1) *
            (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4))) *
            60_000;
      const instant = Date.UTC(year, month - 1, day, hour, minute, second) - offset;
      return {
        text: `${text}T${pad(hour)}:${pad(minute)}:${pad(second)}${zone}`,
        valid: real && hour <= 23 && minute <= 59 && second <= 59 && bound(instant),
      };
    });
  const relative = fc
    .record({
      number: fc.integer({ min: 0, max: 400 }),
      unit: fc.constantFrom('', 'ms', 's', 'm', 'h', 'd', 'w'),
    })
    .map(({ number, unit }) => ({
      text: `now-${number}${unit}`,
      valid: unit !== '' && unit !== 'w' && bound(NOW - number * UNITS[unit]!),
    }));
  const junk = fc
    .constantFrom('yesterday', '31/01/2026', '2026-1-5', 'now+1d', 'now-', '2026-01-31 10:00')
    .map((text) => ({
      text,
      valid: false,
    }));
  return { values: fc.oneof(calendar, relative, junk) };
}

const REGION: Model = {
  values: fc.oneof(
    fc.constantFrom('us', 'eu', 'ap', 'au', 'us-west', 'in', 'sg').map((text) => ({ text, valid: true })),
    word.map((text) => ({ text, valid: /^[a-z0-9-]+$/.test(text.trim()) })),
  ),
};

function httpUrl(env?: NodeJS.ProcessEnv): Model {
  return {
    env,
    values: fc
      .record({
        scheme: fc.constantFrom('http', 'https', 'ftp', 'file'),
        host: fc.constantFrom('127.0.0.1', 'es.example.com', 'talend-proxy'),
        port: fc.constantFrom('', ':9200', ':65535', ':99999'),
      })
      .map(({ scheme, host, port }) => ({
        text: `${scheme}://${host}${port}/`,
        valid: (scheme === 'http' || scheme === 'https') && port !== ':99999',
      })),
  };
}

/** Free text: any value is taken as it is. */
function text(env?: NodeJS.ProcessEnv): Model {
  return {
    env,
    values: word.filter((value) => value.trim() !== '').map((value) => ({ text: value, valid: true })),
  };
}

let existingFile: string;
/** A path: valid when there is a file to read there. */
function path(): Model {
  return {
    values: fc.constantFrom('exists', 'missing').map((which) => ({
      text: which === 'exists' ? existingFile : join(tmpdir(), 'no-such-dir-21', 'cert.pem'),
      valid: which === 'exists',
    })),
  };
}

const NO_TOKEN = { TALEND_TOKEN: '' };

/** Every setting of the table: a new one does not compile until it has a model here. */
const MODELS: Record<SettingName, Model | 'switch'> = {
  config: path(),
  configFormat: oneOf('json', 'yaml'),
  talendRegion: REGION,
  talendUrl: httpUrl(),
  talendToken: text(),
  talendClientId: text({ ...NO_TOKEN, TALEND_CLIENT_SECRET: 'client-secret-21' }),
  talendClientSecret: text({ ...NO_TOKEN, TALEND_CLIENT_ID: 'client-id-21' }),
  talendOauthAudience: text(),
  talendCaCert: path(),
  talendInsecure: BOOLEAN,
  monitoringRateLimit: COUNT,
  processingRateLimit: COUNT,
  statusMaxWait: duration('1s'),
  outageBudget: duration('1s'),
  esUrl: httpUrl(),
  esCloudId: text(),
  esApiKey: text(),
  esUsername: text({ ES_PASSWORD: 'es-password-21' }),
  esPassword: text({ ES_USERNAME: 'elastic' }),
  esCaCert: path(),
  esInsecure: BOOLEAN,
  indexPrefix: {
    values: word.map((value) => ({ text: value, valid: /^[a-z0-9][a-z0-9_.-]*$/.test(value.trim()) })),
  },
  task: text(),
  environment: text(),
  workspace: text(),
  concurrency: COUNT,
  settleDelay: duration('0s'),
  lookback: duration('1s'),
  listingOverlap: duration('0s'),
  leaseTtl: duration('3s', '30d'),
  maxAttempts: COUNT,
  fileFormat: oneOf('JSON', 'TEXT'),
  shard: SHARD,
  dryRun: BOOLEAN,
  backfill: 'switch',
  from: date((instant) => instant < NOW),
  to: date((instant) => instant > Date.UTC(1990, 0, 1) && instant <= NOW),
  bulkSize: BULK_SIZE,
  bulkConcurrency: COUNT,
  bulkRetries: COUNT,
  ilm: BOOLEAN,
  ilmDeleteAfter: duration('1d'),
  kibanaUrl: httpUrl(),
  kibanaSpace: {
    values: word.map((value) => ({ text: value, valid: /^[a-z0-9_-]+$/.test(value.trim()) })),
  },
  kibanaApiKey: text(),
  kibanaUsername: text({ KIBANA_PASSWORD: 'kibana-password-21' }),
  kibanaPassword: text({ KIBANA_USERNAME: 'kibana-user' }),
  kibanaCaCert: path(),
  kibanaInsecure: BOOLEAN,
  logLevel: oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace'),
  logFormat: oneOf('json', 'pretty'),
  progress: BOOLEAN,
};

type Channel = 'flag' | 'env' | 'file';

/** Everything else a valid run needs, so that only the generated value can make it invalid. */
const BASE_ENV: NodeJS.ProcessEnv = {
  TALEND_REGION: 'eu',
  TALEND_TOKEN: 'token-21',
  ES_URL: 'http://127.0.0.1:9200',
  KIBANA_URL: 'http://127.0.0.1:5601',
};

/** A command that takes the setting's flag: its arguments go through the CLI's own parser. */
function commandWith(name: SettingName): string {
  const found = (Object.entries(COMMANDS) as [string, CommandSpec][]).find(([, command]) =>
    commandSettings(command).some(([setting]) => setting === name),
  );
  assert.ok(found, `a command takes the setting ${name}`);
  return found[0];
}

let dir: string;
let fileCount = 0;

/** The configuration's problems for one value of one setting, through one channel; [] when accepted. */
function problemsFor(name: SettingName, channel: Channel, value: string, env: NodeJS.ProcessEnv): string[] {
  const spec: SettingSpec = SETTINGS[name];
  const backfill =
    name === 'from' ? ['--backfill'] : name === 'to' ? ['--backfill', '--from', BACKFILL_FROM] : [];
  let argv = [commandWith(name), ...backfill];
  const environment = { ...BASE_ENV, ...env };
  if (channel === 'flag') argv = [...argv, `--${spec.flag!}=${value}`];
  if (channel === 'env') environment[spec.env!] = value;
  if (channel === 'file') {
    // The environment would win over the file: what the base gives is taken away.
    if (spec.env !== undefined) delete environment[spec.env];
    const keys = spec.file.split('.');
    const nested = keys.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
    const file = join(dir, `settings-${(fileCount += 1)}.json`);
    writeFileSync(file, JSON.stringify(nested));
    argv = [...argv, '--config', file];
  }
  try {
    loadConfig({
      flags: parseArguments(argv).flags,
      env: environment,
      needs: { talend: true, elasticsearch: true, kibana: true },
      now: NOW,
    });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return [error.message];
  }
}

function channelsOf(spec: SettingSpec, model: Model): Channel[] {
  const channels: Channel[] = [];
  // A switch takes no value on the command line: its values come from the environment and the file.
  if (spec.flag !== undefined && !spec.boolean) channels.push('flag');
  if (spec.env !== undefined) channels.push('env');
  if (spec.file !== '-' && model !== undefined) channels.push('file');
  return channels;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'config-properties-'));
  existingFile = join(dir, 'ca.pem');
  writeFileSync(existingFile, '');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('every setting, through each of its channels, refuses what its model refuses and takes the rest', () => {
  for (const [name, model] of Object.entries(MODELS) as [SettingName, Model | 'switch'][]) {
    if (model === 'switch') continue;
    for (const channel of channelsOf(SETTINGS[name], model)) {
      it(`${name} through its ${channel}`, () => {
        fc.assert(
          fc.property(model.values, ({ text, valid }) => {
            const problems = problemsFor(name, channel, text, model.env ?? {});
            if (valid) assert.deepEqual(problems, [], `"${text}" is valid`);
            else assert.equal(problems.length, 1, `"${text}" is refused`);
          }),
          { numRuns: RUNS, seed: 21 },
        );
      });
    }
  }
});

describe('a sample through the real CLI: the in-process verdict is the process exit', () => {
  let target: JobHarness;
  before(async () => {
    target = await startJobHarness('config-properties', {
      tenant: { seed: 21, environments: [], workspaces: [], tasks: [] },
    });
  });
  after(() => target.close());

  /** Settings whose valid values leave the run pointed at the simulator and Elasticsearch. */
  const RUNNABLE: SettingName[] = [
    'concurrency',
    'lookback',
    'leaseTtl',
    'bulkSize',
    'bulkConcurrency',
    'logLevel',
    'shard',
    'settleDelay',
    'ilm',
    'maxAttempts',
  ];
  const draws = fc.sample(
    fc.record({
      name: fc.constantFrom(...RUNNABLE),
      channel: fc.constantFrom<Channel>('flag', 'env', 'file'),
    }),
    { numRuns: 8, seed: 2121 },
  );

  for (const [position, { name, channel: wanted }] of draws.entries()) {
    const model = MODELS[name] as Model;
    const channel = channelsOf(SETTINGS[name], model).includes(wanted) ? wanted : 'env';
    // Valid and invalid values in turn, so that the sample holds both.
    const values = model.values.filter((sample) => sample.valid === (position % 2 === 0));
    const [sample] = fc.sample(values, { numRuns: 1, seed: 21 + position }) as [Sample];
    it(`${name} "${sample.text}" through its ${channel}: ${sample.valid ? 'accepted' : 'exit 2'}`, async () => {
      const spec: SettingSpec = SETTINGS[name];
      const prefix = uniquePrefix(`prop-${name}`);
      const args = ['sync'];
      const env: NodeJS.ProcessEnv = { INDEX_PREFIX: prefix };
      if (channel === 'flag') args.push(`--${spec.flag!}=${sample.text}`);
      if (channel === 'env') env[spec.env!] = sample.text;
      if (channel === 'file') {
        // The harness's environment would win over the file.
        if (spec.env !== undefined) env[spec.env] = '';
        const file = join(dir, `cli-${position}.json`);
        const nested = spec.file
          .split('.')
          .reduceRight<unknown>((inner, key) => ({ [key]: inner }), sample.text);
        writeFileSync(file, JSON.stringify(nested));
        args.push('--config', file);
      }
      assert.equal(
        problemsFor(name, channel, sample.text, {}).length === 0,
        sample.valid,
        'in-process verdict',
      );
      const calls = () => Object.values(target.simulator.stats()).reduce((sum, count) => sum + count, 0);
      const before = calls();
      const result = await target.runCli(args, env);
      try {
        if (sample.valid) {
          assert.equal(result.code, 0, result.stderr);
        } else {
          assert.equal(result.code, 2, result.stderr);
          assert.equal(calls(), before, 'no call to Talend');
          const indices = await target.client.indices.get({ index: `${prefix}*`, allow_no_indices: true });
          assert.deepEqual(Object.keys(indices), [], 'no index created');
        }
      } finally {
        await target.client.indices.delete({
          index: `${prefix}*`,
          allow_no_indices: true,
          ignore_unavailable: true,
        });
      }
    });
  }
});
