import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { ConfigError } from '../../src/common/errors.ts';
import { registerSecret } from '../../src/common/secrets.ts';
import { ECS_VERSION } from '../../src/common/ecs-version.ts';
import { createLogger } from '../../src/observability/logger.ts';

function captured(pretty = false) {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', pretty, destination: { write: (line) => lines.push(line) } });
  return { logger, lines, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('the connector’s own log lines', () => {
  it('are ECS: timestamp, level, message, version, process, host and service', () => {
    const { logger, parsed } = captured();
    const before = Date.now();
    logger.info('hello');
    const [line] = parsed();
    assert.deepEqual(Object.keys(line!).sort(), [
      '@timestamp',
      'ecs.version',
      'host',
      'log.level',
      'message',
      'process',
      'service',
    ]);
    assert.ok(Date.parse(line!['@timestamp'] as string) >= before - 1);
    assert.equal(line!['log.level'], 'info');
    assert.equal(line!.message, 'hello');
    assert.equal(line!['ecs.version'], ECS_VERSION);
    assert.deepEqual(line!.process, { pid: process.pid });
    assert.deepEqual(line!.host, { hostname: hostname() });
    assert.deepEqual(line!.service, { name: 'talend-logs-es' });
  });

  it('keep our context under talend.*, a child logger’s too, and an err as ECS error fields', () => {
    const { logger, parsed } = captured();
    const child = logger.child({ taskId: 't-1', executionId: 'e-1' });
    const error = new ConfigError('bad setting', { setting: 'indexPrefix' });
    child.warn({ err: error, attempt: 2 }, 'it failed');
    const [line] = parsed();
    assert.equal(line!['log.level'], 'warn');
    assert.equal(line!['talend.taskId'], 't-1');
    assert.equal(line!['talend.executionId'], 'e-1');
    assert.equal(line!['talend.attempt'], 2);
    const ecsError = line!.error as Record<string, string>;
    assert.equal(ecsError.type, 'ConfigError');
    assert.equal(ecsError.message, 'bad setting');
    assert.match(ecsError.stack_trace!, /^ConfigError: bad setting\n\s+at /);
    assert.deepEqual(line!['talend.err'], { category: 'config', context: { setting: 'indexPrefix' } });
  });

  it('redact secret fields and registered secret values, in ECS and pretty lines alike', () => {
    registerSecret('value-of-a-registered-secret');
    for (const pretty of [false, true]) {
      const { logger, lines } = captured(pretty);
      logger.info(
        {
          token: 'a-token-by-field-name',
          headers: { authorization: 'Bearer by-nested-field-name' },
          request: { clientSecret: 'by-wildcard-path' },
          note: 'echoed value-of-a-registered-secret',
        },
        'calling',
      );
      const text = lines.join('');
      for (const secret of [
        'a-token-by-field-name',
        'by-nested-field-name',
        'by-wildcard-path',
        'value-of-a',
      ]) {
        assert.ok(!text.includes(secret), `${pretty ? 'pretty' : 'ECS'}: ${secret} leaked in ${text}`);
      }
      assert.equal(text.split('[REDACTED]').length - 1, 4, text);
    }
  });
});
