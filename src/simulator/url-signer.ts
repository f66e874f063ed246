import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { amzDate, isoSeconds, parseAmzDate, parseLogTime } from './time-format.ts';
import type { ObjectStoreKind } from './types.ts';

export interface SignatureCheck {
  verdict: 'valid' | 'invalid' | 'expired';
  /** When a URL with a good signature stops working (epoch ms). */
  expiresAt?: number;
}

/** How one object store lays a presigned URL's grant and signature out in its query. */
interface SigningScheme {
  signatureParam: string;
  /** The parameters the signature covers, besides the path. */
  signedParams: readonly string[];
  encoding: 'hex' | 'base64';
  grant(now: number, ttlSeconds: number): Record<string, string>;
  expiresAt(params: URLSearchParams): number | undefined;
}

const SCHEMES: Readonly<Record<ObjectStoreKind, SigningScheme>> = {
  s3: {
    signatureParam: 'X-Amz-Signature',
    signedParams: [
      'X-Amz-Algorithm',
      'X-Amz-Credential',
      'X-Amz-Date',
      'X-Amz-Expires',
      'X-Amz-SignedHeaders',
    ],
    encoding: 'hex',
    grant(now, ttlSeconds) {
      const date = amzDate(now);
      return {
        'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
        'X-Amz-Credential': `SIMULATOR/${date.slice(0, 8)}/us-east-1/s3/aws4_request`,
        'X-Amz-Date': date,
        'X-Amz-Expires': String(ttlSeconds),
        'X-Amz-SignedHeaders': 'host',
      };
    },
    expiresAt(params) {
      const signedAt = parseAmzDate(params.get('X-Amz-Date') ?? '');
      const ttlSeconds = Number(params.get('X-Amz-Expires'));
      return signedAt === undefined || !Number.isFinite(ttlSeconds)
        ? undefined
        : signedAt + ttlSeconds * 1000;
    },
  },
  // A read-only service SAS for one blob. Without a signed start (`st`) it is valid from the moment it is used.
  azure: {
    signatureParam: 'sig',
    signedParams: ['sv', 'sr', 'sp', 'se'],
    encoding: 'base64',
    grant: (now, ttlSeconds) => ({
      sv: '2021-08-06',
      sr: 'b',
      sp: 'r',
      se: isoSeconds(now + ttlSeconds * 1000),
    }),
    expiresAt: (params) => parseLogTime(params.get('se') ?? ''),
  },
};

/** Presigned URLs in S3's or Azure's layout: an HMAC over the path and the grant, with an expiry. */
export class UrlSigner {
  private readonly key = randomBytes(32);
  private readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  sign(path: string, now: number, ttlSeconds: number, store: ObjectStoreKind): string {
    const scheme = SCHEMES[store];
    const params = new URLSearchParams(scheme.grant(now, ttlSeconds));
    params.set(scheme.signatureParam, this.signature(scheme, path, params));
    return `${this.baseUrl}${path}?${params.toString()}`;
  }

  /** Checks a URL in whichever layout it was signed, so a store switched mid-run still reads older URLs. */
  check(url: URL, now: number): SignatureCheck {
    const scheme = Object.values(SCHEMES).find((candidate) => url.searchParams.has(candidate.signatureParam));
    if (scheme === undefined) return { verdict: 'invalid' };
    const given = Buffer.from(url.searchParams.get(scheme.signatureParam) ?? '');
    const expected = Buffer.from(this.signature(scheme, url.pathname, url.searchParams));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { verdict: 'invalid' };
    const expiresAt = scheme.expiresAt(url.searchParams);
    if (expiresAt === undefined) return { verdict: 'invalid' };
    return { verdict: now > expiresAt ? 'expired' : 'valid', expiresAt };
  }

  private signature(scheme: SigningScheme, path: string, params: URLSearchParams): string {
    const hmac = createHmac('sha256', this.key).update(path);
    for (const name of scheme.signedParams) hmac.update(`\n${params.get(name) ?? ''}`);
    return hmac.digest(scheme.encoding);
  }
}
