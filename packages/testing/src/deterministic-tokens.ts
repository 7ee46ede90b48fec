import { createHash } from 'node:crypto';
import type { InvitationTokens } from '@partner-team/core';

/**
 * Predictable invitation tokens for tests (`test-invitation-token-0001`, …) with a real SHA-256
 * hash, so that "the token is stored nowhere" can be asserted by searching the store for it.
 */
export class DeterministicTokens implements InvitationTokens {
  private counter = 0;
  /** Every token issued, in order. */
  readonly issued: string[] = [];

  /** `prefix` keeps two generators' tokens apart (it must be base64url characters). */
  constructor(private readonly prefix = 'test-invitation-token') {}

  issue(): { token: string; hash: string } {
    this.counter += 1;
    const token = `${this.prefix}-${String(this.counter).padStart(4, '0')}`;
    this.issued.push(token);
    return { token, hash: this.hash(token) };
  }

  hash(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('base64url');
  }
}
