import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { amzDate, parseAmzDate } from './time-format.ts';

/** The query parameters the signature covers, besides the path. */
const SIGNED_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
];

export type SignatureCheck = 'valid' | 'invalid' | 'expired';

/** S3-style presigned URLs: an HMAC over the path and the signing parameters, with an expiry. */
export class UrlSigner {
  private readonly key = randomBytes(32);
  private readonly baseUrl: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl;
  }

  sign(path: string, now: number, ttlSeconds: number): string {
    const date = amzDate(now);
    const params = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Credential': `SIMULATOR/${date.slice(0, 8)}/us-east-1/s3/aws4_request`,
      'X-Amz-Date': date,
      'X-Amz-Expires': String(ttlSeconds),
      'X-Amz-SignedHeaders': 'host',
    });
    params.set('X-Amz-Signature', this.signature(path, params));
    return `${this.baseUrl}${path}?${params.toString()}`;
  }

  check(url: URL, now: number): SignatureCheck {
    const given = Buffer.from(url.searchParams.get('X-Amz-Signature') ?? '');
    const expected = Buffer.from(this.signature(url.pathname, url.searchParams));
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'invalid';
    const signedAt = parseAmzDate(url.searchParams.get('X-Amz-Date') ?? '');
    const ttlSeconds = Number(url.searchParams.get('X-Amz-Expires'));
    if (signedAt === undefined || !Number.isFinite(ttlSeconds)) return 'invalid';
    return now > signedAt + ttlSeconds * 1000 ? 'expired' : 'valid';
  }

  private signature(path: string, params: URLSearchParams): string {
    const hmac = createHmac('sha256', this.key).update(path);
    for (const name of SIGNED_PARAMS) hmac.update(`\n${params.get(name) ?? ''}`);
    return hmac.digest('hex');
  }
}
