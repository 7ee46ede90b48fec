import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Request } from 'express';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { directoryUserId, JwksBearerAuthenticator, type JwksBearerOptions } from './jwks-bearer.js';
import { HttpProblem } from './problem.js';
import { FirstSessionAuthenticator, JwtSessionAuthenticator } from './session.js';

interface Key {
  readonly kid: string;
  readonly alg: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

async function key(kid: string, alg = 'RS256'): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

const issuer = 'https://idp.example.test';
const audience = 'https://api.partner-team.test';
const request = (headers: Record<string, string>) => ({ headers }) as unknown as Request;
const bearer = (token: string) => request({ authorization: `Bearer ${token}` });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A key set served over HTTP, counting fetches; `published` can change (rotation). */
class KeySetServer {
  published: JWK[] = [];
  fetches = 0;
  status = 200;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((_req, res) => {
      this.fetches += 1;
      res.writeHead(this.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: this.published }));
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

describe('JwksBearerAuthenticator', function () {
  this.timeout(20_000);
  const jwks = new KeySetServer();
  let rsa: Key;
  let ec: Key;
  let ed: Key;
  let next: Key;
  let foreign: Key;

  before(async function () {
    [rsa, ec, ed, next, foreign] = await Promise.all([key('rsa-1'), key('ec-1', 'ES256'), key('ed-1', 'EdDSA'), key('rsa-2'), key('rsa-1')]);
    await jwks.start();
  });
  after(async function () {
    await jwks.stop();
  });
  beforeEach(function () {
    jwks.published = [rsa.jwk, ec.jwk, ed.jwk];
    jwks.fetches = 0;
    jwks.status = 200;
  });

  const verifier = (options: Partial<JwksBearerOptions> = {}) => new JwksBearerAuthenticator({ issuer, audience, jwksUri: new URL(jwks.url), ...options });
  const sign = (k: Key, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ sub: 'ada', iss: issuer, aud: audience, iat: now, exp: now + 300, jti: 'jti-1', ...claims })
      .setProtectedHeader({ alg: k.alg, kid: k.kid, typ: 'at+jwt', ...header })
      .sign(k.privateKey);
  };

  it('accepts RS256, ES256 and EdDSA tokens of the provider’s key set, as a bearer session (no CSRF)', async function () {
    const v = verifier();
    for (const k of [rsa, ec, ed]) {
      expect(await v.authenticate(bearer(await sign(k, { sid: 'sid-1' }))), k.alg).to.deep.equal({ userId: 'ada', sessionId: 'sid-1', credential: 'bearer' });
    }
    expect(await v.authenticate(bearer(await sign(rsa)))).to.deep.equal({ userId: 'ada', sessionId: 'jti-1', credential: 'bearer' });
    expect(jwks.fetches, 'one fetch for every token').to.equal(1);
  });

  it('reads the user and session from configured claims, and maps subjects that are not identifiers', async function () {
    const v = verifier({ userClaim: 'oid', sessionClaim: 'session_id' });
    expect(await v.authenticate(bearer(await sign(rsa, { oid: 'user-42', session_id: 's-9' })))).to.deep.equal({ userId: 'user-42', sessionId: 's-9', credential: 'bearer' });
    expect(await v.authenticate(bearer(await sign(rsa))), 'the user claim is missing').to.equal(undefined);
    const mapped = await verifier().authenticate(bearer(await sign(rsa, { sub: 'auth0|64f0c0ffee' })));
    expect(mapped?.userId).to.equal(directoryUserId('auth0|64f0c0ffee')).and.match(/^sub-[A-Za-z0-9_-]{40}$/);
    expect(directoryUserId('auth0|64f0c0ffee')).to.equal(directoryUserId('auth0|64f0c0ffee')).and.not.equal(directoryUserId('auth0|64f0c0fffe'));
  });

  it('refuses the wrong issuer or audience, expired, future and over-long tokens, and missing claims', async function () {
    const v = verifier();
    const now = Math.floor(Date.now() / 1000);
    expect(await v.authenticate(bearer(await sign(rsa, { aud: 'https://other-api.test' }))), 'audience').to.equal(undefined);
    expect(await v.authenticate(bearer(await sign(rsa, { aud: 'partner-web' }))), 'the sign-in client (an ID token)').to.equal(undefined);
    expect(await v.authenticate(bearer(await sign(rsa, { iss: 'https://evil.test' }))), 'issuer').to.equal(undefined);
    expect(await v.authenticate(bearer(await sign(rsa, { iat: now - 600, exp: now - 60 }))), 'expired').to.equal(undefined);
    expect(await v.authenticate(bearer(await sign(rsa, { iat: now + 600, exp: now + 900 }))), 'issued in the future').to.equal(undefined);
    expect(await v.authenticate(bearer(await sign(rsa, { nbf: now + 600 }))), 'not yet valid').to.equal(undefined);
    expect(await v.authenticate(bearer(await sign(rsa, { iat: now - 3 * 86_400, exp: now + 60 }))), 'lives longer than a day').to.equal(undefined);
    expect(await v.authenticate(bearer(await sign(rsa, { exp: undefined }))), 'no exp').to.equal(undefined);
    expect(await verifier({ requiredType: 'at+jwt' }).authenticate(bearer(await sign(rsa, {}, { typ: 'JWT' }))), 'typ').to.equal(undefined);
    expect(await v.authenticate(bearer(await sign(rsa, { iat: now - 3, exp: now - 2 }))), 'within the 5 s tolerance').to.deep.include({ userId: 'ada' });
  });

  it('refuses alg none, HS256 (also keyed with the public key), a forged signature and a foreign key with a known kid', async function () {
    const v = verifier();
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'ada', iss: issuer, aud: audience, iat: now, exp: now + 300 };
    expect(await v.authenticate(bearer(`${b64({ alg: 'none', kid: rsa.kid })}.${b64(claims)}.`)), 'none').to.equal(undefined);
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: rsa.kid }).sign(new TextEncoder().encode('a-shared-secret-of-at-least-32-chars!'));
    expect(await v.authenticate(bearer(hs)), 'HS256').to.equal(undefined);
    // Algorithm confusion: HMAC keyed with the published public key's bytes.
    const confused = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: rsa.kid }).sign(new TextEncoder().encode(JSON.stringify(rsa.jwk)));
    expect(await v.authenticate(bearer(confused)), 'HS256 keyed with the public key').to.equal(undefined);
    expect(await v.authenticate(bearer(await sign(foreign))), 'same kid, another key').to.equal(undefined);
    const token = await sign(rsa);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    expect(await v.authenticate(bearer(`${header}.${b64({ ...claims, sub: 'bob' })}.${signature}`)), 'tampered claims').to.equal(undefined);
    expect(await v.authenticate(bearer(`${header}.${payload}`)), 'two segments').to.equal(undefined);
    expect(await v.authenticate(bearer('x'.repeat(17_000))), 'oversized').to.equal(undefined);
    expect(await verifier({ algorithms: ['RS256'] }).authenticate(bearer(await sign(ec))), 'ES256 when only RS256 is allowed').to.equal(undefined);
    expect(() => verifier({ algorithms: ['HS256' as 'RS256'] })).to.throw(RangeError);
    expect(() => verifier({ audience: [] })).to.throw(RangeError);
  });

  it('reads the token only from the Authorization header, never from a cookie', async function () {
    const token = await sign(rsa);
    const v = verifier();
    expect(await v.authenticate(request({ cookie: `partner_session=${token}` }))).to.equal(undefined);
    expect(await v.authenticate(request({ cookie: `access_token=${token}` }))).to.equal(undefined);
    expect(await v.authenticate(request({ authorization: `Basic ${token}` }))).to.equal(undefined);
    expect(await v.authenticate(request({ authorization: `Bearer ${token}` }))).to.deep.include({ userId: 'ada' });
  });

  it('refetches the key set for an unknown kid (a rotation), at most once per cool-down', async function () {
    const v = verifier({ cooldownMs: 1000 });
    expect(await v.authenticate(bearer(await sign(rsa)))).to.deep.include({ userId: 'ada' });
    expect(jwks.fetches).to.equal(1);
    // Forged key ids inside the cool-down: refused without asking the provider again.
    for (let i = 0; i < 5; i += 1) expect(await v.authenticate(bearer(await sign({ ...foreign, kid: `forged-${i}` })))).to.equal(undefined);
    expect(jwks.fetches, 'no refetch while cooling down').to.equal(1);
    jwks.published = [next.jwk, rsa.jwk];
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(await v.authenticate(bearer(await sign(next))), 'the rotated-in key').to.deep.include({ userId: 'ada' });
    expect(jwks.fetches, 'one refetch once the cool-down is over').to.equal(2);
    expect(await v.authenticate(bearer(await sign(rsa))), 'the old key while still published').to.deep.include({ userId: 'ada' });
  });

  it('answers 503 (not 401) while the key set cannot be fetched, and recovers', async function () {
    jwks.status = 500;
    const v = verifier();
    const token = await sign(rsa);
    try {
      await v.authenticate(bearer(token));
      expect.fail('expected an unavailable problem');
    } catch (error: unknown) {
      expect(error).to.be.instanceOf(HttpProblem);
      expect((error as HttpProblem).code).to.equal('unavailable');
      expect((error as HttpProblem).headers).to.deep.equal({ 'Retry-After': '5' });
    }
    const down = new JwksBearerAuthenticator({ issuer, audience, jwksUri: () => Promise.reject(new Error('discovery failed')) });
    let refused: unknown;
    await down.authenticate(bearer(token)).catch((error: unknown) => (refused = error));
    expect((refused as HttpProblem | undefined)?.code).to.equal('unavailable');
  });

  it('combines with the session cookie: the cookie first, then the provider’s bearer token', async function () {
    const secret = 'a-session-secret-that-is-long-enough-32';
    const cookies = new JwtSessionAuthenticator(secret);
    const both = new FirstSessionAuthenticator(cookies, verifier());
    const cookie = cookies.issue({ userId: 'cy', sessionId: 'session-0001' }, 60);
    const access = await sign(rsa);
    expect(await both.authenticate(request({ cookie: `partner_session=${cookie}` }))).to.deep.equal({ userId: 'cy', sessionId: 'session-0001', credential: 'cookie' });
    expect(await both.authenticate(bearer(access))).to.deep.equal({ userId: 'ada', sessionId: 'jti-1', credential: 'bearer' });
    expect(await both.authenticate(request({ cookie: `partner_session=${cookie}`, authorization: `Bearer ${access}` }))).to.deep.include({ userId: 'cy', credential: 'cookie' });
    expect(await both.authenticate(request({ cookie: 'partner_session=forged', authorization: `Bearer ${access}` }))).to.deep.include({ userId: 'ada', credential: 'bearer' });
    // The portal's HS256 session as a bearer token: also no ambient credential.
    expect(await both.authenticate(bearer(cookie))).to.deep.equal({ userId: 'cy', sessionId: 'session-0001', credential: 'bearer' });
    expect(await both.authenticate(request({}))).to.equal(undefined);
  });
});
