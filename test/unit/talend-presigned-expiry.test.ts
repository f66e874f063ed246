import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isExpiredUrlAnswer } from '../../src/talend/presigned-download.ts';

/** Azure's wording of an authentication failure, as its error bodies carry it. */
function azure(code: string, detail: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?><Error><Code>' +
    code +
    '</Code><Message>Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.\n' +
    'RequestId:e9f62169-d01e-0020-1c42-049976000000\nTime:2026-06-25T01:31:57.7329774Z</Message>' +
    `<AuthenticationErrorDetail>${detail}</AuthenticationErrorDetail></Error>`
  );
}

const S3_EXPIRED =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message>' +
  '<X-Amz-Expires>3600</X-Amz-Expires><Expires>2024-05-01T13:00:00Z</Expires><ServerTime>2024-05-01T14:00:00Z</ServerTime>' +
  '<RequestId>4442587FB7D0A2F9</RequestId></Error>';

describe('isExpiredUrlAnswer', () => {
  it("recognises S3's expired URL and expired signing credentials", () => {
    assert.ok(isExpiredUrlAnswer(403, S3_EXPIRED));
    assert.ok(
      isExpiredUrlAnswer(
        400,
        '<Error><Code>ExpiredToken</Code><Message>The provided token has expired.</Message></Error>',
      ),
    );
  });

  it("recognises Azure's expired SAS in each of its wordings", () => {
    for (const detail of [
      'Signed expiry time [Thu, 25 Jun 2026 00:31:00 GMT] must be after signed start time [Thu, 25 Jun 2026 01:31:57 GMT]',
      'Signed expiry time [Wed, 31 Aug 2022 00:00:00 GMT] has to be after signed start time [Thu, 20 Oct 2022 20:05:51 GMT]',
      'Signature not valid in the specified time frame: Start [Thu, 09 Jul 2020 10:11:03 GMT] - Expiry [Thu, 09 Jul 2020 18:11:03 GMT] - Current [Fri, 10 Jul 2020 10:16:22 GMT]',
    ]) {
      assert.ok(isExpiredUrlAnswer(403, azure('AuthenticationFailed', detail)), detail);
    }
  });

  it('leaves every other refusal an error, even when it mentions expiry', () => {
    const others: [number, string][] = [
      [
        403,
        '<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error>',
      ],
      [403, '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'],
      [
        403,
        azure(
          'AuthenticationFailed',
          'Signature did not match. String to sign used was r\n\n2026-06-25T00:31:00Z\n/blob/acct/logs/x',
        ),
      ],
      [
        403,
        azure(
          'AuthorizationPermissionMismatch',
          'Signed expiry time [x] must be after signed start time [y]',
        ),
      ],
      [403, 'Your session has expired. Please sign in to the proxy again.'],
      [404, S3_EXPIRED],
      [
        500,
        azure(
          'AuthenticationFailed',
          'Signature not valid in the specified time frame: Start [a] - Expiry [b] - Current [c]',
        ),
      ],
      [403, ''],
    ];
    for (const [status, body] of others)
      assert.equal(isExpiredUrlAnswer(status, body), false, `${status} ${body}`);
  });
});
