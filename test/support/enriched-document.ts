import type { LogDocument } from '../../src/documents/shapes.ts';
import type { SerializedDocument } from '../../src/store/bulk-request.ts';

/** The `_source` a serialized document writes, as its bytes one per character (a ByteString). */
export function sourceBytes(document: SerializedDocument): string {
  const bytes = Buffer.allocUnsafe(document.byteLength);
  document.writeTo(bytes, 0);
  return bytes.toString('latin1');
}

/** The `_source` a serialized document writes, as JSON text. */
export function sourceJson(document: SerializedDocument): string {
  return Buffer.from(sourceBytes(document), 'latin1').toString('utf8');
}

/** The `_source` a serialized document writes, parsed. */
export function sourceOf(document: SerializedDocument): LogDocument {
  return JSON.parse(sourceJson(document)) as LogDocument;
}
