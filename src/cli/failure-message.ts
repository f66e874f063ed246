import { errors } from '@elastic/elasticsearch';
import { errorChain } from '../common/error-chain.ts';
import { describeError } from '../common/errors.ts';
import { safeUrl } from '../common/secrets.ts';
import { isCertificateError } from '../common/tls-errors.ts';

/**
 * The line a command prints when it fails. Our own errors already say what to do; the Elasticsearch
 * client's say what broke ("connect ECONNREFUSED 10.0.0.5:9200") but neither where nor what to do,
 * so those get both.
 */
export function failureMessage(error: unknown): string {
  // A transport failure ridden out until the outage budget ran out arrives wrapped: say where and
  // what to check first, then how long the run waited.
  const transport = [...errorChain(error)].find(isTransportFailure);
  if (transport !== undefined) {
    const waited = transport === error ? '' : ` ${describeError(error)}`;
    return `${transportMessage(transport)}${waited}`;
  }
  const reason = describeError(error);
  if (error instanceof errors.ResponseError && error.statusCode === 401) {
    // Elasticsearch names the user it could not authenticate: that name is all the operator needs of
    // its multi-line answer, and it tells a wrong ES_USERNAME from a wrong password.
    const user = /unable to authenticate user \[([^\]]+)\]/.exec(reason)?.[1];
    const refused =
      user === undefined ? `(HTTP 401: ${reason.replace(/\s*\n\s*/g, ' ')})` : `of user ${user} (HTTP 401)`;
    return (
      `Elasticsearch${nodeOf(error)} refused the credentials ${refused}: check ES_USERNAME and ES_PASSWORD, ` +
      'or ES_API_KEY.'
    );
  }
  if (error instanceof errors.ResponseError && error.statusCode === 403) {
    return (
      `Elasticsearch${nodeOf(error)} denied the request (HTTP 403: ${reason}): the user needs the ` +
      'manage_index_templates and manage_pipeline cluster privileges, and create_index, write and read on the ' +
      '<prefix>-* indices (README, "Elasticsearch roles").'
    );
  }
  return reason;
}

function isTransportFailure(
  error: unknown,
): error is errors.ConnectionError | errors.TimeoutError | errors.NoLivingConnectionsError {
  return (
    error instanceof errors.ConnectionError ||
    error instanceof errors.TimeoutError ||
    error instanceof errors.NoLivingConnectionsError
  );
}

function transportMessage(
  error: errors.ConnectionError | errors.TimeoutError | errors.NoLivingConnectionsError,
): string {
  const reason = describeError(error);
  const where = nodeOf(error);
  if (isCertificateError(error)) {
    return (
      `The TLS certificate of Elasticsearch${where} is not trusted (${reason}): give the CA that signed it ` +
      'with --es-ca-cert FILE (ES_CA_CERT). --es-insecure-skip-tls-verify turns the check off (never in production).'
    );
  }
  return (
    `Elasticsearch${where} is unreachable (${reason}): check --es-url / ES_URL (or ES_CLOUD_ID), ` +
    'and that the cluster is up and reachable from this host.'
  );
}

/** " at <node>", without credentials or query, when the error says which node answered. */
function nodeOf(error: { meta?: { meta?: { connection?: { url?: URL } | null } } }): string {
  const url = error.meta?.meta?.connection?.url;
  return url === undefined ? '' : ` at ${safeUrl(url)}`;
}
