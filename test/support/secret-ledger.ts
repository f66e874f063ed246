/**
 * Every text a test file's CLI runs printed (and whatever else the test wants checked, such as the
 * checkpoints and dead letters they stored), and every secret those runs were given or handed: at the
 * end, no secret may appear in any text.
 */
import type { CliResult } from './job-harness.ts';

export interface Leak {
  secret: string;
  where: string;
}

/** Secrets shorter than this would match ordinary words; no credential of the tests is this short. */
const MIN_SECRET_LENGTH = 8;

export class SecretLedger {
  private readonly texts: { where: string; text: string }[] = [];
  private readonly secrets = new Map<string, string>();

  /** `name` says which secret leaked without printing it. */
  addSecret(name: string, value: string): void {
    if (value.length >= MIN_SECRET_LENGTH) this.secrets.set(value, name);
  }

  /** A basic-auth pair, also in the base64 form an `Authorization` header carries. */
  addBasicAuth(name: string, user: string, password: string): void {
    this.addSecret(name, password);
    this.addSecret(`${name} (basic header)`, Buffer.from(`${user}:${password}`).toString('base64'));
  }

  addText(where: string, text: string): void {
    this.texts.push({ where, text });
  }

  /** Records a CLI run's output when it ends; resolves with the result unchanged. */
  async track(where: string, result: Promise<CliResult>): Promise<CliResult> {
    const done = await result;
    this.addText(`${where} (stdout)`, done.stdout);
    this.addText(`${where} (stderr)`, done.stderr);
    return done;
  }

  get textCount(): number {
    return this.texts.length;
  }

  leaks(): Leak[] {
    const found: Leak[] = [];
    for (const { where, text } of this.texts) {
      for (const [value, name] of this.secrets) {
        if (text.includes(value)) found.push({ secret: name, where });
      }
    }
    return found;
  }
}
