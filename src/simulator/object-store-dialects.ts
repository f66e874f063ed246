import { randomBytes, randomUUID } from 'node:crypto';
import type { ObjectStoreKind } from './types.ts';

/** Thrown inside the object store's handler to answer with the store's own XML error. */
export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly status: number;
  readonly code: string;
  /** Azure's `AuthenticationErrorDetail`. */
  readonly detail: string | undefined;

  constructor(status: number, code: string, message: string, detail?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.detail = detail;
  }
}

export interface ErrorAnswer {
  headers: Record<string, string>;
  body: Buffer;
}

/** How one object store words its answers. */
export interface StoreDialect {
  newRequestId(): string;
  /** Headers every answer carries. */
  headers(requestId: string): Record<string, string>;
  notFound(): StoreError;
  badSignature(): StoreError;
  /** `now` may be before `expiresAt` when a fault expires the URL early. */
  expired(expiresAt: number, now: number): StoreError;
  /** An error status a fault draws. */
  failure(status: number): StoreError;
  /** The answer to a presigned URL sent with an Authorization header too, where the store's is documented. */
  withAuthorizationHeader?: StoreError;
  render(error: StoreError, requestId: string, now: number): ErrorAnswer;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Amazon S3 (REST error responses: `<Error><Code/><Message/><RequestId/></Error>`). */
const S3: StoreDialect = {
  newRequestId: () => randomBytes(8).toString('hex').toUpperCase(),
  headers: (requestId) => ({ 'x-amz-request-id': requestId }),
  notFound: () => new StoreError(404, 'NoSuchKey', 'The specified key does not exist.'),
  badSignature: () =>
    new StoreError(
      403,
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    ),
  expired: () => new StoreError(403, 'AccessDenied', 'Request has expired'),
  failure: (status) =>
    new StoreError(
      status,
      { 429: 'TooManyRequests', 502: 'BadGateway', 503: 'SlowDown' }[status] ?? 'InternalError',
      'Simulated failure',
    ),
  withAuthorizationHeader: new StoreError(
    400,
    'InvalidArgument',
    'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
  ),
  render: (error, requestId) => ({
    headers: { 'content-type': 'application/xml', ...S3.headers(requestId) },
    body: Buffer.from(
      `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message>` +
        `<RequestId>${requestId}</RequestId></Error>`,
    ),
  }),
};

const AZURE_AUTH_FAILED =
  'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.';

/** `Thu, 25 Jun 2026 00:31:00 GMT`, as Azure quotes SAS times. */
function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/**
 * Azure Blob storage ("Status and error codes": `<Error><Code/><Message/></Error>` plus an
 * `x-ms-error-code` header; the message ends with the request id and time, and authentication
 * failures add an `AuthenticationErrorDetail`).
 */
const AZURE: StoreDialect = {
  newRequestId: () => randomUUID(),
  headers: (requestId) => ({ 'x-ms-request-id': requestId, 'x-ms-version': '2021-08-06' }),
  notFound: () => new StoreError(404, 'BlobNotFound', 'The specified blob does not exist.'),
  badSignature: () =>
    new StoreError(
      403,
      'AuthenticationFailed',
      AZURE_AUTH_FAILED,
      'Signature did not match. String to sign used was r\n\n\n/blob/simulator/logs',
    ),
  // Without a signed start the start is the moment of use, hence the wording. A fault's answer reads
  // as if that moment were a second past the expiry.
  expired: (expiresAt, now) =>
    new StoreError(
      403,
      'AuthenticationFailed',
      AZURE_AUTH_FAILED,
      `Signed expiry time [${httpDate(expiresAt)}] must be after signed start time [${httpDate(Math.max(now, expiresAt + 1000))}]`,
    ),
  failure: (status) =>
    status === 503 || status === 429
      ? new StoreError(
          status,
          'ServerBusy',
          'The server is currently unable to receive requests. Please retry your request.',
        )
      : new StoreError(
          status,
          'InternalError',
          'The server encountered an internal error. Please retry the request.',
        ),
  render: (error, requestId, now) => {
    const message = `${error.message}\nRequestId:${requestId}\nTime:${new Date(now).toISOString()}`;
    const detail =
      error.detail === undefined
        ? ''
        : `<AuthenticationErrorDetail>${escapeXml(error.detail)}</AuthenticationErrorDetail>`;
    return {
      headers: {
        'content-type': 'application/xml',
        'x-ms-error-code': error.code,
        ...AZURE.headers(requestId),
      },
      body: Buffer.from(
        `<?xml version="1.0" encoding="utf-8"?><Error><Code>${error.code}</Code><Message>${escapeXml(message)}</Message>${detail}</Error>`,
      ),
    };
  },
};

export const DIALECTS: Readonly<Record<ObjectStoreKind, StoreDialect>> = { s3: S3, azure: AZURE };
