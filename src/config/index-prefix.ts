import { ConfigError } from '../common/errors.ts';
import { indexNames } from './index-names.ts';

/** Lower-case ASCII that Elasticsearch takes in any index, alias or template name, and no wildcard. */
const PREFIX_PATTERN = /^[a-z0-9][a-z0-9_.-]*$/;
/** Elasticsearch's limit on an index name, in bytes (the prefix is ASCII: one byte a character). */
const NAME_LIMIT = 255;
/** What the longest name we derive adds to the prefix. */
const LONGEST_SUFFIX = Math.max(
  ...indexNames('')
    .all()
    .map((name) => name.length),
);
/** Room for the longest name we derive, and no more than 200 characters whatever names come. */
const MAX_PREFIX_LENGTH = Math.min(200, NAME_LIMIT - LONGEST_SUFFIX);

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
