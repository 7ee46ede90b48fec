import { createHmac, timingSafeEqual } from 'node:crypto';
import { secretKeyBytes } from './secret-key.js';

/**
 * Stateless request-verification tokens bound to a session id: HMAC-SHA256 of the session id
 * under a key derived from the server secret. A token of one session never verifies for another.
 */
export class CsrfTokens {
  private readonly key: Buffer;

  /** @throws RangeError for a secret shorter than 32 characters (or bytes). */
  constructor(secret: string | Buffer) {
    this.key = createHmac('sha256', secretKeyBytes(secret, 'CsrfTokens')).update('partner-team csrf v1').digest();
  }

  tokenFor(sessionId: string): string {
    return createHmac('sha256', this.key).update(sessionId).digest('base64url');
  }

  verify(sessionId: string, token: unknown): boolean {
    if (typeof token !== 'string' || token.length !== 43) return false;
    const expected = Buffer.from(this.tokenFor(sessionId), 'utf8');
    const given = Buffer.from(token, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
