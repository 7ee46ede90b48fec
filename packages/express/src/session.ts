import { createHmac, timingSafeEqual, type KeyObject, createSecretKey } from 'node:crypto';
import { isIdentifier } from '@partner-team/core';
import type { Request } from 'express';
import { secretKeyBytes } from './secret-key.js';

/** Who is signed in: the user, and the session (the CSRF token is bound to it). */
export interface Session {
  readonly userId: string;
  readonly sessionId: string;
}

/**
 * Pluggable authentication: return the session of a request, or undefined when there is none or it
 * is not valid. Never throw for a bad credential; the router answers 401.
 */
export interface SessionAuthenticator {
  authenticate(request: Request): Session | undefined | Promise<Session | undefined>;
}

export const sessionCookieName = 'partner_session';
const sessionIdPattern = /^[A-Za-z0-9_-]{8,128}$/;
const segmentPattern = /^[A-Za-z0-9_-]+$/;
const maxTokenLength = 4096;
/** How far the portal's clock may run ahead of ours, for `iat` and `nbf`. */
const clockLeewaySeconds = 30;

function parseSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the session token from the `partner_session` cookie, else from `Authorization: Bearer`. */
export function sessionTokenOf(request: Request): string | undefined {
  const cookie = request.headers.cookie;
  if (cookie !== undefined) {
    for (const part of cookie.split(';')) {
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === sessionCookieName) return part.slice(eq + 1).trim();
    }
  }
  const authorization = request.headers.authorization;
  if (authorization !== undefined && authorization.length > 7 && authorization.slice(0, 7).toLowerCase() === 'bearer ') {
    return authorization.slice(7).trim();
  }
  return undefined;
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

  authenticate(request: Request): Session | undefined {
    const token = sessionTokenOf(request);
    return token === undefined ? undefined : this.verify(token);
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
    if (token.length > maxTokenLength) return undefined;
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    if (!segmentPattern.test(header) || !segmentPattern.test(payload) || !segmentPattern.test(signature)) return undefined;
    const expected = createHmac('sha256', this.key).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
    // The decoder ignores the unused low bits of the last character, so each signature has four
    // spellings; only the canonical one (what the signer wrote) is a valid token.
    if (given.toString('base64url') !== signature) return undefined;
    const head = parseSegment(header);
    if (!isPlainObject(head) || head.alg !== 'HS256' || (head.typ !== undefined && head.typ !== 'JWT') || head.crit !== undefined) {
      return undefined;
    }
    const claims = parseSegment(payload);
    if (!isPlainObject(claims)) return undefined;
    const { sub, sid, exp, nbf, iat, iss, aud } = claims;
    if (this.policy.issuer !== undefined && iss !== this.policy.issuer) return undefined;
    if (this.policy.audience !== undefined && !(aud === this.policy.audience || (Array.isArray(aud) && aud.includes(this.policy.audience)))) return undefined;
    const nowSeconds = this.now() / 1000;
    if (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= nowSeconds) return undefined;
    if (exp > nowSeconds + this.maxLifetimeSeconds) return undefined;
    if (iat !== undefined && (typeof iat !== 'number' || iat > nowSeconds + clockLeewaySeconds || exp - iat > this.maxLifetimeSeconds)) return undefined;
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds + clockLeewaySeconds)) return undefined;
    if (!isIdentifier(sub) || typeof sid !== 'string' || !sessionIdPattern.test(sid)) return undefined;
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
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
    const iat = Math.floor(this.now() / 1000);
    const { issuer, audience } = this.policy;
    const claims = { ...(issuer === undefined ? {} : { iss: issuer }), ...(audience === undefined ? {} : { aud: audience }), sub: session.userId, sid: session.sessionId, iat, exp: iat + ttlSeconds };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    const signature = createHmac('sha256', this.key).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }
}
