/**
 * Issues invitation tokens and hashes them. A token carries at least 128 random bits, is written in
 * the base64url alphabet, and is never stored: only `hash(token)` is.
 */
export interface InvitationTokens {
  issue(): { readonly token: string; readonly hash: string };
  hash(token: string): string;
}
