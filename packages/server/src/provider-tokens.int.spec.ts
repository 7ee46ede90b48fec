import { JwtOperatorAuthenticator } from '@partner-team/express';
import { expect } from 'chai';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { accountOf, PortalServer, portalTestAccounts, providerAccessToken, registerApiClient, type StoreKind } from './test-support/portal-server.js';
import { otherApiAudience, TestIdentityProvider } from './test-support/test-identity-provider.js';

const operationsSecret = 'provider-tokens-operations-secret-of-32-chars';
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

for (const store of ['in-memory', 'mongodb'] as const satisfies readonly StoreKind[]) {
  describe(`the provider’s access tokens on the API (${store})`, function () {
    this.timeout(60_000);
    let idp: TestIdentityProvider;
    let portal: PortalServer;

    before(async function () {
      idp = await TestIdentityProvider.start({ accounts: portalTestAccounts });
      registerApiClient(idp);
      portal = await PortalServer.start({ idp, store, env: { OIDC_JWKS_COOLDOWN_MS: '1000', OIDC_JWKS_CACHE_MAX_AGE_MS: '3000', OPERATIONS_TOKEN_SECRET: operationsSecret } });
    });
    after(async function () {
      await portal.close();
      await idp.close();
    });

    const me = (token: string, path = '/api/partner-team/me') => fetch(`${portal.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const expect401 = async (token: string, why: string) => {
      const answer = await me(token);
      expect(answer.status, why).to.equal(401);
      expect(answer.headers.get('www-authenticate'), why).to.equal('Bearer realm="partner-team"');
      expect(((await answer.json()) as { code: string }).code, why).to.equal('unauthenticated');
    };

    it('accepts the provider’s tokens before, during and after a key rotation; a retired key’s tokens age out', async function () {
      const before = await providerAccessToken(idp, accountOf('bob'));
      expect(decodeProtectedHeader(before)).to.include({ alg: 'RS256', typ: 'at+jwt', kid: idp.signingKeyId });
      expect(decodeJwt(before)).to.include({ sub: 'bob', aud: idp.apiAudience, iss: idp.issuer });
      const first = await me(before);
      expect(first.status).to.equal(200);
      expect(((await first.json()) as { user: { id: string } }).user.id).to.equal('bob');
      const fetchesBefore = idp.jwksRequests;

      const oldKid = idp.signingKeyId;
      const newKid = await idp.rotateKeys();
      const after = await providerAccessToken(idp, accountOf('ada'));
      expect(decodeProtectedHeader(after).kid).to.equal(newKid).and.not.equal(oldKid);
      await sleep(1100); // past the cool-down since the last fetch
      expect((await me(after)).status, 'a token of the new key: the key set is fetched again').to.equal(200);
      expect(idp.jwksRequests - fetchesBefore).to.equal(1);
      expect((await me(before)).status, 'a token of the old key, still published').to.equal(200);
      expect((await me(after)).status).to.equal(200);
      expect(idp.jwksRequests - fetchesBefore, 'both keys come from the cache now').to.equal(1);

      idp.retireOldKeys();
      await sleep(3100); // past the cache's maximum age
      await expect401(before, 'a token of a retired key');
      expect((await me(after)).status).to.equal(200);
    });

    it('refuses a token for another audience, an ID token, and a token of an unknown key (without hammering the provider)', async function () {
      await expect401(await providerAccessToken(idp, accountOf('bob'), otherApiAudience), 'another API’s token');
      const foreign = await generateKeyPair('RS256', { extractable: true });
      const now = Math.floor(Date.now() / 1000);
      const claims = { sub: 'bob', iss: idp.issuer, aud: idp.apiAudience, iat: now, exp: now + 300, jti: 'forged' };
      await sleep(1100);
      const fetchesBefore = idp.jwksRequests;
      for (let i = 0; i < 5; i += 1) {
        const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: `unknown-${i}` }).sign(foreign.privateKey);
        await expect401(forged, `an unknown key (${i})`);
      }
      expect(idp.jwksRequests - fetchesBefore, 'one refetch for five unknown kids, then the cool-down').to.be.at.most(1);
      const sameKid = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: idp.signingKeyId }).sign(foreign.privateKey);
      await expect401(sameKid, 'a foreign key under a published kid');
      await expect401(`${b64({ alg: 'none', kid: idp.signingKeyId })}.${b64(claims)}.`, 'alg none');
      const publicJwk = await exportJWK(foreign.publicKey);
      const hmac = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: idp.signingKeyId }).sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
      await expect401(hmac, 'HS256');
    });

    it('refuses an expired token of the provider', async function () {
      idp.configure({ accessTokenTtlSeconds: 1 });
      let token: string;
      try {
        token = await providerAccessToken(idp, accountOf('bob'));
      } finally {
        idp.configure({ accessTokenTtlSeconds: 600 });
      }
      expect((await me(token)).status, 'fresh').to.equal(200);
      await sleep(6500); // its 1 s lifetime plus the 5 s of tolerated clock skew
      await expect401(token, 'expired');
    });

    it('keeps the surfaces apart: operator tokens fail on the partner API, provider tokens on the operations API', async function () {
      const operators = new JwtOperatorAuthenticator(operationsSecret, { audience: 'partner-team-operations' });
      const operator = operators.issue({ operatorId: 'op-jane', role: 'support_operator' }, 600);
      expect((await me(operator, '/api/operations/me')).status).to.equal(200);
      await expect401(operator, 'an operator token on the partner API');
      const provider = await providerAccessToken(idp, accountOf('bob'));
      expect((await me(provider, '/api/operations/me')).status, 'a provider token on the operations API').to.equal(401);
      const cookie = await fetch(`${portal.baseUrl}/api/operations/me`, { headers: { cookie: `operator_session=${provider}` } });
      expect(cookie.status).to.equal(401);
    });
  });
}
