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
