import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { indexNames } from '../../src/config/index-names.ts';
import { SETTINGS, type SettingName, type SettingSpec } from '../../src/config/settings.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

interface ReferenceRow {
  flag: string;
  env: string;
  file: string;
  default: string;
}

/** The rows of README's configuration reference, their cells trimmed. */
function referenceRows(): ReferenceRow[] {
  const lines = readme.split('\n');
  const header = lines.findIndex((line) => /^\| Flag +\| Environment +\| Config file +\| Default/.test(line));
  assert.ok(header >= 0, 'README has the configuration reference table');
  const rows: ReferenceRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const [flag = '', env = '', file = '', fallback = ''] = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    rows.push({ flag, env, file, default: fallback });
  }
  return rows;
}

describe('README configuration reference', () => {
  const rows = referenceRows();

  it('gives each setting its environment variable, config file key and default as the settings table does', () => {
    for (const [name, spec] of Object.entries(SETTINGS) as [SettingName, SettingSpec][]) {
      const env = spec.env === undefined ? '' : `\`${spec.env}\`${spec.secret ? ' (`_FILE`)' : ''}`;
      const row = rows.find((candidate) =>
        spec.flag === undefined
          ? candidate.flag === '' && candidate.env === env
          : candidate.flag.split(', ').includes(`\`--${spec.flag}\``),
      );
      assert.ok(row, `README has a row for ${name}`);
      if (row.flag.includes(',')) continue; // one row for --backfill, --from and --to, explained below it
      assert.equal(row.env, env, `environment variable of ${name}`);
      assert.equal(row.file, spec.file === '-' ? '' : `\`${spec.file}\``, `config file key of ${name}`);
      if (spec.default === undefined) {
        assert.doesNotMatch(row.default, /^`.*`$/, `${name} has no default value in the settings table`);
      } else {
        assert.equal(row.default, `\`${spec.default}\``, `default of ${name}`);
      }
    }
  });

  it('has no row for a setting the table does not know', () => {
    const flags = new Set(
      (Object.values(SETTINGS) as SettingSpec[]).flatMap((spec) => (spec.flag ? [`\`--${spec.flag}\``] : [])),
    );
    const envs = new Set((Object.values(SETTINGS) as SettingSpec[]).flatMap((spec) => spec.env ?? []));
    for (const row of rows) {
      if (row.flag !== '') {
        for (const flag of row.flag.split(', '))
          assert.ok(flags.has(flag), `README row ${flag} is a setting`);
      } else {
        assert.ok(envs.has(/^`([A-Z_]+)`/.exec(row.env)?.[1] ?? ''), `README row ${row.env} is a setting`);
      }
    }
  });

  it('gives the test command that .ci/run runs', () => {
    const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
    const command = /readonly TEST_COMMAND="([^"]+)"/.exec(ci)?.[1];
    assert.ok(command, '.ci/run names its test command');
    assert.ok(readme.includes(command), `README does not give "${command}"`);
  });
});

describe('README index layout', () => {
  it('names every index, alias, template, pipeline and policy the connector derives from the prefix, and no other', () => {
    const lines = readme.split('\n');
    const header = lines.findIndex((line) => line === '### Index layout');
    assert.ok(header >= 0, 'README has the index layout');
    const rows = lines.slice(header + 4);
    const table = rows.slice(
      0,
      rows.findIndex((line) => !line.startsWith('|')),
    );
    const documented = new Set(
      table.flatMap((line) =>
        [...(line.split('|')[1] ?? '').matchAll(/`(<prefix>[^`]*)`/g)].map((match) => match[1]!),
      ),
    );
    const names = indexNames('<prefix>');
    const derived = new Set(
      names
        .all()
        .map((name) => (name === names.logsIndex(Date.UTC(9999, 11, 1)) ? '<prefix>-logs-YYYY.MM' : name)),
    );
    assert.deepEqual([...documented].toSorted(), [...derived].toSorted());
  });
});

describe('README Elasticsearch roles', () => {
  it('shows deploy/elasticsearch/roles.yml, the file the secured suite gives Elasticsearch, as it is', () => {
    const roles = readFileSync(new URL('../../deploy/elasticsearch/roles.yml', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('### Elasticsearch roles'));
    const shown = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    assert.equal(shown, roles);
  });
});
