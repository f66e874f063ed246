/**
 * Log bytes held in a string, one character (U+0000 to U+00FF) per byte, as `latin1` decoding gives
 * them: the UTF-8 of the file, untouched. Slicing and joining strings costs V8 a fraction of what the
 * same work costs on Buffers, and `Buffer.from(text, 'latin1')` gives the bytes back unchanged.
 */
export type ByteString = string;

/** UTF-8 text as a ByteString. */
export function toByteString(text: string): ByteString {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** The text that a ByteString holds the UTF-8 of. */
export function fromByteString(bytes: ByteString): string {
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/**
 * The same ByteString as one flat string. Joining strings makes a tree that V8 walks piece by piece
 * whenever the result is written out: a piece that goes into every document is flattened once.
 */
export function flatten(bytes: ByteString): ByteString {
  return Buffer.from(bytes, 'latin1').toString('latin1');
}

/** The text fields, in the order of their ids (`EntryJson.setField`). */
export const TEXT_FIELDS = [
  'severity',
  'logType',
  'bundleName',
  'bundleVersion',
  'podName',
  'logMessage',
] as const;

/**
 * An entry's fields, each as canonical JSON (byte for byte what `JSON.stringify` writes for its value)
 * in a ByteString. Both ways of reading an entry end here: the layout reader slices the downloaded
 * bytes without parsing them, the object path serializes a parsed entry. From this form one builder
 * writes the document and one function hashes the identity, so an entry gets the same document and
 * `_id` whichever way it was read, and whatever the shape of the file that carried it.
 */
export class EntryJson {
  /** Each text field's JSON string; undefined when the entry lacks the field. */
  severity: ByteString | undefined;
  logType: ByteString | undefined;
  bundleName: ByteString | undefined;
  bundleVersion: ByteString | undefined;
  podName: ByteString | undefined;
  logMessage: ByteString | undefined;
  /** The unknown fields as one JSON object, keys sorted (see `serializeExtra`). */
  extra: ByteString | undefined;

  constructor(
    /** The entry's `logTimestamp` as `entryTimestamp` reads it. */
    readonly timestampMs: number,
  ) {}

  /** `field` is an index into TEXT_FIELDS. */
  setField(field: number, json: ByteString): void {
    switch (field) {
      case 0:
        this.severity = json;
        break;
      case 1:
        this.logType = json;
        break;
      case 2:
        this.bundleName = json;
        break;
      case 3:
        this.bundleVersion = json;
        break;
      case 4:
        this.podName = json;
        break;
      default:
        this.logMessage = json;
    }
  }
}

/** An entry's own JSON, as downloaded: what a dead letter keeps as the entry Talend sent. */
class EntryText {
  constructor(private readonly json: ByteString) {}

  /** The entry as `JSON.parse` gives it. */
  toObject(): Record<string, unknown> {
    return JSON.parse(fromByteString(this.json)) as Record<string, unknown>;
  }

  /** Serialized (in a dead letter), it is the entry itself. */
  toJSON(): unknown {
    return this.toObject();
  }
}

/**
 * An entry read straight from the downloaded bytes: its fields are slices of the file, and the entry
 * itself is parsed only if somebody asks for it.
 */
export class ScannedEntry extends EntryJson {
  constructor(
    timestampMs: number,
    /** The downloaded bytes; the entry's own JSON, `{` to `}` included, is `bytes[textStart, textEnd)`. */
    readonly bytes: Buffer,
    readonly textStart: number,
    readonly textEnd: number,
  ) {
    super(timestampMs);
  }

  /** A copy of the entry's JSON: holding on to the downloaded bytes would keep the whole read alive. */
  original(): EntryText {
    return new EntryText(this.bytes.toString('latin1', this.textStart, this.textEnd));
  }
}
