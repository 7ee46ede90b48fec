import { createSecretKey, type KeyObject } from 'node:crypto';
import { isIdentifier } from '@partner-team/core';
import type { Request } from 'express';
import { signHs256, verifyHs256 } from './hs256-jwt.js';
import { secretKeyBytes } from './secret-key.js';

/** Who is signed in: the user, and the session (the CSRF token is bound to it). */
export interface Session {
  readonly userId: string;
  readonly sessionId: string;
  /**
   * How the request presented its credential. `bearer`: the `Authorization` header, which a browser
   * never sends on its own, so mutations need no CSRF token. Anything else (a cookie, or absent, as
   * from an authenticator written before this field) is an ambient credential: every mutation must
   * carry the `X-CSRF-Token` bound to `sessionId`.
   */
  readonly credential?: 'cookie' | 'bearer';
}

/**
 * Pluggable authentication: return the session of a request, or undefined when there is none or it
 * is not valid. Never throw for a bad credential; the router answers 401. (A dependency that does
 * not answer — an identity provider's key set — may throw an `HttpProblem('unavailable')`: 503.)
 */
export interface SessionAuthenticator {
  authenticate(request: Request): Session | undefined | Promise<Session | undefined>;
}

/**
 * Tries each authenticator in turn and answers the first session found: e.g. the server's own
 * session cookie first, then a provider-issued bearer token. A credential one of them refuses does
 * not stop the next from trying its own.
 */
export class FirstSessionAuthenticator implements SessionAuthenticator {
  private readonly authenticators: readonly SessionAuthenticator[];

  constructor(...authenticators: readonly SessionAuthenticator[]) {
    this.authenticators = authenticators;
  }

  async authenticate(request: Request): Promise<Session | undefined> {
    for (const authenticator of this.authenticators) {
      const session = await authenticator.authenticate(request);
      if (session !== undefined) return session;
    }
    return undefined;
  }
}

export const sessionCookieName = 'partner_session';
export const sessionIdPattern = /^[A-Za-z0-9_-]{8,128}$/;

/** The value of cookie `name` in `request`, if it sent one. */
export function cookieValue(request: Request, name: string): string | undefined {
  const cookie = request.headers.cookie;
  if (cookie === undefined) return undefined;
  for (const part of cookie.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The token of an `Authorization: Bearer` header, if the request sent one. */
export function bearerTokenOf(request: Request): string | undefined {
  const authorization = request.headers.authorization;
  if (authorization !== undefined && authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer ') {
    return authorization.slice(7).trim();
  }
  return undefined;
}

/** Reads the session token from the `partner_session` cookie, else from `Authorization: Bearer`. */
export function sessionTokenOf(request: Request): string | undefined {
  return cookieValue(request, sessionCookieName) ?? bearerTokenOf(request);
}

/** What a session token must satisfy beyond its signature, expiry, `sub` and `sid`. */
export interface SessionTokenPolicy {
  /** When set, the token's `iss` must equal it (the portal that signs the sessions). */
  readonly issuer?: string;
  /** When set, the token's `aud` must equal it or be an array containing it. */
  readonly audience?: string;
  /** Tokens valid for longer (by `exp`, or `exp - iat`) are refused. Default one day. */
  readonly maxLifetimeSeconds?: number;
}

/**
 * Verifies session JWTs signed with HS256. Deliberately narrow: only `alg: HS256` is accepted (no
 * `none`, no algorithm taken from the token), the signature is compared in constant time and must be
 * spelled canonically, `exp` is required and enforced, an `iat` or `nbf` more than 30 s ahead is
 * refused, `sub` must be a user identifier and `sid` a session id; `iss` and `aud` are enforced
 * when the policy names them (a key shared by several services then cannot be used to mint
 * sessions for this one).
 */
export class JwtSessionAuthenticator implements SessionAuthenticator {
  private readonly key: KeyObject;
  /**
   * Tokens already verified, with their session and expiry: a token's signature and claims never
   * change, so a repeat visit skips the HMAC and JSON parsing; expiry is still checked every time.
   * Bounded, oldest first out.
   */
  private readonly verified = new Map<string, { session: Session; expiresAtMs: number }>();
  private static readonly cacheSize = 10_000;

  private readonly maxLifetimeSeconds: number;

  /** @throws RangeError for a secret shorter than 32 characters (or bytes). */
  constructor(
    secret: string | Buffer,
    private readonly now: () => number = Date.now,
    private readonly policy: SessionTokenPolicy = {},
  ) {
    this.key = createSecretKey(secretKeyBytes(secret, 'JwtSessionAuthenticator'));
    this.maxLifetimeSeconds = policy.maxLifetimeSeconds ?? 24 * 60 * 60;
  }

  /** The session of the `partner_session` cookie, else of an `Authorization: Bearer` token (then `credential: 'bearer'`). */
  authenticate(request: Request): Session | undefined {
    const cookie = cookieValue(request, sessionCookieName);
    if (cookie !== undefined) {
      const session = this.verify(cookie);
      return session === undefined ? undefined : { ...session, credential: 'cookie' };
    }
    const bearer = bearerTokenOf(request);
    const session = bearer === undefined ? undefined : this.verify(bearer);
    return session === undefined ? undefined : { ...session, credential: 'bearer' };
  }

  /** The session in `token`, or undefined when it is malformed, badly signed or expired. */
  verify(token: string): Session | undefined {
    const cached = this.verified.get(token);
    if (cached !== undefined) {
      if (cached.expiresAtMs > this.now()) return cached.session;
      this.verified.delete(token);
      return undefined;
    }
    return this.verifyUncached(token);
  }

  private verifyUncached(token: string): Session | undefined {
    const nowMs = this.now();
    const claims = verifyHs256(token, this.key, nowMs, { issuer: this.policy.issuer, audience: this.policy.audience, maxLifetimeSeconds: this.maxLifetimeSeconds });
    if (claims === undefined) return undefined;
    const { sub, sid, exp, nbf } = claims;
    if (!isIdentifier(sub) || typeof sid !== 'string' || !sessionIdPattern.test(sid) || typeof exp !== 'number') return undefined;
    const nowSeconds = nowMs / 1000;
    const session = { userId: sub, sessionId: sid };
    // Tokens with a not-before in the future are rare and short-lived; do not cache them.
    if (nbf === undefined || (typeof nbf === 'number' && nbf <= nowSeconds)) {
      if (this.verified.size >= JwtSessionAuthenticator.cacheSize) {
        const oldest = this.verified.keys().next();
        if (oldest.done !== true) this.verified.delete(oldest.value);
      }
      this.verified.set(token, { session, expiresAtMs: exp * 1000 });
    }
    return session;
  }

  /** Issues a session token (demo sign-in, tests). */
  issue(session: Session, ttlSeconds: number): string {
    const iat = Math.floor(this.now() / 1000);
    const { issuer, audience } = this.policy;
    const claims = { ...(issuer === undefined ? {} : { iss: issuer }), ...(audience === undefined ? {} : { aud: audience }), sub: session.userId, sid: session.sessionId, iat, exp: iat + ttlSeconds };
    return signHs256(claims, this.key);
  }
}
