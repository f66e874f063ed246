import { registerSecret } from '../common/secrets.ts';
import type { TalendAuth } from '../config/config.ts';
import type { OAuthTokenResponse } from '../contracts/talend-api.ts';
import type { Logger } from '../observability/logger.ts';
import { abortable } from './abortable.ts';
import { TalendApiError, type AuthKind } from './errors.ts';
import type { StatsRecorder } from './stats.ts';

/** Supplies the `Authorization` header of API calls. */
export interface AuthProvider {
  readonly kind: AuthKind;
  authorization(signal?: AbortSignal): Promise<string>;
  /**
   * Called once per call after a 401 answered `authorization`. True when asking again may succeed
   * (a service account gets a fresh token); false when the 401 is final (a PAT).
   */
  invalidate(authorization: string): boolean;
}

/** Sends `POST /security/oauth/token` with the given Basic header. */
export type TokenEndpoint = (basicAuthorization: string) => Promise<OAuthTokenResponse>;

export interface AuthDeps {
  fetchToken: TokenEndpoint;
  now: () => number;
  stats: StatsRecorder;
  logger: Logger;
}

export function createAuthProvider(auth: TalendAuth, deps: AuthDeps): AuthProvider {
  return auth.kind === 'pat' ? new PersonalAccessTokenAuth(auth.token) : new ServiceAccountAuth(auth, deps);
}

class PersonalAccessTokenAuth implements AuthProvider {
  readonly kind = 'pat';
  private readonly header: string;

  constructor(token: string) {
    registerSecret(token);
    this.header = `Bearer ${token}`;
    registerSecret(this.header);
  }

  authorization(): Promise<string> {
    return Promise.resolve(this.header);
  }

  invalidate(): boolean {
    return false;
  }
}

/** The guide's lifetime of a service account token, for answers whose `expires_in` we cannot read. */
const DEFAULT_TTL_SECONDS = 30 * 60;
const REFRESH_AHEAD_MS = 60_000;

interface AccessToken {
  header: string;
  refreshAt: number;
}

class ServiceAccountAuth implements AuthProvider {
  readonly kind = 'serviceAccount';
  private readonly basic: string;
  private current: AccessToken | undefined;
  /** The refresh in flight: concurrent callers share it instead of each asking for a token. */
  private pending: Promise<AccessToken> | undefined;

  constructor(
    credentials: { clientId: string; clientSecret: string },
    private readonly deps: AuthDeps,
  ) {
    registerSecret(credentials.clientSecret);
    const encoded = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64');
    registerSecret(encoded);
    this.basic = `Basic ${encoded}`;
    registerSecret(this.basic);
  }

  async authorization(signal?: AbortSignal): Promise<string> {
    const current = this.current;
    if (current && this.deps.now() < current.refreshAt) return current.header;
    this.pending ??= this.refresh().finally(() => {
      this.pending = undefined;
    });
    return (await abortable(this.pending, signal)).header;
  }

  invalidate(authorization: string): boolean {
    // A concurrent call may already have replaced the token: then the next attempt uses the new one.
    if (this.current?.header === authorization) this.current = undefined;
    return true;
  }

  private async refresh(): Promise<AccessToken> {
    const requestedAt = this.deps.now();
    const response = await this.deps.fetchToken(this.basic);
    if (typeof response.access_token !== 'string' || response.access_token === '') {
      throw new TalendApiError(
        'Talend token endpoint answered without an access_token: check the service account and the API URL.',
        { operation: 'token' },
      );
    }
    registerSecret(response.access_token);
    const header = `Bearer ${response.access_token}`;
    registerSecret(header);
    const ttlMs = readExpiresIn(response.expires_in) * 1000;
    const token = { header, refreshAt: requestedAt + ttlMs - refreshMargin(ttlMs) };
    this.current = token;
    this.deps.stats.tokenRefresh();
    this.deps.logger.debug({ expiresInMs: ttlMs }, 'obtained a Talend service account token');
    return token;
  }
}

/**
 * How long before expiry to refresh: 60 s or 20 % of the lifetime, whichever is earlier, but never
 * more than half the lifetime, so short-lived tokens are still used for a while instead of being
 * replaced on every call.
 */
function refreshMargin(ttlMs: number): number {
  return Math.min(Math.max(REFRESH_AHEAD_MS, ttlMs * 0.2), ttlMs / 2);
}

function readExpiresIn(value: number | string | undefined): number {
  const seconds = typeof value === 'string' ? Number(value.trim()) : value;
  return seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_TTL_SECONDS;
}
