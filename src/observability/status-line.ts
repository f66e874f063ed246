/**
 * The bottom line of a terminal, redrawn in place (the progress display), and the log lines written
 * above it. Both go through here so that they never share a screen line: a log line first clears the
 * status line, and the status line is drawn again under it, in the same write.
 */
export class StatusLine {
  /** What the status line shows; empty while there is none. */
  private text = '';

  constructor(private readonly stream: NodeJS.WriteStream) {}

  get onTerminal(): boolean {
    return this.stream.isTTY === true;
  }

  /** Draws `text` as the status line, over the one before, cut to the terminal's width. */
  show(text: string): void {
    this.text = `${text.slice(0, (this.stream.columns || 120) - 1)}\x1b[K`;
    this.stream.write(`\r${this.text}`);
  }

  /** Writes text (whole lines) above the status line. */
  writeAbove(lines: string): void {
    this.stream.write(this.text === '' ? lines : `\r\x1b[K${lines}${this.text}`);
  }

  /** Leaves the status line as it is on the screen, and writes below it from now on. */
  end(): void {
    if (this.text === '') return;
    this.text = '';
    this.stream.write('\n');
  }
}

/** Standard error's: the one the progress display and the logs share. */
export const stderrStatusLine = new StatusLine(process.stderr);
