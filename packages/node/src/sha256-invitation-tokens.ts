import { createHash, randomBytes } from 'node:crypto';
import type { InvitationTokens } from '@partner-team/core';

/**
 * Invitation tokens of 256 random bits (base64url, 43 characters) from the operating system's
 * CSPRNG; stored only as their SHA-256. A plain hash suffices: the token has full entropy, so
 * there is nothing to brute-force that a slow hash would protect.
 */
export class Sha256InvitationTokens implements InvitationTokens {
  issue(): { token: string; hash: string } {
    const token = randomBytes(32).toString('base64url');
    return { token, hash: this.hash(token) };
  }

  hash(token: string): string {
    return createHash('sha256').update(token, 'utf8').digest('base64url');
  }
}
