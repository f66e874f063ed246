import { SimulatedHttpError } from './http-util.ts';

export interface IntBounds {
  min: number;
  max?: number;
}

/** An integer query parameter within bounds; absent gives undefined, anything else invalid a 400. */
export function intParam(query: URLSearchParams, name: string, bounds: IntBounds): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  if (!/^-?\d+$/.test(raw) || value < bounds.min || value > max) {
    const range = bounds.max === undefined ? `>= ${bounds.min}` : `between ${bounds.min} and ${bounds.max}`;
    throw new SimulatedHttpError(400, `Invalid query parameter ${name}: must be an integer ${range}`);
  }
  return value;
}

/** A time query parameter read by `parse`; absent gives undefined, unparsable a 400. */
export function timeParam(
  query: URLSearchParams,
  name: string,
  parse: (text: string) => number | undefined,
): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  const value = parse(raw);
  if (value === undefined) {
    throw new SimulatedHttpError(400, `Invalid query parameter ${name}: expected yyyy-mm-ddThh:mm:ssZ`);
  }
  return value;
}

/** One of the given values, compared case-insensitively; absent gives the first. */
export function enumParam<T extends string>(query: URLSearchParams, name: string, values: readonly T[]): T {
  const raw = query.get(name);
  if (raw === null || raw === '') return values[0] as T;
  const value = values.find((v) => v.toLowerCase() === raw.toLowerCase());
  if (value === undefined) {
    throw new SimulatedHttpError(
      400,
      `Invalid query parameter ${name}: expected one of ${values.join(', ')}`,
    );
  }
  return value;
}
