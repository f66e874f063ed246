import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerSecret, scrubSecrets } from '../../src/common/secrets.ts';
import { registerPresignedUrl } from '../../src/talend/presigned-download.ts';

const signature = (chunk: number) => `sig${String(chunk).padStart(8, '0')}deadbeef`;
const presignedUrl = (chunk: number) =>
  `https://store.example/logs/${chunk}.json.gz?X-Amz-Date=20261122T120000Z&X-Amz-Signature=${signature(chunk)}`;

describe('scrubSecrets', () => {
  it('keeps the presigned signatures of a long backfill bounded, the recent ones and credentials redacted', () => {
    registerSecret('credential-for-the-whole-run');
    const chunks = 20_000;
    for (let chunk = 0; chunk < chunks; chunk += 1) registerPresignedUrl(presignedUrl(chunk));
    // A store's error text quotes the signature without its URL: only registration redacts it.
    const echo = (chunk: number) => `SignatureDoesNotMatch: SignatureProvided ${signature(chunk)}`;
    for (let chunk = chunks - 100; chunk < chunks; chunk += 1) {
      assert.equal(scrubSecrets(echo(chunk)), 'SignatureDoesNotMatch: SignatureProvided [REDACTED]');
    }
    assert.equal(scrubSecrets(echo(0)), echo(0), 'the oldest signatures are no longer scanned for');
    assert.equal(scrubSecrets('token credential-for-the-whole-run'), 'token [REDACTED]');
    assert.equal(
      scrubSecrets(`GET ${presignedUrl(0)} failed`),
      'GET https://store.example/logs/0.json.gz?[REDACTED] failed',
    );
  });
});
