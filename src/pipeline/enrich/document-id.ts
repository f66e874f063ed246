import { hash } from 'node:crypto';

/** The entry fields that make up its identity, each already serialized as JSON (`null` when absent). */
export interface SerializedFields {
  severity: string;
  logType: string;
  bundleName: string;
  bundleVersion: string;
  podName: string;
  logMessage: string;
  /** The unknown fields, keys sorted: see `serializeExtra`. */
  extra: string;
}

/**
 * The content that identifies a log line, as a JSON array: the execution, the timestamp and every
 * field of the entry. Never its place in the file: chunk boundaries move between runs, and a line
 * must get the same `_id` whichever chunk carries it, so that a re-run overwrites. The fields come
 * serialized because the document needs them serialized too: each is encoded once per line.
 */
export function entryIdentity(
  executionIdJson: string,
  timestampMs: number,
  fields: SerializedFields,
): string {
  return `[${executionIdJson},${timestampMs},${fields.severity},${fields.logType},${fields.bundleName},${fields.bundleVersion},${fields.podName},${fields.logMessage},${fields.extra}]`;
}

/** Unknown fields in sorted key order, so that the order Talend wrote them in does not change the id. */
export function serializeExtra(extra: Record<string, unknown> | undefined): string {
  if (extra === undefined) return 'null';
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(extra).sort()) sorted[key] = extra[key];
  return JSON.stringify(sorted);
}

/**
 * `occurrence` counts the identical entries (same identity) that came before this one: real logs
 * repeat lines, and each copy is a document of its own. The first copy hashes the identity alone, so
 * the common case costs one hash; the suffix of later copies cannot be produced by any identity,
 * which is a JSON array.
 */
export function documentId(identity: string, occurrence = 0): string {
  return hash('sha1', occurrence === 0 ? identity : `${identity}#${occurrence}`, 'base64url');
}
