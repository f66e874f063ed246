import { chainMatches } from './error-chain.ts';

/** OpenSSL's verdicts on a certificate it would not trust, as Node reports them in `error.code`. */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * Whether a connection failed because the server's certificate was not trusted: unlike a network
 * fault, retrying cannot help, and the operator needs to hear about CA files rather than networks.
 * Clients wrap the TLS error (undici in `cause`, the Elasticsearch client in its message).
 */
export function isCertificateError(error: unknown): boolean {
  return chainMatches(error, CERTIFICATE_CODES, /certificate|self[- ]signed/i);
}
