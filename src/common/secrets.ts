/**
 * Every secret value the process learns (tokens, client secrets, passwords, API keys, presigned URL
 * signatures) is registered here, and every string that leaves the process through a log line
 * or an error message goes through `scrubSecrets`. Registering values, rather than guessing field
 * names, also catches a secret echoed back inside a server's error text.
 */

const secrets = new Set<string>();
/** Insertion-ordered, oldest first, so that the oldest is the one dropped. */
const shortLived = new Set<string>();
/**
 * Presigned URL signatures arrive one per chunk, and every log line is scanned for every registered
 * value: kept for ever, they would slow a long backfill's logging down chunk after chunk. A URL's
 * query is redacted wherever the URL is written; its signature alone shows up only in what the object
 * store answers to that URL's download, one of at most --concurrency at once, and is worthless after
 * its 60 minutes. The latest thousand cover every download in flight unless a thousand others start
 * while one of them runs.
 */
const MAX_SHORT_LIVED = 1000;
const REDACTED = '[REDACTED]';
/** Shorter values would redact ordinary words; no real credential is this short. */
const MIN_SECRET_LENGTH = 6;

/** A credential the process keeps using for its whole life: redacted from everything it writes. */
export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

/** A secret that stops mattering soon after it is issued (a presigned URL's signature). */
export function registerShortLivedSecret(value: string): void {
  if (value.length < MIN_SECRET_LENGTH) return;
  shortLived.delete(value);
  shortLived.add(value);
  if (shortLived.size > MAX_SHORT_LIVED) shortLived.delete(shortLived.values().next().value!);
}

export function scrubSecrets(text: string): string {
  let out = text;
  for (const registered of [secrets, shortLived]) {
    for (const secret of registered) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
  }
  return redactUrlQueries(out);
}

/**
 * Presigned object-store URLs carry their signature in the query string; strip every query from
 * any http(s) URL found in the text, keeping scheme, host and path for diagnosis.
 */
export function redactUrlQueries(text: string): string {
  return text.replace(/(https?:\/\/[^\s?"'<>]+)\?[^\s"'<>]*/g, `$1?${REDACTED}`);
}

/** The form of a URL safe to log. */
export function safeUrl(url: string | URL): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  const query = parsed.search ? `?${REDACTED}` : '';
  const auth = parsed.username || parsed.password ? `${REDACTED}@` : '';
  return `${parsed.protocol}//${auth}${parsed.host}${parsed.pathname}${query}`;
}
