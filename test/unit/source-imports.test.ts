import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import { packageFile } from '../../src/common/package-files.ts';
import { createTalendClient } from '../../src/talend/index.ts';
import { DEFAULTS } from '../support/config.ts';

const SRC = packageFile('src');
const TEST = packageFile('test');

/** Module specifiers a file names: static and dynamic imports, and URLs made relative to the module. */
const SPECIFIERS = [
  /\bfrom\s+'([^']+)'/g,
  /\bimport\s*\(\s*'([^']+)'\s*\)/g,
  /\bnew URL\(\s*'([^']+)',\s*import\.meta\.url\s*\)/g,
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

describe('the product', () => {
  it('never reaches into test/: no file under src/ imports or loads one from there', () => {
    const offending: string[] = [];
    const files = sourceFiles(SRC);
    assert.ok(files.length > 50, 'src/ is read');
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of SPECIFIERS) {
        for (const [, specifier] of text.matchAll(pattern)) {
          if (!specifier!.startsWith('.')) continue;
          const target = resolve(dirname(file), specifier!);
          if (!relative(TEST, target).startsWith('..')) {
            offending.push(`${relative(SRC, file)} -> ${specifier}`);
          }
        }
      }
    }
    assert.deepEqual(offending, []);
  });

  it('points imports one way: no folder of src/ imports, even through others, one that imports it', () => {
    const imports = new Map<string, Set<string>>();
    for (const file of sourceFiles(SRC)) {
      const folder = relative(SRC, file).split(sep)[0]!;
      const text = readFileSync(file, 'utf8');
      for (const pattern of SPECIFIERS) {
        for (const [, specifier] of text.matchAll(pattern)) {
          if (!specifier!.startsWith('.')) continue;
          const target = relative(SRC, resolve(dirname(file), specifier!)).split(sep)[0]!;
          if (target === folder || target.endsWith('.ts')) continue;
          if (!imports.has(folder)) imports.set(folder, new Set());
          imports.get(folder)!.add(target);
        }
      }
    }
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean =>
      [...(imports.get(from) ?? [])].some(
        (next) => next === to || (!seen.has(next) && (seen.add(next), reaches(next, to, seen))),
      );
    const cycles = [...imports.keys()].filter((folder) => reaches(folder, folder));
    assert.deepEqual(cycles, []);
    assert.deepEqual([...(imports.get('simulator') ?? [])], ['contracts'], 'the simulator shares only types');
    assert.ok(reaches('cli', 'store') && !reaches('store', 'job') && !reaches('pipeline', 'job'));
  });

  it('finds its own files one way: only common/package-files.ts walks up from a module', () => {
    const walkers = sourceFiles(SRC)
      .filter((file) => /fileURLToPath\(import\.meta\.url\)|'package\.json'/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    assert.deepEqual(walkers, [join('common', 'package-files.ts')]);
  });

  it('holds a Talend client with only the calls sync makes', async () => {
    const client = createTalendClient({
      ...DEFAULTS.services.talend.client,
      retry: DEFAULTS.services.talend.retry,
      baseUrl: new URL('http://127.0.0.1:1'),
      auth: { kind: 'pat', token: 'never-sent' },
    });
    try {
      assert.deepEqual(Object.keys(client).toSorted(), [
        'close',
        'getExecution',
        'listTaskExecutions',
        'listTasks',
        'listWorkspaces',
        'stats',
        'walkLogChunks',
      ]);
    } finally {
      await client.close();
    }
  });
});
