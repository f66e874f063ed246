import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = 'talend-logs-es';

/**
 * `talend-logs-es/<version>`, so Talend support can tell our traffic apart. The version is read
 * from our package.json, found by walking up from this file: the same code runs from src/ (tsx),
 * dist/src/ (built) and an installed package.
 */
export function userAgent(): string {
  return `${PACKAGE_NAME}/${findVersion() ?? 'unknown'}`;
}

function findVersion(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const version = readVersion(join(dir, 'package.json'));
    if (version) return version;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function readVersion(file: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
    return manifest.name === PACKAGE_NAME && typeof manifest.version === 'string'
      ? manifest.version
      : undefined;
  } catch {
    return undefined;
  }
}
