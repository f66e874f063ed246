/**
 * Every secret value the process learns (tokens, client secrets, passwords, API keys, presigned URL
 * signatures) is registered here once, and every string that leaves the process through a log line
 * or an error message goes through `scrubSecrets`. Registering values, rather than guessing field
 * names, also catches a secret echoed back inside a server's error text.
 */

const secrets = new Set<string>();
const REDACTED = '[REDACTED]';
/** Shorter values would redact ordinary words; no real credential is this short. */
const MIN_SECRET_LENGTH = 6;

export function registerSecret(value: string | undefined): void {
  if (value !== undefined && value.length >= MIN_SECRET_LENGTH) secrets.add(value);
}

export function scrubSecrets(text: string): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join(REDACTED);
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
