import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

// The one HS256 verifier of the adapter (partner sessions and operator tokens), deliberately
// narrow: the algorithm is fixed (the header never chooses it; `none`, HS512, RS256 and `crit` are
// refused), the signature is compared in constant time, `exp` is required, lifetimes are bounded.

const segmentPattern = /^[A-Za-z0-9_-]+$/;
/** Longer tokens are refused before any work. */
export const maxTokenLength = 4096;
/** How far the issuer's clock may run ahead of ours, for `iat` and `nbf`. */
const clockLeewaySeconds = 30;

function parseSegment(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What an HS256 token must satisfy beyond its signature. */
export interface Hs256Policy {
  /** When set, `iss` must equal it. */
  readonly issuer?: string | undefined;
  /** When set, `aud` must equal it or be an array containing it. */
  readonly audience?: string | undefined;
  /** Tokens valid for longer (by `exp`, or `exp - iat`) are refused. */
  readonly maxLifetimeSeconds: number;
}

/**
 * The claims of `token` when it is an HS256 JWT signed with `key` (the canonical spelling of the
 * signature only), unexpired (`exp` required), not valid for longer than the policy allows, not
 * issued in the future nor before its `nbf` (30 s of skew), with the policy's `iss` and `aud`;
 * undefined otherwise.
 */
export function verifyHs256(token: string, key: KeyObject, nowMs: number, policy: Hs256Policy): Record<string, unknown> | undefined {
  if (token.length > maxTokenLength) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  if (!segmentPattern.test(header) || !segmentPattern.test(payload) || !segmentPattern.test(signature)) return undefined;
  const expected = createHmac('sha256', key).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  // The decoder ignores the unused low bits of the last character, so each signature has four
  // spellings; only the canonical one (what the signer wrote) is a valid token.
  if (given.toString('base64url') !== signature) return undefined;
  const head = parseSegment(header);
  if (!isPlainObject(head) || head.alg !== 'HS256' || (head.typ !== undefined && head.typ !== 'JWT') || head.crit !== undefined) return undefined;
  const claims = parseSegment(payload);
  if (!isPlainObject(claims)) return undefined;
  const { exp, nbf, iat, iss, aud } = claims;
  if (policy.issuer !== undefined && iss !== policy.issuer) return undefined;
  if (policy.audience !== undefined && !(aud === policy.audience || (Array.isArray(aud) && aud.includes(policy.audience)))) return undefined;
  const nowSeconds = nowMs / 1000;
  if (typeof exp !== 'number' || !Number.isFinite(exp) || exp <= nowSeconds) return undefined;
  if (exp > nowSeconds + policy.maxLifetimeSeconds) return undefined;
  if (iat !== undefined && (typeof iat !== 'number' || iat > nowSeconds + clockLeewaySeconds || exp - iat > policy.maxLifetimeSeconds)) return undefined;
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowSeconds + clockLeewaySeconds)) return undefined;
  return claims;
}

/** Signs `claims` as an HS256 JWT with `key`. */
export function signHs256(claims: Readonly<Record<string, unknown>>, key: KeyObject): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const signature = createHmac('sha256', key).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
