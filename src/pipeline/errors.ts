import { TalendLogsError, type ErrorContext } from '../common/errors.ts';

/** The downloaded bytes are not a log we can read: retrying the same file will not help. */
class LogFormatError extends TalendLogsError {
  constructor(message: string, context?: ErrorContext, cause?: unknown) {
    super(message, { category: 'input', context, cause });
  }
}

/** A Content-Encoding we cannot undo; the bytes would be parsed as garbage otherwise. */
export class UnsupportedEncodingError extends LogFormatError {}

/**
 * The compressed body is corrupt or cut short. Usually a transfer that broke off, so it is marked
 * `retryable`: downloading the chunk again may well succeed.
 */
export class DecodeError extends LogFormatError {
  constructor(message: string, context?: ErrorContext, cause?: unknown) {
    super(message, { ...context, retryable: true }, cause);
  }
}

/**
 * The file ends in the middle of its JSON: a transfer cut short (a proxy, a reset, a server that
 * closed early), since Talend writes whole files. Marked `retryable`: the chunk is downloaded again,
 * and only on the last attempt is the broken tail dead-lettered instead.
 */
export class TruncatedLogError extends LogFormatError {
  constructor(message: string, context?: ErrorContext) {
    super(message, { ...context, retryable: true });
  }
}

/**
 * The file is not a log this connector can read: neither JSON entries nor, for a TEXT request, text
 * with timestamped lines. Reported once for the file, rather than as a dead letter per fragment of
 * it; retrying the same file will not help.
 */
export class UnreadableLogError extends LogFormatError {}

/**
 * A chunk's lines did not add up: some were neither indexed, dead-lettered nor skipped. Raised instead
 * of letting a checkpoint move past lines that may have been lost.
 */
export class AccountingError extends TalendLogsError {
  constructor(message: string, context?: ErrorContext) {
    super(message, { category: 'internal', context });
  }
}
