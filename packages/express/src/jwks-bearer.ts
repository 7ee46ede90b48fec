import { createHash } from 'node:crypto';
import { isIdentifier, type Logger } from '@partner-team/core';
import type { Request } from 'express';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { HttpProblem, unavailableRetryAfterSeconds } from './problem.js';
import { bearerTokenOf, type Session, type SessionAuthenticator } from './session.js';

/** Asymmetric algorithms a provider's access tokens may use. HMAC and `none` are never accepted. */
export const providerTokenAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;
/** Accepted unless configured otherwise. */
export const defaultProviderTokenAlgorithms: readonly ProviderTokenAlgorithm[] = ['RS256', 'ES256', 'EdDSA', 'Ed25519'];

export type ProviderTokenAlgorithm = (typeof providerTokenAlgorithms)[number];

/** Longer bearer tokens are refused before any work (provider access tokens run to a few KB). */
const maxProviderTokenLength = 16 * 1024;

/**
 * The directory's user id for an identity provider's subject: the value itself when it is an
 * identifier (Keycloak's UUIDs, Entra's object ids, most `sub`s), else a stable digest of it
 * (`sub-` and 40 base64url characters: Auth0's `auth0|…` has a `|`). Sign-in and bearer tokens map
 * a subject alike, so both name the same directory user.
 */
export function directoryUserId(subject: string): string {
  if (isIdentifier(subject)) return subject;
  return `sub-${createHash('sha256').update(subject, 'utf8').digest('base64url').slice(0, 40)}`;
}

/** How a provider's access tokens are checked and read. */
export interface JwksBearerOptions {
  /** The provider's issuer: every token's `iss` must equal it. */
  readonly issuer: string;
  /** The API's audience: every token's `aud` must be (or contain) one of these. Never the client id of sign-in. */
  readonly audience: string | readonly string[];
  /** The provider's key set (`jwks_uri` of its discovery document), or how to find it (resolved on first use). */
  readonly jwksUri: URL | (() => Promise<URL>);
  /** Default `RS256`, `ES256`, `EdDSA`, `Ed25519`; only asymmetric algorithms are allowed. */
  readonly algorithms?: readonly ProviderTokenAlgorithm[];
  /** The claim naming the user (default `sub`). */
  readonly userClaim?: string;
  /** The claim naming the session (default `sid`; then `jti`; then a digest of the token). */
  readonly sessionClaim?: string;
  /** When set, the token's `typ` header must equal it (RFC 9068 access tokens: `at+jwt`). */
  readonly requiredType?: string;
  /** Seconds of clock skew tolerated on `exp`, `nbf` and `iat`. Default 5. */
  readonly clockToleranceSeconds?: number;
  /** Tokens valid for longer (by `exp - iat`) are refused. Default one day. */
  readonly maxLifetimeSeconds?: number;
  /**
   * A token with a key id the cached set lacks refetches the set, at most once per cool-down
   * (default 30 s): a rotated-in key is found at once, and a flood of forged key ids costs the
   * provider nothing.
   */
  readonly cooldownMs?: number;
  /** The key set is refetched when older than this (default 10 minutes): retired keys age out. */
  readonly cacheMaxAgeMs?: number;
  /** How long a key set fetch may take (default 5 s). */
  readonly timeoutMs?: number;
  /** Why tokens are refused, at debug level (the reason code only, never the token). */
  readonly logger?: Logger;
}

/**
 * Accepts access tokens of an OpenID Connect provider as `Authorization: Bearer` (and only from that
 * header: a cookie is never read): JWTs signed with one of the provider's published keys (its JWKS,
 * fetched and cached by `jose`), with the configured issuer and audience, unexpired, an allowed
 * asymmetric algorithm (the token's header never picks HMAC or `none`). The session it answers has
 * `credential: 'bearer'`, so mutations need no CSRF token.
 */
export class JwksBearerAuthenticator implements SessionAuthenticator {
  private keys: Promise<JWTVerifyGetKey> | undefined;
  private readonly algorithms: readonly ProviderTokenAlgorithm[];
  private readonly audience: string[];

  /** @throws RangeError for an algorithm that is not asymmetric, or an empty audience. */
  constructor(private readonly options: JwksBearerOptions) {
    this.algorithms = options.algorithms ?? defaultProviderTokenAlgorithms;
    for (const alg of this.algorithms) {
      if (!(providerTokenAlgorithms as readonly string[]).includes(alg)) throw new RangeError(`JwksBearerAuthenticator: ${alg} is not an asymmetric JWS algorithm`);
    }
    if (this.algorithms.length === 0) throw new RangeError('JwksBearerAuthenticator: no algorithm allowed');
    this.audience = typeof options.audience === 'string' ? [options.audience] : [...options.audience];
    if (this.audience.length === 0 || this.audience.some((a) => a === '')) throw new RangeError('JwksBearerAuthenticator: an audience is required');
  }

  async authenticate(request: Request): Promise<Session | undefined> {
    const token = bearerTokenOf(request);
    if (token === undefined || token.length > maxProviderTokenLength) return undefined;
    return this.verify(token);
  }

  /** The session of `token`, or undefined when it is not a valid access token of the provider. */
  async verify(token: string): Promise<Session | undefined> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, await this.keySet(), {
        issuer: this.options.issuer,
        audience: this.audience,
        algorithms: [...this.algorithms],
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
        maxTokenAge: this.options.maxLifetimeSeconds ?? 24 * 60 * 60,
        requiredClaims: ['exp', 'iat'],
        ...(this.options.requiredType === undefined ? {} : { typ: this.options.requiredType }),
      }));
    } catch (error: unknown) {
      if (isUnavailable(error)) {
        this.options.logger?.warn('identity provider key set unavailable', { error: error instanceof Error ? error.name : 'unknown' });
        throw new HttpProblem('unavailable', 'The identity provider’s signing keys could not be fetched; try again shortly', { 'Retry-After': String(unavailableRetryAfterSeconds) });
      }
      this.options.logger?.debug('bearer token refused', { reason: error instanceof errors.JOSEError ? error.code : error instanceof Error ? error.name : 'unknown' });
      return undefined;
    }
    const subject = payload[this.options.userClaim ?? 'sub'];
    if (typeof subject !== 'string' || subject === '' || subject.length > 1024) return undefined;
    const sessionClaim = payload[this.options.sessionClaim ?? 'sid'];
    const sessionId =
      typeof sessionClaim === 'string' && sessionClaim !== ''
        ? sessionClaim
        : typeof payload.jti === 'string' && payload.jti !== ''
          ? payload.jti
          : createHash('sha256').update(token).digest('base64url');
    return { userId: directoryUserId(subject), sessionId, credential: 'bearer' };
  }

  private keySet(): Promise<JWTVerifyGetKey> {
    this.keys ??= (async () => {
      const uri = typeof this.options.jwksUri === 'function' ? await this.options.jwksUri() : this.options.jwksUri;
      return createRemoteJWKSet(uri, {
        cooldownDuration: this.options.cooldownMs ?? 30_000,
        cacheMaxAge: this.options.cacheMaxAgeMs ?? 600_000,
        timeoutDuration: this.options.timeoutMs ?? 5000,
      });
    })();
    // Finding the key set (discovery) may fail while the provider is down: try again next time.
    this.keys.catch(() => {
      this.keys = undefined;
    });
    return this.keys;
  }
}

/** The provider could not be asked (its key set did not answer), as opposed to a bad token. */
function isUnavailable(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout) return true;
  // jose's generic error is what a key set answer other than 200 raises; the specific ones are about the token.
  if (error instanceof errors.JOSEError) return error.code === 'ERR_JOSE_GENERIC';
  // fetch failures (connection refused, DNS), a key set that is not JSON, discovery errors.
  return true;
}
