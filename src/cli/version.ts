import { readFileSync } from 'node:fs';
import { packageFile } from '../common/package-files.ts';

/** The version in package.json: what `--version` prints and the probe reports. */
export function version(): string {
  const manifest = JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as {
    version: string;
  };
  return manifest.version;
}
