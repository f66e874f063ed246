import type { SerializedDocument } from '../../src/store/bulk-request.ts';

/** A document of the test's own, serialized as the bulk indexer takes documents from the enricher. */
export function serializedDocument(document: unknown): SerializedDocument {
  const json = Buffer.from(JSON.stringify(document));
  return {
    byteLength: json.length,
    writeTo: (target, at) => at + json.copy(target, at),
  };
}
