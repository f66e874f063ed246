import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseArguments } from '../../src/cli/arguments.ts';
import { COMMANDS } from '../../src/cli/command-table.ts';
import { commandHelp, helpText } from '../../src/cli/help.ts';
import { closestName } from '../../src/common/closest-name.ts';
import { ConfigError } from '../../src/common/errors.ts';
import { SETTINGS, type SettingSpec } from '../../src/config/settings.ts';

function usageError(argv: string[]): string {
  try {
    parseArguments(argv);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error.message;
  }
  assert.fail(`expected ${argv.join(' ')} to be refused`);
}

describe('parseArguments', () => {
  it('refuses a stray argument, saying the option before it took one value', () => {
    const message = usageError(['sync', '--lookback', '3', 'weeks']);
    assert.match(message, /Unexpected argument "weeks": sync takes no arguments\./);
    assert.match(message, /--lookback took "3" alone: .* quote a value with spaces/);
    assert.match(message, /Run "talend-logs sync --help" for its options\./);
    assert.deepEqual(parseArguments(['sync', '--lookback', '3 weeks']).flags, { lookback: '3 weeks' });
  });

  it('takes the arguments a command names, and no more', () => {
    assert.deepEqual(parseArguments(['ingest-file', 'a.log', '--execution', 'e1']), {
      command: 'ingest-file',
      positionals: ['a.log'],
      flags: { execution: 'e1' },
    });
    assert.match(usageError(['ingest-file', 'a.log', 'b.log']), /"b\.log": ingest-file takes FILE only/);
  });

  it('refuses unknown options with the closest one, and options of other commands with their owners', () => {
    assert.match(
      usageError(['sync', '--concurency', '3']),
      /Unknown option '--concurency' \(did you mean --concurrency\?\)/,
    );
    assert.match(usageError(['sync', '-x']), /^Unknown option '-x'\. Run/);
    assert.match(
      usageError(['status', '--kibana-url', 'http://k']),
      /--kibana-url is not an option of status; it is one of setup\./,
    );
    assert.match(usageError(['--lookback', '1h']), /name the command first \(talend-logs sync --lookback/);
    assert.match(usageError(['synk']), /Unknown command "synk" \(did you mean sync\?\)/);
  });

  it('turns every boolean setting off with --no-<flag>, and refuses a value given to a switch', () => {
    assert.deepEqual(parseArguments(['sync', '--no-progress', '--dry-run']).flags, {
      progress: false,
      'dry-run': true,
    });
    assert.deepEqual(parseArguments(['sync', '--progress']).flags, { progress: true });
    for (const spec of Object.values(SETTINGS) as SettingSpec[]) {
      if (!spec.boolean || spec.flag === undefined) continue;
      const command = spec.group === 'kibana' ? 'setup' : 'sync';
      assert.equal(parseArguments([command, `--no-${spec.flag}`]).flags[spec.flag], false, spec.flag);
    }
    assert.match(usageError(['sync', '--progress=false']), /write --progress or --no-progress/);
    assert.match(usageError(['status', '--no-json']), /Unknown option '--no-json'/);
  });

  it('wants a value after an option that takes one', () => {
    assert.match(usageError(['sync', '--lookback']), /--lookback needs a value\./);
    assert.match(usageError(['sync', '--lookback', '--dry-run']), /is written --lookback=VALUE/);
    assert.deepEqual(parseArguments(['sync', '--task=a', '--task', 'b']).flags, { task: ['a', 'b'] });
  });

  it('reads "help COMMAND" as COMMAND --help, and takes --help and --version without a command', () => {
    assert.deepEqual(parseArguments(['help', 'setup']), {
      command: 'setup',
      positionals: [],
      flags: { help: true },
    });
    assert.deepEqual(parseArguments(['-h']), { command: undefined, positionals: [], flags: { help: true } });
    assert.deepEqual(parseArguments(['--version']).flags, { version: true });
  });
});

describe('help', () => {
  it('lists each command once, and per command exactly the options it takes', () => {
    const top = helpText('1.2.3');
    for (const name of Object.keys(COMMANDS)) assert.match(top, new RegExp(`^  ${name} +\\S`, 'm'));
    const sync = commandHelp('sync');
    assert.match(sync, /^Usage: talend-logs sync \[options\]/);
    assert.match(sync, /^ {2}--lookback, SYNC_LOOKBACK, sync\.lookback\n {6}.*\[default: 24h\]/m);
    assert.match(sync, /^ {2}--\[no-\]progress, PROGRESS, log\.progress$/m);
    assert.match(sync, /^ {2}TALEND_TOKEN, talend\.token$/m);
    assert.doesNotMatch(sync, /--kibana-url|--execution/);
    const ingest = commandHelp('ingest-file');
    assert.match(ingest, /^Usage: talend-logs ingest-file FILE --task ID --execution ID \[options\]/);
    assert.match(ingest, /^ {2}--task, TALEND_TASK_IDS, tasks$/m);
    assert.doesNotMatch(ingest, /--lookback|--talend-region|--environment/);
    assert.match(commandHelp('setup'), /^ {2}--kibana-url, KIBANA_URL, kibana\.url$/m);
  });
});

describe('closestName', () => {
  it('suggests near misses only', () => {
    assert.equal(
      closestName('sync.concurency', ['sync.concurrency', 'bulk.concurrency']),
      'sync.concurrency',
    );
    assert.equal(closestName('lookbak', ['lookback', 'lease-ttl']), 'lookback');
    assert.equal(closestName('x', ['to', 'from']), undefined);
    assert.equal(closestName('elasticsearch.hosts', ['elasticsearch.url']), 'elasticsearch.url');
    assert.equal(closestName('verbose', ['lookback', 'shard']), undefined);
  });
});
