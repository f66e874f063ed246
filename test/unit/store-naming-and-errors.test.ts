import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/common/errors.ts';
import { validateIndexPrefix } from '../../src/config/index-prefix.ts';
import { loadConfig } from '../../src/config/load.ts';
import { classifyItemFailure, writeRefused } from '../../src/store/elasticsearch-errors.ts';
import { indexNames, MonthlyIndexNames } from '../../src/config/index-names.ts';

describe('index names', () => {
  it('derives monthly indices, the alias and the dead-letter index from the prefix', () => {
    const talend = indexNames('talend');
    assert.equal(talend.logsIndex(Date.UTC(2024, 0, 31, 23, 59, 59, 999)), 'talend-logs-2024.01');
    assert.equal(talend.logsIndex(Date.UTC(2024, 1, 1)), 'talend-logs-2024.02');
    assert.equal(indexNames('acme').logsAlias, 'acme-logs');
    assert.equal(indexNames('acme').deadLetters, 'acme-deadletter');
    const names = new MonthlyIndexNames(indexNames('x'));
    assert.equal(names.forTimestamp(Date.UTC(2023, 11, 31, 23, 59)), 'x-logs-2023.12');
    assert.equal(names.forTimestamp(Date.UTC(2024, 0, 1)), 'x-logs-2024.01');
    assert.equal(names.forTimestamp(Date.UTC(2023, 11, 1)), 'x-logs-2023.12');
  });

  it('spells every name we give in Elasticsearch, and knows only its own monthly indices', () => {
    const names = indexNames('acme');
    assert.deepEqual(names.all().toSorted(), [
      'acme-deadletter',
      'acme-executions',
      'acme-logs',
      'acme-logs-9999.12',
      'acme-logs-ecs',
      'acme-logs-ingested',
      'acme-logs-policy',
      'acme-logs-settings',
      'acme-logs-talend',
      'acme-state',
    ]);
    assert.equal(names.logsPattern, 'acme-logs-*');
    assert.deepEqual(names.dataViewPatterns, ['acme-logs*', 'acme-executions*']);
    assert.equal(names.logsIndexMonthEnd('acme-logs-2024.12'), Date.UTC(2025, 0, 1));
    assert.equal(names.logsIndexMonthEnd('other-logs-2024.12'), undefined);
    assert.equal(names.logsIndexMonthEnd('acme-logs-settings'), undefined);
  });

  it('leaves room under the 255-byte limit for the longest name derived from the longest prefix', () => {
    const longest = 'x'.repeat(200);
    assert.equal(validateIndexPrefix(longest), longest);
    for (const name of indexNames(longest).all()) assert.ok(name.length <= 255, name);
  });

  it('accepts a valid prefix and refuses what Elasticsearch would refuse', () => {
    for (const good of ['talend', 'team-a.prod', 'logs_2']) assert.equal(validateIndexPrefix(good), good);
    for (const bad of [
      '',
      'Talend',
      'a b',
      'a*',
      'a,b',
      'a"b',
      'a/b',
      'a\\b',
      'a?b',
      'a#b',
      'a|b',
      'a<b',
      '-x',
      '_x',
      '.x',
      'x'.repeat(201),
    ]) {
      assert.throws(() => validateIndexPrefix(bad), ConfigError, bad);
    }
  });

  it('takes the same prefixes in the configuration as in the store', () => {
    const accepted = (prefix: string) => {
      try {
        validateIndexPrefix(prefix);
        return true;
      } catch {
        return false;
      }
    };
    const configured = (prefix: string) => {
      try {
        loadConfig({
          flags: { 'index-prefix': prefix },
          env: {},
          needs: { talend: false, elasticsearch: true },
        });
        return true;
      } catch {
        return false;
      }
    };
    for (const prefix of [
      'talend',
      '9lives',
      'a+b',
      'caf\u00e9',
      'x'.repeat(200),
      'x'.repeat(201),
      '.x',
      'A',
    ]) {
      assert.equal(configured(prefix), accepted(prefix), `"${prefix}": one rule for both`);
    }
  });
});

describe('bulk item failures', () => {
  it('retries busy items, fails on blocked indices, dead-letters bad documents', () => {
    assert.equal(classifyItemFailure(429, { type: 'es_rejected_execution_exception' }), 'retry');
    assert.equal(classifyItemFailure(503, { type: 'unavailable_shards_exception' }), 'retry');
    assert.equal(classifyItemFailure(403, { type: 'cluster_block_exception' }), 'fatal');
    assert.equal(classifyItemFailure(400, { type: 'index_closed_exception' }), 'fatal');
    assert.equal(classifyItemFailure(404, { type: 'index_not_found_exception' }), 'fatal');
    assert.equal(classifyItemFailure(400, { type: 'document_parsing_exception' }), 'dead-letter');
    assert.equal(classifyItemFailure(400, { type: 'mapper_parsing_exception' }), 'dead-letter');
    assert.equal(classifyItemFailure(400, { type: 'illegal_argument_exception' }), 'dead-letter');
    assert.equal(classifyItemFailure(400, { type: 'strict_dynamic_mapping_exception' }), 'dead-letter');
  });

  it('tells the operator what to do', () => {
    assert.match(
      writeRefused('i', 400, { type: 'index_closed_exception', reason: 'closed' }).message,
      /POST i\/_open/,
    );
    const blocked = writeRefused('i', 403, { type: 'cluster_block_exception', reason: 'blocked' });
    assert.match(blocked.message, /index\.blocks\.write/);
    assert.equal(blocked.category, 'elasticsearch');
    assert.deepEqual(blocked.context, { index: 'i', status: 403, errorType: 'cluster_block_exception' });
  });
});
