import { normaliseEmail } from '@partner-team/core';
import { directoryUserId } from '@partner-team/express';

/** Which claims name the user and which authentication methods count as a second factor. */
export interface ClaimPolicy {
  readonly userClaim: string;
  /** `amr` values that mean a second factor (RFC 8176: `mfa`, `otp`, `hwk`, `swk`…). */
  readonly mfaAmr: readonly string[];
  /** `acr` values that mean a second factor (provider-specific). */
  readonly mfaAcr: readonly string[];
}

/** What a sign-in tells the directory about its user. */
export interface SignedInUser {
  readonly userId: string;
  /** Display name, cleaned of control and bidirectional-override characters; undefined when the provider sent none. */
  readonly name: string | undefined;
  /** Normalised, and only when the provider says it is verified (`email_verified: true`). */
  readonly email: string | undefined;
  readonly mfaEnabled: boolean;
}

// C0/C1 controls (CR, LF, NUL…), and the bidirectional embeddings, overrides and isolates that can
// make a name read as something else.
const unsafeCharacters = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu;

/** `value` without control or bidi-override characters, whitespace collapsed, at most `max` characters; undefined when nothing is left. */
export function cleanDisplayText(value: unknown, max = 200): string | undefined {
  if (typeof value !== 'string') return undefined;
  const cleaned = value.replace(unsafeCharacters, ' ').replace(/\s+/g, ' ').trim();
  if (cleaned === '') return undefined;
  // Cut at a grapheme boundary, so that no emoji or combining sequence is split.
  const graphemes = Array.from(new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(cleaned), (s) => s.segment);
  return graphemes.length <= max ? cleaned : graphemes.slice(0, max).join('');
}

/**
 * The user an ID token (with the userinfo claims merged in) names, or undefined when the user
 * claim is missing. The email counts only when verified; MFA comes from `amr` or `acr`.
 */
export function signedInUser(claims: Readonly<Record<string, unknown>>, policy: ClaimPolicy): SignedInUser | undefined {
  const subject = claims[policy.userClaim];
  if (typeof subject !== 'string' || subject === '' || subject.length > 1024) return undefined;
  let email: string | undefined;
  const verified = claims.email_verified === true || claims.email_verified === 'true';
  if (verified && typeof claims.email === 'string') {
    try {
      email = normaliseEmail(claims.email);
    } catch {
      email = undefined;
    }
  }
  const given = cleanDisplayText(claims.given_name);
  const family = cleanDisplayText(claims.family_name);
  const name =
    cleanDisplayText(claims.name) ??
    cleanDisplayText([given, family].filter((part) => part !== undefined).join(' ')) ??
    cleanDisplayText(claims.preferred_username) ??
    email;
  const amr = Array.isArray(claims.amr) ? claims.amr.filter((v): v is string => typeof v === 'string') : [];
  const mfaEnabled = amr.some((method) => policy.mfaAmr.includes(method)) || (typeof claims.acr === 'string' && policy.mfaAcr.includes(claims.acr));
  return { userId: directoryUserId(subject), name, email, mfaEnabled };
}

/**
 * Where to go after sign-in: a path on this server (`/`, `/?tab=x`), never another origin
 * (`//evil.test`, `/\\evil.test`, `https://…`, control characters); `/` otherwise.
 */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 512) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || /[\\\p{Cc}]/u.test(value)) return '/';
  const base = 'http://return-to.invalid';
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return '/';
  }
  if (url.origin !== base) return '/';
  return `${url.pathname}${url.search}`;
}
