import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Small values sealed for a cookie with AES-256-GCM under a key derived from the server's secret
 * and a purpose label: the browser can neither read nor change them, and a value sealed for one
 * purpose never opens for another. Each carries its own expiry.
 */
export class SealedBox {
  private readonly key: Buffer;

  constructor(secret: string | Buffer, purpose: string) {
    this.key = createHmac('sha256', secret).update(`partner-team sealed box v1: ${purpose}`).digest();
  }

  /** `value` sealed until `expiresAtMs`, as base64url. */
  seal(value: unknown, expiresAtMs: number): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const plain = Buffer.from(JSON.stringify({ v: value, e: expiresAtMs }), 'utf8');
    const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
  }

  /** The value, or why there is none: `missing`, `malformed` (or tampered with), `expired`. */
  open(sealed: string | undefined, nowMs: number): { value: unknown } | { error: 'missing' | 'malformed' | 'expired' } {
    if (sealed === undefined || sealed === '') return { error: 'missing' };
    if (sealed.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(sealed)) return { error: 'malformed' };
    const bytes = Buffer.from(sealed, 'base64url');
    if (bytes.length < 12 + 16 + 1) return { error: 'malformed' };
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      const plain = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
      const parsed = JSON.parse(plain) as { v?: unknown; e?: unknown };
      if (typeof parsed.e !== 'number' || parsed.e <= nowMs) return { error: 'expired' };
      return { value: parsed.v };
    } catch {
      return { error: 'malformed' };
    }
  }
}
