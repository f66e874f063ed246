import { ConfigError } from '../common/errors.ts';

/** Talend keeps opening regions (in, sg, ie, uk, …): accept any id of this shape, not a fixed list. */
const REGION_ID = /^[a-z0-9-]+$/;
const DOCUMENTED_REGIONS = ['us', 'eu', 'ap', 'au', 'us-west'];

/**
 * The API origin: an explicit base URL (TALEND_API_URL: proxies, tests, the simulator) wins over
 * the region id, which maps to `https://api.<region>.cloud.talend.com`.
 */
export function resolveBaseUrl(opts: { region?: string; baseUrl?: string }): URL {
  const baseUrl = opts.baseUrl?.trim();
  if (baseUrl) return parseBaseUrl(baseUrl);
  if (!opts.region?.trim()) {
    throw new ConfigError(
      `No Talend region or API URL configured. Set the region (one of ${DOCUMENTED_REGIONS.join(', ')}, or a newer id) or TALEND_API_URL.`,
    );
  }
  return regionUrl(opts.region);
}

/**
 * The `audience` of a service account's token request. Talend issues tokens for its API in one
 * region and names that API by its URL, also when the calls go through a proxy at another URL:
 * an explicit audience wins, then the region's API URL, and only without a region the origin of
 * the URL the calls go to.
 */
export function resolveOAuthAudience(opts: { region?: string; baseUrl: URL; audience?: string }): string {
  const audience = opts.audience?.trim();
  if (audience) return audience;
  return opts.region?.trim() ? regionUrl(opts.region).origin : opts.baseUrl.origin;
}

function regionUrl(value: string): URL {
  const region = value.trim().toLowerCase();
  if (!REGION_ID.test(region) || region.startsWith('-') || region.endsWith('-')) {
    throw new ConfigError(
      `Talend region "${value}" is not a region id: use one of ${DOCUMENTED_REGIONS.join(', ')} (or another id such as "in", letters, digits and dashes), or set TALEND_API_URL to the full API URL.`,
      { region: value },
    );
  }
  return new URL(`https://api.${region}.cloud.talend.com`);
}

function parseBaseUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(
      `TALEND_API_URL "${value}" is not a URL: expected e.g. https://api.eu.cloud.talend.com (scheme and host).`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`TALEND_API_URL "${value}" must use http or https, not ${url.protocol}`);
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new ConfigError(
      'TALEND_API_URL must not carry a query string, fragment or credentials: give credentials as a token or service account instead.',
    );
  }
  return url;
}
