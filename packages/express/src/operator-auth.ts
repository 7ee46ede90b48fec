import { createSecretKey, type KeyObject } from 'node:crypto';
import { secretKeyBytes } from './secret-key.js';
import { isIdentifier } from '@partner-team/core';
import type { Request } from 'express';
import { signHs256, verifyHs256 } from './hs256-jwt.js';
import { bearerTokenOf, cookieValue, sessionIdPattern } from './session.js';

/**
 * The roles of AiDial support on the operations API: `support_viewer` may read (inspect an
 * organisation, the broken-assignment report, the audit search); `support_operator` may also change
 * (every support operation).
 */
export const operatorRoles = ['support_viewer', 'support_operator'] as const;

/** See {@link operatorRoles}. */
export type OperatorRole = (typeof operatorRoles)[number];

/** Whether `role` may use an endpoint that needs `required`. */
export function operatorRoleAllows(role: OperatorRole, required: OperatorRole): boolean {
  return role === 'support_operator' || required === 'support_viewer';
}

/** Who calls the operations API. Never a partner member: an identity of AiDial's. */
export interface Operator {
  readonly operatorId: string;
  readonly role: OperatorRole;
  /**
   * Set when the credential came from the `operator_session` cookie (a browser console): every
   * mutation must then carry the `X-CSRF-Token` bound to it. Absent for `Authorization: Bearer`
   * credentials, which a browser never sends on its own.
   */
  readonly sessionId?: string;
}

/**
 * Pluggable operator authentication: the operator of a request, or undefined when there is no
 * valid credential. Never throw for a bad credential; the router answers 401. (A provider-issued
 * token verified against a JWKS plugs in here.)
 */
export interface OperatorAuthenticator {
  authenticate(request: Request): Operator | undefined | Promise<Operator | undefined>;
}

export const operatorCookieName = 'operator_session';

/** What an operator token must carry: its own audience (never the portal's sessions'), optionally an issuer. */
export interface OperatorTokenPolicy {
  /** The `aud` every operator token must carry. */
  readonly audience: string;
  readonly issuer?: string | undefined;
  /** Default 12 hours. */
  readonly maxLifetimeSeconds?: number;
}

/**
 * Operator tokens: HS256 JWTs signed with the operations secret (never the partner session secret),
 * carrying `sub` (the operator id), `role` (an {@link OperatorRole}), the operations `aud`, `exp`,
 * and — for the cookie — `sid`. Read from `Authorization: Bearer`, else from the
 * `operator_session` cookie (which then binds request verification to `sid`).
 */
export class JwtOperatorAuthenticator implements OperatorAuthenticator {
  private readonly key: KeyObject;
  private readonly maxLifetimeSeconds: number;

  constructor(
    secret: string | Buffer,
    private readonly policy: OperatorTokenPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.key = createSecretKey(secretKeyBytes(secret, 'JwtOperatorAuthenticator'));
    this.maxLifetimeSeconds = policy.maxLifetimeSeconds ?? 12 * 60 * 60;
  }

  authenticate(request: Request): Operator | undefined {
    const bearer = bearerTokenOf(request);
    if (bearer !== undefined) return this.verify(bearer, false);
    const cookie = cookieValue(request, operatorCookieName);
    return cookie === undefined ? undefined : this.verify(cookie, true);
  }

  /** The operator of `token`; with `fromCookie`, only tokens with a session id qualify. */
  verify(token: string, fromCookie = false): Operator | undefined {
    const claims = verifyHs256(token, this.key, this.now(), { audience: this.policy.audience, issuer: this.policy.issuer, maxLifetimeSeconds: this.maxLifetimeSeconds });
    if (claims === undefined) return undefined;
    const { sub, role, sid } = claims;
    if (!isIdentifier(sub) || !(operatorRoles as readonly unknown[]).includes(role)) return undefined;
    if (sid !== undefined && (typeof sid !== 'string' || !sessionIdPattern.test(sid))) return undefined;
    if (fromCookie && sid === undefined) return undefined;
    return { operatorId: sub, role: role as OperatorRole, ...(fromCookie && typeof sid === 'string' ? { sessionId: sid } : {}) };
  }

  /** Issues an operator token (the `partner-team-ops token` command, tests). */
  issue(operator: { readonly operatorId: string; readonly role: OperatorRole; readonly sessionId?: string }, ttlSeconds: number): string {
    const iat = Math.floor(this.now() / 1000);
    return signHs256(
      {
        ...(this.policy.issuer === undefined ? {} : { iss: this.policy.issuer }),
        aud: this.policy.audience,
        sub: operator.operatorId,
        role: operator.role,
        ...(operator.sessionId === undefined ? {} : { sid: operator.sessionId }),
        iat,
        exp: iat + ttlSeconds,
      },
      this.key,
    );
  }
}
