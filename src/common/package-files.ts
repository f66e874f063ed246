import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PACKAGE_NAME = 'talend-logs-es';
let root: string | undefined;
let version: string | undefined;

/**
 * A file shipped with the package (package.json, mappings/…). The code runs from `src/` under tsx and
 * from `dist/src/` once built, at different depths below the package root, so the root is found by
 * walking up to our own package.json rather than by a fixed relative path.
 */
export function packageFile(...segments: string[]): string {
  root ??= findPackageRoot();
  return join(root, ...segments);
}

/**
 * Our version, from our package.json: what --version prints, the User-Agent carries and every log
 * document names as `agent.version`. Read once: enrichers ask for it per chunk.
 */
export function packageVersion(): string {
  version ??= (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;
  return version;
}

function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && isOurs(manifest)) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`The package root of ${PACKAGE_NAME} was not found above ${dir}`);
    dir = parent;
  }
}

function isOurs(manifest: string): boolean {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}
