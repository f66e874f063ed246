/**
 * The importer against a stand-in for Kibana's saved objects import endpoint on 127.0.0.1. No real
 * Kibana runs here (no Docker, and Kibana is published neither on npm nor on Maven Central), so the
 * stand-in checks what Kibana checks: the kbn-xsrf header, a multipart body whose `file` part is an
 * .ndjson file of saved objects, the space in the path, the credentials, the overwrite flag (without
 * it an object that exists is a conflict), references that resolve and object types it knows; and it
 * answers in Kibana's shapes.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@elastic/elasticsearch';
import { setupCommand } from '../../src/cli/commands/setup.ts';
import { exitCodeFor, EXIT } from '../../src/cli/exit-codes.ts';
import { ConfigError } from '../../src/common/errors.ts';
import { indexNames } from '../../src/config/index-names.ts';
import { KibanaImportError } from '../../src/kibana/errors.ts';
import { importSavedObjects, type ImportSavedObjectsOptions } from '../../src/kibana/import-saved-objects.ts';
import { parseNdjson, readSavedObjects, type SavedObject } from '../../src/kibana/saved-objects.ts';
import { capturedLogger } from '../support/captured-logger.ts';
import { DEFAULTS } from '../support/config.ts';
import { elasticsearchUrl, removePrefix, testClient, uniquePrefix } from '../support/elasticsearch.ts';

const IMPORTABLE_TYPES = new Set(['index-pattern', 'search', 'lens', 'visualization', 'dashboard', 'tag']);
const FAST_RETRY = { maxAttempts: 3, baseMs: 1, maxMs: 5, budgetMs: 5_000 };
const FAST = { ...DEFAULTS.services.kibana, retry: FAST_RETRY };
const KIBANA = DEFAULTS.services.kibana;
const PASSWORD = 'kibana-test-password-41';
const API_KEY = 'a2liYW5hLWFwaS1rZXktZm9yLXRlc3Rz';

interface Received {
  space: string;
  overwrite: string | null;
  headers: IncomingHttpHeaders;
  fileName: string;
  objects: SavedObject[];
}

interface FakeKibana {
  url: string;
  received: Received[];
  /** Saved objects per space, as Kibana would keep them. */
  stored: Map<string, Map<string, SavedObject>>;
  /** Statuses answered, one per request, before the endpoint behaves. */
  failFirst: number[];
  /** The `Retry-After` of those answers, while it holds one. */
  retryAfter: string[];
  /** Objects answered with an `unknown` error, as when Kibana cannot migrate them. */
  refuse: Set<string>;
  close(): Promise<void>;
}

function boom(statusCode: number, error: string, message: string): { status: number; body: unknown } {
  return { status: statusCode, body: { statusCode, error, message } };
}

async function startFakeKibana(
  options: { authorization?: string; spaces?: string[] } = {},
): Promise<FakeKibana> {
  const spaces = new Set(['default', ...(options.spaces ?? [])]);
  const fake: Omit<FakeKibana, 'url' | 'close'> = {
    received: [],
    stored: new Map(),
    failFirst: [],
    retryAfter: [],
    refuse: new Set(),
  };

  async function handle(method: string, target: string, headers: IncomingHttpHeaders, body: Buffer) {
    const url = new URL(target, 'http://kibana.invalid');
    const route = /^(?:\/s\/([a-z0-9_-]+))?\/api\/saved_objects\/_import$/.exec(url.pathname);
    if (method !== 'POST' || route === null) return boom(404, 'Not Found', 'Not Found');
    const space = route[1] ?? 'default';
    if (!spaces.has(space)) return boom(404, 'Not Found', 'Not Found');
    const injected = fake.failFirst.shift();
    if (injected !== undefined)
      return boom(injected, 'Service Unavailable', 'Kibana server is not ready yet');
    if (options.authorization !== undefined && headers.authorization !== options.authorization) {
      return boom(401, 'Unauthorized', '[security_exception]: unable to authenticate user');
    }
    if (headers['kbn-xsrf'] === undefined) {
      return boom(400, 'Bad Request', 'Request must contain a kbn-xsrf header.');
    }
    const contentType = headers['content-type'] ?? '';
    if (!contentType.startsWith('multipart/form-data')) {
      return boom(415, 'Unsupported Media Type', 'Unsupported Media Type');
    }
    const form = await new Response(body, { headers: { 'content-type': contentType } }).formData();
    const file = form.get('file');
    if (file === null || typeof file === 'string') {
      return boom(
        400,
        'Bad Request',
        '[request body.file]: expected value of type [Stream] but got [undefined]',
      );
    }
    if (!file.name.endsWith('.ndjson'))
      return boom(400, 'Bad Request', `Invalid file extension ${file.name}`);
    let objects: SavedObject[];
    try {
      objects = parseNdjson(await file.text());
    } catch (error) {
      return boom(400, 'Bad Request', `Unexpected token in JSON: ${(error as Error).message}`);
    }
    const overwrite = url.searchParams.get('overwrite');
    fake.received.push({ space, overwrite, headers, fileName: file.name, objects });

    const existing = fake.stored.get(space) ?? new Map<string, SavedObject>();
    const key = (type: string, id: string) => `${type}:${id}`;
    const inImport = new Set(objects.map((object) => key(object.type, object.id)));
    const errors: unknown[] = [];
    const successResults: unknown[] = [];
    for (const object of objects) {
      const title = object.attributes.title as string | undefined;
      const fail = (error: Record<string, unknown>) =>
        errors.push({ id: object.id, type: object.type, title, error });
      const missing = (object.references ?? []).filter(
        (ref) => !inImport.has(key(ref.type, ref.id)) && !existing.has(key(ref.type, ref.id)),
      );
      if (!IMPORTABLE_TYPES.has(object.type)) fail({ type: 'unsupported_type' });
      else if (missing.length > 0) {
        fail({ type: 'missing_references', references: missing.map(({ type, id }) => ({ type, id })) });
      } else if (existing.has(key(object.type, object.id)) && overwrite !== 'true')
        fail({ type: 'conflict' });
      else if (fake.refuse.has(object.id)) {
        fail({ type: 'unknown', message: 'Document "x" has property "attributes.bad"', statusCode: 400 });
      } else {
        successResults.push({ id: object.id, type: object.type, meta: { title }, overwrite: true });
      }
    }
    for (const object of objects) {
      if (!errors.some((error) => (error as { id: string }).id === object.id)) {
        existing.set(key(object.type, object.id), object);
      }
    }
    fake.stored.set(space, existing);
    return {
      status: 200,
      body: {
        success: errors.length === 0,
        successCount: successResults.length,
        successResults,
        ...(errors.length > 0 ? { errors } : {}),
        warnings: [],
      },
    };
  }

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      handle(request.method ?? 'GET', request.url ?? '/', request.headers, Buffer.concat(chunks)).then(
        ({ status, body }) => {
          const wait =
            status === 503 && fake.retryAfter[0] !== undefined ? { 'retry-after': fake.retryAfter[0] } : {};
          response.writeHead(status, { 'content-type': 'application/json', ...wait });
          response.end(JSON.stringify(body));
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ statusCode: 500, message: String(error) }));
        },
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    ...fake,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('Kibana saved objects import (stand-in Kibana on 127.0.0.1)', () => {
  const basic = `Basic ${Buffer.from(`importer:${PASSWORD}`).toString('base64')}`;
  let kibana: FakeKibana;
  const shipped = readSavedObjects();

  before(async () => {
    kibana = await startFakeKibana({ authorization: basic, spaces: ['ops'] });
  });

  after(async () => {
    await kibana.close();
  });

  /** An import with the stand-in's credentials, the default prefix, and whatever a test changes. */
  const importAsImporter = (overrides: Partial<ImportSavedObjectsOptions> = {}) =>
    importSavedObjects({
      kibanaUrl: kibana.url,
      auth: { username: 'importer', password: PASSWORD },
      names: indexNames('talend'),
      service: KIBANA,
      ...overrides,
    });

  it('imports every object as multipart NDJSON with kbn-xsrf and overwrite, the data view on the prefix', async () => {
    const { logger, text } = capturedLogger();
    const options = {
      kibanaUrl: `${kibana.url}/`,
      auth: { username: 'importer', password: PASSWORD },
      names: indexNames('acme'),
      service: KIBANA,
      logger,
    };
    const first = await importSavedObjects(options);
    const second = await importSavedObjects(options);

    assert.equal(first.imported, shipped.length);
    assert.equal(second.imported, shipped.length, 'a second import overwrites instead of conflicting');
    const request = kibana.received.at(-1)!;
    assert.equal(request.space, 'default');
    assert.equal(request.overwrite, 'true');
    assert.equal(request.headers['kbn-xsrf'], 'true');
    assert.match(request.fileName, /\.ndjson$/);
    assert.deepEqual(
      request.objects.map((object) => `${object.type}:${object.id}`),
      shipped.map((object) => `${object.type}:${object.id}`),
    );
    const dataView = request.objects.find((object) => object.type === 'index-pattern')!;
    assert.equal(dataView.attributes.title, 'acme-logs*');
    const stored = kibana.stored.get('default')!;
    assert.equal(stored.get('dashboard:talend-logs-dashboard')?.attributes.title, 'Talend logs');
    assert.equal(stored.get('dashboard:talend-runs-dashboard')?.attributes.title, 'Talend task runs');
    assert.equal(
      request.objects.find((object) => object.id === 'talend-executions-data-view')?.attributes.title,
      'acme-executions*',
    );
    assert.doesNotMatch(text(), new RegExp(PASSWORD));
    assert.match(text(), /Kibana saved objects imported/);
  });

  it('imports into a space with an API key, the default prefix left as shipped', async () => {
    const spaced = await startFakeKibana({ authorization: `ApiKey ${API_KEY}`, spaces: ['ops'] });
    try {
      const report = await importSavedObjects({
        kibanaUrl: spaced.url,
        space: 'ops',
        auth: { apiKey: API_KEY },
        names: indexNames('talend'),
        service: KIBANA,
      });
      assert.equal(report.space, 'ops');
      assert.equal(spaced.received.length, 1);
      assert.equal(spaced.received[0]!.space, 'ops');
      assert.equal(spaced.stored.get('default'), undefined);
      const dataView = spaced.stored.get('ops')!.get('index-pattern:talend-logs-data-view')!;
      assert.equal(dataView.attributes.title, 'talend-logs*');
    } finally {
      await spaced.close();
    }
  });

  it('lists every object Kibana refused, with why, as an error of exit code 5', async () => {
    kibana.refuse.add('talend-logs-lens-top-errors');
    kibana.refuse.add('talend-logs-dashboard');
    try {
      await assert.rejects(importAsImporter(), (error: unknown) => {
        assert.ok(error instanceof KibanaImportError);
        assert.equal(error.category, 'kibana');
        assert.equal(exitCodeFor(error), EXIT.unavailable);
        assert.equal(error.context.failedObjects, 2);
        assert.ok(
          error.message.includes(`imported ${readSavedObjects().length - 2} saved object(s) and refused 2`),
          error.message,
        );
        assert.match(error.message, /lens "Top error messages" \(talend-logs-lens-top-errors\): Document/);
        assert.match(error.message, /dashboard "Talend logs" \(talend-logs-dashboard\)/);
        return true;
      });
    } finally {
      kibana.refuse.clear();
    }
  });

  it('says the credentials were refused, without quoting them', async () => {
    const wrong = 'not-the-kibana-password';
    await assert.rejects(
      importAsImporter({ auth: { username: 'importer', password: wrong } }),
      (error: unknown) => {
        assert.ok(error instanceof KibanaImportError);
        assert.equal(error.status, 401);
        assert.match(error.message, /refused the credentials \(HTTP 401/);
        assert.doesNotMatch(error.message + JSON.stringify(error.context), new RegExp(wrong));
        return true;
      },
    );
  });

  it('names a space that does not exist as a configuration error', async () => {
    await assert.rejects(
      importSavedObjects({
        kibanaUrl: kibana.url,
        space: 'nowhere',
        names: indexNames('talend'),
        service: KIBANA,
      }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(exitCodeFor(error), EXIT.config);
        assert.match(error.message, /no space "nowhere"/);
        return true;
      },
    );
  });

  it('waits out a Kibana that is still starting (503), then imports', async () => {
    kibana.failFirst.push(503, 503);
    const before = kibana.received.length;
    const { logger, text } = capturedLogger();
    const report = await importAsImporter({ service: FAST, logger });
    assert.equal(report.imported, shipped.length);
    assert.equal(kibana.received.length, before + 1);
    assert.equal(text().match(/retrying the saved objects import/g)?.length, 2);
  });

  it('gives up on a Kibana that stays unavailable, and on one that is not there', async () => {
    kibana.failFirst.push(503, 503, 503);
    await assert.rejects(
      importAsImporter({ service: FAST }),
      (error: unknown) => error instanceof KibanaImportError && error.status === 503,
    );

    const closed = await startFakeKibana();
    await closed.close();
    await assert.rejects(
      importSavedObjects({ kibanaUrl: closed.url, names: indexNames('talend'), service: FAST }),
      (error: unknown) => {
        assert.ok(error instanceof KibanaImportError);
        assert.equal(error.context.attempts, FAST_RETRY.maxAttempts);
        assert.match(error.message, /could not be reached after 3 attempt/);
        return true;
      },
    );
  });
});

describe('talend-logs setup --kibana-url (Elasticsearch, stand-in Kibana)', () => {
  let client: Client;
  let kibana: FakeKibana;
  const prefix = uniquePrefix('kibana-setup');

  before(async () => {
    client = await testClient();
    kibana = await startFakeKibana({ spaces: ['ops'] });
  });

  after(async () => {
    await removePrefix(client, prefix);
    await client.close();
    await kibana.close();
  });

  it('installs the templates and imports the saved objects in the same step', async () => {
    const code = await setupCommand({
      'es-url': [await elasticsearchUrl()],
      'index-prefix': prefix,
      'kibana-url': kibana.url,
      'kibana-space': 'ops',
      'log-level': 'warn',
    });
    assert.equal(code, EXIT.ok);
    assert.ok(await client.indices.existsIndexTemplate({ name: `${prefix}-logs` }));
    const dataView = kibana.stored.get('ops')?.get('index-pattern:talend-logs-data-view');
    assert.equal(dataView?.attributes.title, `${prefix}-logs*`);
    assert.equal(
      kibana.received[0]?.headers.authorization,
      undefined,
      'no credentials configured, none sent',
    );
  });

  it('retries Kibana no longer than --outage-budget allows', async () => {
    kibana.failFirst.push(503, 503, 503, 503);
    // Asked to wait longer than the budget leaves: the import gives up at once.
    kibana.retryAfter.push('30');
    try {
      await assert.rejects(
        setupCommand({
          'es-url': [await elasticsearchUrl()],
          'index-prefix': prefix,
          'kibana-url': kibana.url,
          'outage-budget': '2s',
          'log-level': 'warn',
        }),
        (error: unknown) => error instanceof KibanaImportError && error.status === 503,
      );
      assert.equal(kibana.failFirst.length, 3, 'one attempt: no budget left for a second');
    } finally {
      kibana.failFirst.length = 0;
      kibana.retryAfter.length = 0;
    }
  });
});
