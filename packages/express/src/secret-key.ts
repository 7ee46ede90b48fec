/** The shortest key the session verifier and the CSRF tokens accept: 32 characters (a string) or 32 bytes. */
export const minSecretLength = 32;

/**
 * `secret` as key bytes, refusing a key too short to resist guessing: HS256 and the CSRF HMAC are
 * only as strong as their key, and an empty or one-letter key would let anyone mint sessions.
 *
 * @throws RangeError for a key shorter than {@link minSecretLength} characters or bytes.
 */
export function secretKeyBytes(secret: string | Buffer, user: string): Buffer {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : secret;
  if (secret.length < minSecretLength) {
    throw new RangeError(`${user}: the secret must be at least ${minSecretLength} ${typeof secret === 'string' ? 'characters' : 'bytes'} long`);
  }
  return bytes;
}
