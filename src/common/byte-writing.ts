/**
 * Writing the pieces of a document straight into the buffer that carries it. Joining the pieces into
 * one string first costs V8 a copy of the whole string when it is written out (it flattens the joined
 * string), and that copy is garbage the collector then pays for: parse + enrich of a million lines
 * spent a third of its CPU in those copies and the collections they caused.
 */

/** `text`, UTF-8 bytes held one per character (U+0000 to U+00FF), written at `at`; returns the end. */
export function putByteString(target: Buffer, at: number, text: string): number {
  return at + target.write(text, at, 'latin1');
}

/** `bytes` written at `at`; returns the end. */
export function putBytes(target: Buffer, at: number, bytes: Uint8Array): number {
  target.set(bytes, at);
  return at + bytes.length;
}

/** Below this, a number's digits are worked out in 32-bit integer arithmetic, the fastest V8 has. */
const SMALL = 0x80000000;

/** How many characters `String(value)` has. */
export function numberLength(value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) return String(value).length;
  let length = 1;
  if (value < SMALL) {
    for (let rest = value; rest >= 10; rest = (rest / 10) | 0) length++;
  } else {
    for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) length++;
  }
  return length;
}

/** `String(value)` written at `at`; returns the end. Non-negative integers need no string. */
export function putNumber(target: Buffer, at: number, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0) return putByteString(target, at, String(value));
  const end = at + numberLength(value);
  let rest = value;
  let i = end - 1;
  for (; rest >= SMALL; i--) {
    const digit = rest % 10;
    target[i] = 0x30 + digit;
    rest = (rest - digit) / 10;
  }
  for (; i >= at; i--) {
    const next = (rest / 10) | 0;
    target[i] = 0x30 + rest - 10 * next;
    rest = next;
  }
  return end;
}
