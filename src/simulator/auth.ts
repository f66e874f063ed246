import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { OAuthTokenResponse } from '../contracts/talend-api.ts';
import { SimulatedHttpError } from './http-util.ts';
import { DEFAULT_AUTH, type AuthOptions, type ServiceAccount } from './types.ts';

const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 1800;

function unauthorized(message: string, detail: string): SimulatedHttpError {
  return new SimulatedHttpError(401, message, { detail });
}

function sameSecret(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Personal access tokens, service accounts, and the access tokens issued to them. */
export class AuthService {
  private readonly personalAccessTokens: ReadonlySet<string>;
  private readonly serviceAccounts: readonly ServiceAccount[];
  private readonly ttlSeconds: number;
  private readonly expiresInAsNumber: boolean;
  private readonly audiences: ReadonlySet<string> | undefined;
  /** Issued access token → expiry (epoch ms). */
  private readonly accessTokens = new Map<string, number>();

  constructor(options: AuthOptions = DEFAULT_AUTH) {
    this.personalAccessTokens = new Set(options.personalAccessTokens ?? []);
    this.serviceAccounts = options.serviceAccounts ?? [];
    this.ttlSeconds = options.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS;
    this.expiresInAsNumber = options.expiresInAsNumber ?? false;
    this.audiences = options.audiences && new Set(options.audiences);
  }

  /** `POST /security/oauth/token`: client credentials in Basic auth, grant in a JSON body. */
  issue(authorization: string | undefined, body: string, now: number): OAuthTokenResponse {
    const account = this.serviceAccount(authorization);
    if (!account)
      throw unauthorized(
        'Invalid client credentials',
        'Basic authentication of a service account is required',
      );
    let grant: unknown;
    try {
      grant = JSON.parse(body);
    } catch {
      throw new SimulatedHttpError(400, 'Request body is not valid JSON');
    }
    const { grant_type: grantType, audience } = (grant ?? {}) as Record<string, unknown>;
    if (grantType !== 'client_credentials') {
      throw new SimulatedHttpError(400, 'unsupported_grant_type: expected client_credentials');
    }
    if (typeof audience !== 'string' || audience === '')
      throw new SimulatedHttpError(400, 'audience is required');
    // The reference documents 401 for a refused token request, and no answer for this case in particular.
    if (this.audiences && !this.audiences.has(audience)) {
      throw unauthorized('Invalid audience', `Tokens of this tenant are not issued for audience ${audience}`);
    }
    const token = randomBytes(32).toString('base64url');
    this.accessTokens.set(token, now + this.ttlSeconds * 1000);
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: this.expiresInAsNumber ? this.ttlSeconds : String(this.ttlSeconds),
    };
  }

  /** Throws a 401 unless the bearer token is a configured PAT or a live access token. */
  authenticate(authorization: string | undefined, now: number): void {
    const token = bearerToken(authorization);
    if (token === undefined) throw unauthorized('Unauthorized', 'Missing or malformed Bearer authorization');
    if (this.personalAccessTokens.has(token)) return;
    const expiresAt = this.accessTokens.get(token);
    if (expiresAt === undefined) throw unauthorized('Unauthorized', 'Invalid token');
    if (now >= expiresAt) throw unauthorized('Unauthorized', 'Token expired');
  }

  /** An access token that expired early stays expired; a PAT cannot expire. */
  expireEarly(authorization: string | undefined): SimulatedHttpError {
    const token = bearerToken(authorization);
    if (token !== undefined && this.accessTokens.has(token)) this.accessTokens.set(token, 0);
    return unauthorized('Unauthorized', 'Token expired');
  }

  private serviceAccount(authorization: string | undefined): ServiceAccount | undefined {
    const match = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return undefined;
    const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    const clientId = decoded.slice(0, colon);
    const clientSecret = decoded.slice(colon + 1);
    return this.serviceAccounts.find(
      (a) => a.clientId === clientId && sameSecret(a.clientSecret, clientSecret),
    );
  }
}

function bearerToken(authorization: string | undefined): string | undefined {
  return /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
}
