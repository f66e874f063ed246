/**
 * The real Elasticsearch distribution with security (x-pack-core, x-pack-security), as Maven Central publishes it
 * for Elasticsearch's own integration tests. Fetched once through Maven, so it is cached in the local Maven
 * repository like the bare node's jars, and unpacked once under `.local-es/distribution/`.
 * Node 20 built-ins plus `mvn` and `unzip` on PATH.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);

export const DISTRIBUTION = {
  groupId: 'org.elasticsearch.distribution.integ-test-zip',
  artifactId: 'elasticsearch',
  version: '8.19.21',
  type: 'zip',
} as const;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const UNPACK_ROOT = path.join(REPO_ROOT, '.local-es', 'distribution');

function coordinates(): string {
  const { groupId, artifactId, version, type } = DISTRIBUTION;
  return `${groupId}:${artifactId}:${version}:${type}`;
}

async function localMavenRepository(): Promise<string> {
  const { stdout } = await run(
    'mvn',
    ['-q', 'help:evaluate', '-Dexpression=settings.localRepository', '-DforceStdout'],
    {
      maxBuffer: 1 << 20,
    },
  ).catch(() => ({ stdout: '' }));
  const fromMaven = stdout.trim();
  return fromMaven.length > 0 && fs.existsSync(fromMaven)
    ? fromMaven
    : path.join(os.homedir(), '.m2', 'repository');
}

/** The distribution zip's path in the local Maven repository, downloaded through Maven when it is not there yet. */
export async function distributionZip(): Promise<string> {
  const { groupId, artifactId, version, type } = DISTRIBUTION;
  const file = path.join(
    await localMavenRepository(),
    ...groupId.split('.'),
    artifactId,
    version,
    `${artifactId}-${version}.${type}`,
  );
  if (!fs.existsSync(file)) {
    await run('mvn', ['-q', '-B', 'dependency:get', `-Dartifact=${coordinates()}`, '-Dtransitive=false'], {
      maxBuffer: 16 << 20,
    });
  }
  if (!fs.existsSync(file))
    throw new Error(`Maven reported success but ${file} is missing (${coordinates()})`);
  return file;
}

/** The unpacked distribution's home folder (`.local-es/distribution/elasticsearch-<version>`), unpacked once. */
export async function unpackedDistribution(): Promise<string> {
  const home = path.join(UNPACK_ROOT, `elasticsearch-${DISTRIBUTION.version}`);
  const complete = path.join(UNPACK_ROOT, `.unpacked-${DISTRIBUTION.version}`);
  if (fs.existsSync(complete)) return home;
  const zip = await distributionZip();
  fs.rmSync(home, { recursive: true, force: true });
  fs.mkdirSync(UNPACK_ROOT, { recursive: true });
  await run('unzip', ['-q', '-o', zip, '-d', UNPACK_ROOT], { maxBuffer: 16 << 20 });
  fs.writeFileSync(complete, `${coordinates()}\n`);
  return home;
}
