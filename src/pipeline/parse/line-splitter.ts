import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/**
 * The lines of a UTF-8 byte stream, a batch per chunk read: a character split between two chunks is
 * reassembled, `\r\n` counts as `\n`, and a last line without a newline still comes out. Batches, not
 * single lines, because a hop through an async iterator per line costs as much as parsing it.
 */
export async function* splitLines(
  bytes: Readable,
  onUnterminatedLine?: () => void,
): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of bytes) {
    const text = decoder.write(chunk as Buffer);
    // Splitting re-reads all of `rest`: only do it when a line ends, or a long line read in small
    // pieces would be re-read once per piece.
    if (!text.includes('\n')) {
      rest += text;
      continue;
    }
    const lines = (rest + text).split('\n');
    rest = lines.pop()!;
    for (let i = 0; i < lines.length; i++) lines[i] = stripCarriageReturn(lines[i]!);
    yield lines;
  }
  rest += decoder.end();
  if (rest !== '') {
    onUnterminatedLine?.();
    yield [stripCarriageReturn(rest)];
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
