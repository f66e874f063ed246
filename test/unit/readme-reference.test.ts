import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SETTINGS, type SettingSpec } from '../../src/config/settings.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README configuration reference', () => {
  it('documents every flag and environment variable the CLI reads', () => {
    for (const [name, spec] of Object.entries(SETTINGS) as [string, SettingSpec][]) {
      if (name === 'config') continue;
      if (spec.flag) assert.ok(readme.includes(`\`--${spec.flag}\``), `README lacks --${spec.flag}`);
      if (spec.env)
        assert.ok(
          readme.includes(`\`${spec.env}\``) || readme.includes(`\`${spec.env}\` (`),
          `README lacks ${spec.env}`,
        );
    }
  });

  it('gives the test command that .ci/run runs', () => {
    const ci = readFileSync(new URL('../../.ci/run', import.meta.url), 'utf8');
    const command = /readonly TEST_COMMAND="([^"]+)"/.exec(ci)?.[1];
    assert.ok(command, '.ci/run names its test command');
    assert.ok(readme.includes(command), `README does not give "${command}"`);
  });
});
