import { PACKAGE_NAME, packageVersion } from '../common/package-files.ts';

/** `talend-logs-es/<version>`, so Talend support can tell our traffic apart. */
export function userAgent(): string {
  return `${PACKAGE_NAME}/${packageVersion()}`;
}
