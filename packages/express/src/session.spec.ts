import { createHmac } from 'node:crypto';
import { expect } from 'chai';
import type { Request } from 'express';
import { SignJWT } from 'jose';
import { JwtSessionAuthenticator, sessionTokenOf } from './session.js';

const secret = 'a-session-secret-that-is-long-enough-32';
const key = new TextEncoder().encode(secret);
const now = Date.UTC(2026, 0, 15, 9, 0, 0);
const sessions = new JwtSessionAuthenticator(secret, () => now);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function jose(claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'HS256' }, signingKey = key): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(signingKey);
}

const valid = { sub: 'ada', sid: 'session-0001', exp: now / 1000 + 60 };

describe('JwtSessionAuthenticator', function () {
  it('enforces iss and aud when the policy names them, and issues tokens that carry them', async function () {
    const portal = new JwtSessionAuthenticator(secret, () => now, { issuer: 'https://portal.example', audience: 'partner-team' });
    const claimed = { ...valid, iss: 'https://portal.example', aud: 'partner-team' };
    expect(portal.verify(await jose(claimed))).to.deep.equal({ userId: 'ada', sessionId: 'session-0001' });
    expect(portal.verify(await jose({ ...claimed, aud: ['billing', 'partner-team'] }))).to.deep.equal({ userId: 'ada', sessionId: 'session-0001' });
    expect(portal.verify(await jose(valid)), 'neither claim').to.equal(undefined);
    expect(portal.verify(await jose({ ...claimed, iss: 'https://other.example' })), 'other issuer').to.equal(undefined);
    expect(portal.verify(await jose({ ...claimed, aud: 'billing' })), 'other audience').to.equal(undefined);
    expect(portal.verify(await jose({ ...claimed, aud: ['billing'] })), 'other audiences').to.equal(undefined);
    expect(portal.verify(await jose({ ...valid, aud: 'partner-team' })), 'no issuer').to.equal(undefined);
    // Without a policy the claims are not required (the default), and tokens issued under one pass it.
    expect(sessions.verify(await jose(claimed))).to.deep.equal({ userId: 'ada', sessionId: 'session-0001' });
    const issued = portal.issue({ userId: 'cy', sessionId: 'session-0002' }, 60);
    expect(JSON.parse(Buffer.from(issued.split('.')[1] ?? '', 'base64url').toString())).to.include({ iss: 'https://portal.example', aud: 'partner-team' });
    expect(portal.verify(issued)).to.deep.equal({ userId: 'cy', sessionId: 'session-0002' });
  });

  it('accepts an HS256 token from an independent implementation (jose)', async function () {
    expect(sessions.verify(await jose(valid))).to.deep.equal({ userId: 'ada', sessionId: 'session-0001' });
    expect(sessions.verify(await jose(valid, { alg: 'HS256', typ: 'JWT' }))).to.deep.equal({ userId: 'ada', sessionId: 'session-0001' });
  });

  it('issues tokens jose can verify', async function () {
    const { jwtVerify } = await import('jose');
    const token = new JwtSessionAuthenticator(secret).issue({ userId: 'cy', sessionId: 'session-0002' }, 60);
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
    expect(payload).to.include({ sub: 'cy', sid: 'session-0002' });
  });

  it('refuses expired, not-yet-valid and exp-less tokens', async function () {
    expect(sessions.verify(await jose({ ...valid, exp: now / 1000 }))).to.equal(undefined);
    expect(sessions.verify(await jose({ ...valid, exp: now / 1000 - 1 }))).to.equal(undefined);
    expect(sessions.verify(await jose({ sub: 'ada', sid: 'session-0001' }))).to.equal(undefined);
    expect(sessions.verify(await jose({ ...valid, exp: 'tomorrow' }))).to.equal(undefined);
    expect(sessions.verify(await jose({ ...valid, nbf: now / 1000 + 3600 }))).to.equal(undefined);
  });

  it('refuses a wrong key, another algorithm, alg none and algorithm confusion', async function () {
    expect(sessions.verify(await jose(valid, { alg: 'HS256' }, new TextEncoder().encode('another-secret-that-is-long-enough-32')))).to.equal(undefined);
    expect(sessions.verify(await jose(valid, { alg: 'HS512' }))).to.equal(undefined);
    expect(sessions.verify(`${b64({ alg: 'none' })}.${b64(valid)}.`)).to.equal(undefined);
    // A token whose header claims RS256 but which is HMAC-signed with the secret: the header never picks the algorithm.
    const confused = await jose(valid, { alg: 'HS256' });
    const [, payload, signature] = confused.split('.');
    expect(sessions.verify(`${b64({ alg: 'RS256' })}.${payload ?? ''}.${signature ?? ''}`)).to.equal(undefined);
    const critHeader = b64({ alg: 'HS256', crit: ['exp'] });
    const critBody = b64(valid);
    const critSignature = createHmac('sha256', secret).update(`${critHeader}.${critBody}`).digest('base64url');
    expect(sessions.verify(`${critHeader}.${critBody}.${critSignature}`)).to.equal(undefined);
    const plainSignature = createHmac('sha256', secret).update(`${b64({ alg: 'HS256' })}.${critBody}`).digest('base64url');
    expect(sessions.verify(`${b64({ alg: 'HS256' })}.${critBody}.${plainSignature}`)).to.deep.equal({ userId: 'ada', sessionId: 'session-0001' });
    // Correctly HMAC-SHA256-signed with the secret, so only the header's algorithm can refuse them.
    for (const header of [{ alg: 'RS256' }, { alg: 'HS512' }, { alg: 'none' }, { alg: 'hs256' }, {}, { alg: 'HS256', typ: 'JWE' }]) {
      const signed = `${b64(header)}.${critBody}`;
      const token = `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
      expect(sessions.verify(token), JSON.stringify(header)).to.equal(undefined);
    }
  });

  it('accepts only the canonical spelling of a signature (the unused low bits of its last character are zero)', async function () {
    const token = await jose(valid);
    expect(sessions.verify(token)).to.deep.equal({ userId: 'ada', sessionId: 'session-0001' });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.slice(-1));
    expect(last % 4, 'jose writes the canonical spelling').to.equal(0);
    // 32 bytes take 43 characters; the last one carries 4 bits and 2 unused ones: three other spellings decode alike.
    const variants = [1, 2, 3].map((low) => `${token.slice(0, -1)}${alphabet.charAt(last + low)}`);
    for (const variant of variants) {
      expect(Buffer.from(variant.split('.')[2] ?? '', 'base64url')).to.deep.equal(Buffer.from(token.split('.')[2] ?? '', 'base64url'));
      expect(sessions.verify(variant), variant.slice(-3)).to.equal(undefined);
    }
  });

  it('refuses a token issued in the future (beyond the 30 s leeway), and accepts one within it', async function () {
    expect(sessions.verify(await jose({ ...valid, iat: now / 1000 + 120, exp: now / 1000 + 180 })), 'two minutes ahead').to.equal(undefined);
    expect(sessions.verify(await jose({ ...valid, iat: now / 1000 + 31, exp: now / 1000 + 180 })), '31 s ahead').to.equal(undefined);
    expect(sessions.verify(await jose({ ...valid, iat: now / 1000 + 20, exp: now / 1000 + 180 })), '20 s ahead').to.deep.equal({ userId: 'ada', sessionId: 'session-0001' });
    expect(sessions.verify(await jose({ ...valid, iat: now / 1000 - 20 }))).to.deep.equal({ userId: 'ada', sessionId: 'session-0001' });
  });

  it('refuses tokens that live longer than the maximum lifetime', async function () {
    expect(sessions.verify(await jose({ ...valid, exp: now / 1000 + 2 * 86_400 }))).to.equal(undefined);
    expect(sessions.verify(await jose({ ...valid, iat: now / 1000 - 86_400, exp: now / 1000 + 60 }))).to.equal(undefined);
    expect(sessions.verify(await jose({ ...valid, iat: now / 1000 - 60, exp: now / 1000 + 3600 }))).to.deep.equal({ userId: 'ada', sessionId: 'session-0001' });
  });

  it('refuses tampered, malformed and oversized tokens and bad claims', async function () {
    const token = await jose(valid);
    const [header, , signature] = token.split('.') as [string, string, string];
    expect(sessions.verify(`${header}.${b64({ ...valid, sub: 'bob' })}.${signature}`)).to.equal(undefined);
    for (const bad of ['', 'a.b', 'a.b.c.d', `${token}x`, `${token}=`, 'x'.repeat(5000), `${header}.${b64(valid)}.${'A'.repeat(43)}`]) {
      expect(sessions.verify(bad), bad.slice(0, 20)).to.equal(undefined);
    }
    expect(sessions.verify(await jose({ ...valid, sub: '{"$ne":1}' }))).to.equal(undefined);
    expect(sessions.verify(await jose({ ...valid, sid: 'short' }))).to.equal(undefined);
    expect(sessions.verify(await jose({ ...valid, sid: 42 }))).to.equal(undefined);
    // Validly signed, but longer than any session token needs to be.
    const padded = await jose({ ...valid, pad: 'x'.repeat(4200) });
    expect(padded.length).to.be.greaterThan(4096);
    expect(sessions.verify(padded)).to.equal(undefined);
    expect(sessions.verify(await jose({ ...valid, pad: 'x'.repeat(100) }))).to.deep.equal({ userId: 'ada', sessionId: 'session-0001' });
  });

  it('refuses a weak key: shorter than 32 characters or 32 bytes', function () {
    for (const weak of ['', 'x', 'a'.repeat(31), Buffer.alloc(0), Buffer.alloc(31, 7)]) {
      expect(() => new JwtSessionAuthenticator(weak), `${weak.length}`).to.throw(RangeError, /at least 32/);
    }
    expect(new JwtSessionAuthenticator('a'.repeat(32)).verify('x.y.z')).to.equal(undefined);
    expect(new JwtSessionAuthenticator(Buffer.alloc(32, 7)).verify('x.y.z')).to.equal(undefined);
  });

  it('reads the cookie first, then the bearer header', function () {
    const request = (headers: Record<string, string>) => ({ headers }) as unknown as Request;
    expect(sessionTokenOf(request({ cookie: 'a=1; partner_session=abc.def.ghi; b=2' }))).to.equal('abc.def.ghi');
    expect(sessionTokenOf(request({ authorization: 'Bearer xyz' }))).to.equal('xyz');
    expect(sessionTokenOf(request({ authorization: 'Basic xyz' }))).to.equal(undefined);
    expect(sessionTokenOf(request({ cookie: 'other_session=1' }))).to.equal(undefined);
  });
});
