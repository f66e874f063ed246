import { ConfigError } from '../common/errors.ts';

/** Lower-case ASCII that Elasticsearch takes in any index, alias or template name, and no wildcard. */
const PREFIX_PATTERN = /^[a-z0-9][a-z0-9_.-]*$/;
/** Leaves room under Elasticsearch's 255-byte limit for the longest name we derive (`-deadletter`). */
const MAX_PREFIX_LENGTH = 200;

/**
 * Why a prefix cannot name our indices, aliases and templates, or undefined when it can: the one rule
 * of the configuration and of the store, so that no name derived from a prefix the configuration took
 * is refused in the middle of a run.
 */
export function indexPrefixProblem(prefix: string): string | undefined {
  if (!PREFIX_PATTERN.test(prefix)) {
    return 'is not a valid index prefix: use lower-case letters, digits, "-", "_" or ".", starting with a letter or digit';
  }
  if (prefix.length > MAX_PREFIX_LENGTH) {
    return `is not a valid index prefix: it is longer than ${MAX_PREFIX_LENGTH} characters`;
  }
  return undefined;
}

/** Returns the prefix unchanged, or throws the ConfigError `indexPrefixProblem` describes. */
export function validateIndexPrefix(prefix: string): string {
  const problem = indexPrefixProblem(prefix);
  if (problem !== undefined) {
    throw new ConfigError(`Index prefix "${prefix}" ${problem}.`, { setting: 'indexPrefix' });
  }
  return prefix;
}
