/**
 * An error and the errors it wraps, outermost first: HTTP clients nest the socket's error a level or
 * two down.
 */
export function* errorChain(error: unknown, maxDepth = 5): Generator<Error & { code?: unknown }> {
  let current = error;
  for (let depth = 0; current instanceof Error && depth < maxDepth; depth++) {
    yield current;
    current = current.cause;
  }
}

/** Whether the error, or one it wraps, has one of `codes` or a message `message` matches. */
export function chainMatches(error: unknown, codes: ReadonlySet<string>, message: RegExp): boolean {
  for (const link of errorChain(error)) {
    if ((typeof link.code === 'string' && codes.has(link.code)) || message.test(link.message)) return true;
  }
  return false;
}
