import { identityFields, type SerializedFields } from '../../src/pipeline/enrich/document-id.ts';

/**
 * The content that identifies a log line, as a JSON array: the execution, the timestamp and every
 * field of the entry. Never its place in the file: chunk boundaries move between runs, and a line
 * must get the same `_id` whichever chunk carries it, so that a re-run overwrites. With ByteString
 * fields (see EntryJson) it is the identity's UTF-8 in a ByteString, which `IdentityHasher` hashes.
 */
export function entryIdentity(
  executionIdJson: string,
  timestampMs: number,
  fields: SerializedFields,
): string {
  const { logMessage, extra } = fields;
  return `[${executionIdJson},${timestampMs}${identityFields(fields)}${logMessage ?? 'null'}${extra === undefined ? ',null]' : `,${extra}]`}`;
}
