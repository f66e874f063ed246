import { scrubSecrets } from './secrets.ts';

/** Why a run stopped, mapped to the process exit codes documented in README.md. */
export type ErrorCategory =
  'config' | 'talend' | 'elasticsearch' | 'kibana' | 'input' | 'interrupted' | 'internal';

export type ErrorContext = Record<string, string | number | boolean | undefined>;

/**
 * Base of every error we throw on purpose. The message is written for the operator who reads it at
 * 3 a.m.: what failed, where, and what to do. Context travels as fields, not inside the string,
 * so logs can index it; secrets are scrubbed from both.
 */
export class TalendLogsError extends Error {
  readonly category: ErrorCategory;
  readonly context: ErrorContext;

  constructor(
    message: string,
    options: { category: ErrorCategory; context?: ErrorContext; cause?: unknown },
  ) {
    super(scrubSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.category = options.category;
    this.context = scrubContext(options.context ?? {});
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, category: this.category, ...this.context };
  }
}

export class ConfigError extends TalendLogsError {
  constructor(message: string, context?: ErrorContext) {
    super(message, { category: 'config', context });
  }
}

export class InterruptedError extends TalendLogsError {
  constructor(message = 'Interrupted by signal', context?: ErrorContext) {
    super(message, { category: 'interrupted', context });
  }
}

function scrubContext(context: ErrorContext): ErrorContext {
  const out: ErrorContext = {};
  for (const [key, value] of Object.entries(context)) {
    out[key] = typeof value === 'string' ? scrubSecrets(value) : value;
  }
  return out;
}

/** A short, secret-free description of anything thrown, for logs and summaries. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return scrubSecrets(error.message);
  return scrubSecrets(String(error));
}
