import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { SealedBox } from './sign-in/sealed-box.js';
import { transactionCookieName, type SignInTransaction } from './sign-in/oidc-sign-in.js';
import { accountOf, PortalServer, portalClientId, portalClientSecret, portalSessionSecret, portalTestAccounts, providerAccessToken, registerApiClient, signInThroughPortal, type StoreKind } from './test-support/portal-server.js';
import { testOtp, TestIdentityProvider } from './test-support/test-identity-provider.js';
import { browse, CookieJar, logInAtProvider, type Visit } from './test-support/user-agent.js';

interface Member {
  readonly userId: string;
  readonly mfaEnabled?: boolean;
  readonly lastActiveAt?: string | null;
  readonly name: string;
  readonly email: string;
}

const transactions = new SealedBox(portalSessionSecret, 'oidc sign-in transaction');

/** Starts a sign-in at the server: the provider's authorization URL and the sealed transaction. */
async function beginSignIn(portal: PortalServer, jar: CookieJar, returnTo?: string): Promise<{ authorization: URL; transaction: SignInTransaction; setCookie: string }> {
  const answer = await fetch(`${portal.baseUrl}/auth/login${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`, { redirect: 'manual' });
  expect(answer.status).to.equal(303);
  jar.store(`${portal.baseUrl}/auth/login`, answer);
  const setCookie = answer.headers.getSetCookie().find((c) => c.startsWith(`${transactionCookieName}=`)) ?? '';
  const opened = transactions.open(jar.get(transactionCookieName), Date.now());
  if (!('value' in opened)) throw new Error('no transaction cookie');
  return { authorization: new URL(answer.headers.get('location') ?? ''), transaction: opened.value as SignInTransaction, setCookie };
}

/** Logs in at the provider from `authorization`, stopping at the server's callback (the URL the browser would request). */
async function untilCallback(portal: PortalServer, jar: CookieJar, authorization: URL, username: string): Promise<Visit> {
  const stopAt = (u: string) => u.startsWith(`${portal.baseUrl}/auth/callback`);
  const visit = await logInAtProvider(jar, await browse(jar, authorization.href, { stopAt }), accountOf(username), testOtp, { stopAt });
  expect(visit.stopped, visit.text.slice(0, 200)).to.equal(true);
  return visit;
}

/** Requests the callback URL with the jar's cookies; the answer and whether a session cookie was set. */
async function callback(jar: CookieJar, url: string): Promise<{ status: number; location: string | null; session: boolean; text: string }> {
  const answer = await fetch(url, { headers: { cookie: jar.header(url) }, redirect: 'manual' });
  jar.store(url, answer);
  return {
    status: answer.status,
    location: answer.headers.get('location'),
    session: answer.headers.getSetCookie().some((c) => /^partner_session=[^;]+/.test(c)),
    text: await answer.text(),
  };
}

for (const store of ['in-memory', 'mongodb'] as const satisfies readonly StoreKind[]) {
  describe(`sign-in through the portal’s OpenID Connect provider (${store})`, function () {
    this.timeout(60_000);
    let idp: TestIdentityProvider;
    let portal: PortalServer;

    before(async function () {
      idp = await TestIdentityProvider.start({ accounts: portalTestAccounts });
      registerApiClient(idp);
      portal = await PortalServer.start({ idp, store });
    });
    after(async function () {
      await portal.close();
      await idp.close();
    });

    const members = async (jar: CookieJar): Promise<Member[]> => {
      const answer = await fetch(`${portal.api}/members?limit=100`, { headers: { cookie: jar.header(portal.api) } });
      expect(answer.status).to.equal(200);
      return ((await answer.json()) as { items: Member[] }).items;
    };

    it('signs a user in with the code flow, sets a Lax HttpOnly session cookie and records MFA, name and activity', async function () {
      const before = await portal.persistence.users.findById('ada');
      expect(before?.mfaEnabled, 'the fixture says no MFA').to.equal(false);
      const started = Date.now();
      const { jar, csrfToken, landed } = await signInThroughPortal(portal, accountOf('ada'));
      expect(landed).to.equal(`${portal.baseUrl}/`);
      expect(csrfToken).to.be.a('string');
      const session = jar.received.find((c) => c.startsWith('partner_session=') && !c.startsWith('partner_session=;'));
      expect(session).to.match(/^partner_session=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; Path=\/; Max-Age=28800; HttpOnly; SameSite=Lax$/);
      const tx = jar.received.find((c) => c.startsWith(`${transactionCookieName}=`) && !c.startsWith(`${transactionCookieName}=;`));
      expect(tx).to.match(/^partner_oidc_tx=[A-Za-z0-9_-]+; Path=\/auth\/callback; Max-Age=600; HttpOnly; SameSite=Lax$/);
      expect(jar.received.some((c) => /^partner_oidc_tx=; Path=\/auth\/callback; Max-Age=0/.test(c)), 'the callback clears the transaction').to.equal(true);

      const ada = (await members(jar)).find((m) => m.userId === 'ada');
      expect(ada).to.include({ name: 'Ada Lovelace', email: 'ada@acme.example', mfaEnabled: true });
      expect(Date.parse(ada?.lastActiveAt ?? '')).to.be.within(started - 1000, Date.now());

      // Bob signs in with a password only: MFA off, whatever the directory said before.
      await portal.persistence.users.upsert([{ id: 'bob', name: 'Bob Babbage', email: 'bob@acme.example', mfaEnabled: true }]);
      await signInThroughPortal(portal, accountOf('bob'));
      expect((await members(jar)).find((m) => m.userId === 'bob')).to.include({ mfaEnabled: false });
    });

    it('adds a new user with a verified email to the directory; one without a verified email is not added', async function () {
      expect(await portal.persistence.users.findById('zed')).to.equal(undefined);
      const zed = await signInThroughPortal(portal, accountOf('zed'));
      expect(await portal.persistence.users.findById('zed')).to.deep.include({ id: 'zed', name: 'Zed Newcomer', email: 'zed@outside.example', mfaEnabled: false });
      const me = await fetch(`${portal.api}/me`, { headers: { cookie: zed.jar.header(portal.api) } });
      expect(me.status, 'signed in, but in no organisation').to.equal(403);
      expect(((await me.json()) as { code: string }).code).to.equal('not_a_partner_member');

      await signInThroughPortal(portal, accountOf('uma'));
      expect(await portal.persistence.users.findById('uma')).to.equal(undefined);
      expect(await portal.persistence.users.findByEmail('uma@outside.example')).to.equal(undefined);
    });

    it('sends state, nonce and an S256 PKCE challenge bound to the sealed transaction', async function () {
      const { authorization, transaction, setCookie } = await beginSignIn(portal, new CookieJar());
      expect(authorization.origin).to.equal(idp.issuer);
      const params = authorization.searchParams;
      expect(params.get('response_type')).to.equal('code');
      expect(params.get('client_id')).to.equal('partner-web');
      expect(params.get('redirect_uri')).to.equal(`${portal.baseUrl}/auth/callback`);
      expect(params.get('scope')).to.equal('openid email profile');
      expect(params.get('state')).to.equal(transaction.state).and.have.length.greaterThan(20);
      expect(params.get('nonce')).to.equal(transaction.nonce).and.have.length.greaterThan(20);
      expect(params.get('code_challenge_method')).to.equal('S256');
      expect(params.get('code_challenge')).to.equal(createHash('sha256').update(transaction.codeVerifier).digest('base64url'));
      // The transaction cookie is sealed: neither the state, the nonce nor the verifier can be read from it.
      for (const secret of [transaction.state, transaction.nonce, transaction.codeVerifier]) expect(setCookie).not.to.include(secret);
      const second = await beginSignIn(portal, new CookieJar());
      expect(second.transaction.state).not.to.equal(transaction.state);
      expect(second.transaction.nonce).not.to.equal(transaction.nonce);
      expect(second.transaction.codeVerifier).not.to.equal(transaction.codeVerifier);
    });

    it('refuses a callback whose state was tampered with (no session)', async function () {
      const jar = new CookieJar();
      const { authorization } = await beginSignIn(portal, jar);
      const visit = await untilCallback(portal, jar, authorization, 'bob');
      const url = new URL(visit.url);
      url.searchParams.set('state', `${url.searchParams.get('state') ?? ''}x`);
      const answer = await callback(jar, url.href);
      expect(answer.status).to.equal(400);
      expect(answer.session).to.equal(false);
      expect(answer.text).to.include('Sign-in failed');
    });

    it('refuses a code redeemed in a transaction with another state (a login CSRF)', async function () {
      // The attacker's own code and state, delivered to a victim whose browser holds its own transaction.
      const attacker = new CookieJar();
      const { authorization } = await beginSignIn(portal, attacker);
      const visit = await untilCallback(portal, attacker, authorization, 'bob');
      const victim = new CookieJar();
      await beginSignIn(portal, victim);
      const answer = await callback(victim, visit.url);
      expect(answer.status).to.equal(400);
      expect(answer.session).to.equal(false);
      expect(portal.logger.lines.some((l) => l.message === 'sign-in refused' && /state/.test(String(l.fields.reason)))).to.equal(true);
    });

    it('refuses an ID token whose nonce is not the transaction’s', async function () {
      const jar = new CookieJar();
      const { authorization, transaction } = await beginSignIn(portal, jar);
      const visit = await untilCallback(portal, jar, authorization, 'bob');
      // The browser's transaction names another nonce than the one the provider put in the ID token.
      jar.set(portal.baseUrl, transactionCookieName, transactions.seal({ ...transaction, nonce: 'another-nonce-of-another-sign-in' }, Date.now() + 60_000), '/auth/callback');
      const answer = await callback(jar, visit.url);
      expect(answer.status).to.equal(400);
      expect(answer.session).to.equal(false);
      expect(portal.logger.lines.findLast((l) => l.message === 'sign-in refused')?.fields.reason).to.match(/nonce/);
    });

    it('redeems the code only with the verifier of its challenge (PKCE), even where the provider does not insist', async function () {
      idp.configure({ requirePkce: false });
      try {
        const jar = new CookieJar();
        const { authorization, transaction } = await beginSignIn(portal, jar);
        const visit = await untilCallback(portal, jar, authorization, 'bob');
        jar.set(portal.baseUrl, transactionCookieName, transactions.seal({ ...transaction, codeVerifier: 'a'.repeat(43) }, Date.now() + 60_000), '/auth/callback');
        const answer = await callback(jar, visit.url);
        expect(answer.status).to.equal(400);
        expect(answer.session).to.equal(false);
        expect(portal.logger.lines.findLast((l) => l.message === 'sign-in refused')?.fields.reason).to.match(/invalid_grant/);
      } finally {
        idp.configure({ requirePkce: true });
      }
    });

    it('refuses a replayed callback, a missing or forged transaction, duplicate and garbage parameters, and provider errors', async function () {
      const jar = new CookieJar();
      const { authorization } = await beginSignIn(portal, jar);
      const visit = await untilCallback(portal, jar, authorization, 'bob');
      const copy = jar.clone();
      const first = await callback(jar, visit.url);
      expect(first.status).to.equal(303);
      expect(first.session).to.equal(true);
      const replay = await callback(copy, visit.url);
      expect(replay.status, 'the same response and transaction again').to.equal(400);
      expect(replay.session).to.equal(false);

      const fresh = async () => {
        const j = new CookieJar();
        const begun = await beginSignIn(portal, j);
        return { jar: j, ...begun, visit: await untilCallback(portal, j, begun.authorization, 'bob') };
      };
      const noCookie = await fresh();
      expect((await callback(new CookieJar(), noCookie.visit.url)).status, 'no transaction cookie').to.equal(400);
      const forged = await fresh();
      forged.jar.set(portal.baseUrl, transactionCookieName, 'Zm9yZ2Vk', '/auth/callback');
      expect((await callback(forged.jar, forged.visit.url)).status, 'a forged transaction').to.equal(400);
      const duplicated = await fresh();
      const url = new URL(duplicated.visit.url);
      for (const name of ['code', 'state']) {
        const twice = new URL(url);
        twice.searchParams.append(name, url.searchParams.get(name) ?? '');
        const answer = await callback(duplicated.jar.clone(), twice.href);
        expect(answer.status, `${name} twice`).to.equal(400);
        expect(answer.session).to.equal(false);
      }
      const garbage = await fresh();
      const garbled = new URL(garbage.visit.url);
      garbled.searchParams.set('code', '../../etc/passwd<script>');
      expect((await callback(garbage.jar, garbled.href)).status, 'a garbage code').to.equal(400);
      const long = await fresh();
      const longUrl = new URL(long.visit.url);
      longUrl.searchParams.set('code', 'x'.repeat(5000));
      expect((await callback(long.jar, longUrl.href)).status, 'an oversized code').to.equal(400);
      const denied = await fresh();
      const deniedUrl = new URL(`${portal.baseUrl}/auth/callback`);
      deniedUrl.searchParams.set('error', 'access_denied');
      deniedUrl.searchParams.set('error_description', '<script>alert(1)</script>');
      deniedUrl.searchParams.set('state', denied.transaction.state);
      const refusal = await callback(denied.jar, deniedUrl.href);
      expect(refusal.status).to.equal(403);
      expect(refusal.text).not.to.include('<script>');
      expect((await callback(new CookieJar(), `${portal.baseUrl}/auth/callback`)).status, 'no parameters at all').to.equal(400);
      expect(JSON.stringify(portal.logger.lines)).not.to.include(denied.transaction.codeVerifier);
    });

    it('makes the transaction one-shot: a refused callback clears its cookie too, and a replayed transaction is refused before the code is redeemed', async function () {
      const refusalReason = () => portal.logger.lines.findLast((l) => l.message === 'sign-in refused')?.fields.reason;
      // Refused callbacks: the provider's error answer, and a tampered state. The browser forgets the transaction either way.
      const denied = new CookieJar();
      const deniedStart = await beginSignIn(portal, denied);
      const deniedUrl = new URL(`${portal.baseUrl}/auth/callback`);
      deniedUrl.searchParams.set('error', 'access_denied');
      deniedUrl.searchParams.set('state', deniedStart.transaction.state);
      expect((await callback(denied, deniedUrl.href)).status).to.equal(403);
      expect(denied.get(transactionCookieName), 'the transaction after a provider error').to.equal(undefined);
      const tampered = new CookieJar();
      const tamperedStart = await beginSignIn(portal, tampered);
      const tamperedUrl = new URL((await untilCallback(portal, tampered, tamperedStart.authorization, 'bob')).url);
      tamperedUrl.searchParams.set('state', 'tampered-state-value');
      expect((await callback(tampered, tamperedUrl.href)).status).to.equal(400);
      expect(tampered.get(transactionCookieName), 'the transaction after a tampered state').to.equal(undefined);

      // A copy of a redeemed transaction (a second tab, a stolen cookie) is refused by the server itself, not only by the provider's code check.
      const jar = new CookieJar();
      const { authorization } = await beginSignIn(portal, jar);
      const visit = await untilCallback(portal, jar, authorization, 'bob');
      const copy = jar.clone();
      expect((await callback(jar, visit.url)).status).to.equal(303);
      expect(jar.get(transactionCookieName), 'the transaction after a sign-in').to.equal(undefined);
      const replay = await callback(copy, visit.url);
      expect(replay.status).to.equal(400);
      expect(replay.session).to.equal(false);
      expect(refusalReason()).to.equal('transaction replayed');
      expect(copy.get(transactionCookieName), 'the replayed transaction').to.equal(undefined);
    });

    it('returns only to paths of this server after sign-in (no open redirect through returnTo)', async function () {
      for (const [returnTo, expected] of [
        ['/?view=members', '/?view=members'],
        ['//evil.test/', '/'],
        ['/\\evil.test', '/'],
        ['https://evil.test/', '/'],
        ['javascript:alert(1)', '/'],
      ] as const) {
        const jar = new CookieJar();
        const { authorization } = await beginSignIn(portal, jar, returnTo);
        const visit = await untilCallback(portal, jar, authorization, 'bob');
        const answer = await callback(jar, visit.url);
        expect(answer.status, returnTo).to.equal(303);
        expect(answer.location, returnTo).to.equal(expected);
      }
    });

    it('needs the CSRF token for a cookie session’s mutation, and none for the provider’s bearer token', async function () {
      const { jar, csrfToken } = await signInThroughPortal(portal, accountOf('bob'));
      const invite = (headers: Record<string, string>, email: string) =>
        fetch(`${portal.api}/invitations`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ email, role: 'partner_user' }) });
      const noToken = await invite({ cookie: jar.header(portal.api) }, 'csrf.one@outside.example');
      expect(noToken.status).to.equal(403);
      expect(((await noToken.json()) as { code: string }).code).to.equal('csrf_failed');
      expect((await invite({ cookie: jar.header(portal.api), 'x-csrf-token': csrfToken ?? '' }, 'csrf.two@outside.example')).status).to.equal(201);
      const bearer = await providerAccessToken(idp, accountOf('bob'));
      expect((await invite({ authorization: `Bearer ${bearer}` }, 'csrf.three@outside.example')).status).to.equal(201);
      // The provider's token in a cookie is no credential at all.
      const asCookie = await invite({ cookie: `partner_session=${bearer}`, 'x-csrf-token': csrfToken ?? '' }, 'csrf.four@outside.example');
      expect(asCookie.status).to.equal(401);
    });

    it('signs out: the cookie is cleared and the browser goes to the provider’s end-session endpoint and back', async function () {
      const { jar, csrfToken } = await signInThroughPortal(portal, accountOf('bob'));
      const logout = (headers: Record<string, string>) => fetch(`${portal.baseUrl}/auth/logout`, { method: 'POST', headers: { cookie: jar.header(`${portal.baseUrl}/auth/logout`), ...headers } });
      const refused = await logout({});
      expect(refused.status, 'without the CSRF token').to.equal(403);
      const answer = await logout({ 'x-csrf-token': csrfToken ?? '' });
      expect(answer.status).to.equal(200);
      expect(answer.headers.getSetCookie()).to.deep.equal(['partner_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax']);
      jar.store(`${portal.baseUrl}/auth/logout`, answer);
      const { location } = (await answer.json()) as { location: string };
      const end = new URL(location);
      expect(`${end.origin}${end.pathname}`).to.equal(`${idp.issuer}/session/end`);
      expect(end.searchParams.get('post_logout_redirect_uri')).to.equal(`${portal.baseUrl}/`);
      expect(end.searchParams.get('client_id')).to.equal('partner-web');
      const back = await browse(jar, location, { stopAt: (u) => u.startsWith(`${portal.baseUrl}/`) });
      const confirm = /<form[^>]*action="([^"]+)"[\s\S]*?name="xsrf" value="([^"]+)"/.exec(back.text);
      const done = back.stopped ? back : await browse(jar, new URL(confirm?.[1] ?? '', idp.issuer).href, { method: 'POST', form: { xsrf: confirm?.[2] ?? '', logout: 'yes' }, stopAt: (u) => u.startsWith(`${portal.baseUrl}/`) });
      expect(done.stopped, done.text.slice(0, 200)).to.equal(true);
      expect((await fetch(`${portal.api}/me`, { headers: { cookie: jar.header(portal.api) } })).status).to.equal(401);
      // Signed out at the provider too: the next sign-in asks for the password again.
      const again = await browse(jar, `${portal.baseUrl}/auth/login`);
      expect(again.text).to.include('name="password"');
    });
  });
}

describe('sign-in cookies outside localhost', function () {
  this.timeout(30_000);

  it('carry Secure when the server’s public URL is https', async function () {
    const idp = await TestIdentityProvider.start({ accounts: portalTestAccounts });
    const portal = await PortalServer.start({ idp, store: 'in-memory', env: { PUBLIC_BASE_URL: 'https://partners.example.test' } });
    try {
      const answer = await fetch(`${portal.baseUrl}/auth/login`, { redirect: 'manual' });
      expect(answer.status).to.equal(303);
      expect(answer.headers.getSetCookie()[0]).to.match(/^partner_oidc_tx=[^;]+; Path=\/auth\/callback; Max-Age=600; HttpOnly; SameSite=Lax; Secure$/);
      expect(new URL(answer.headers.get('location') ?? '').searchParams.get('redirect_uri')).to.equal('https://partners.example.test/auth/callback');
      const logout = await fetch(`${portal.baseUrl}/auth/logout`, { method: 'POST' });
      expect(logout.headers.getSetCookie()).to.deep.equal(['partner_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure']);

      // A whole sign-in: the session cookie and the cleared transaction carry Secure too. The provider
      // redirects to the https callback; the request goes to this server as a TLS proxy would pass it on.
      idp.registerClient({ clientId: portalClientId, clientSecret: portalClientSecret, redirectUris: ['https://partners.example.test/auth/callback'] });
      const jar = new CookieJar();
      const start = await fetch(`${portal.baseUrl}/auth/login`, { redirect: 'manual' });
      jar.store(`${portal.baseUrl}/auth/login`, start);
      const stopAt = (u: string) => u.startsWith('https://partners.example.test/auth/callback?');
      const visit = await logInAtProvider(jar, await browse(jar, start.headers.get('location') ?? '', { stopAt }), accountOf('bob'), testOtp, { stopAt });
      expect(visit.stopped, visit.text.slice(0, 200)).to.equal(true);
      const url = `${portal.baseUrl}/auth/callback${new URL(visit.url).search}`;
      const signedIn = await fetch(url, { headers: { cookie: jar.header(url) }, redirect: 'manual' });
      expect(signedIn.status).to.equal(303);
      const [cleared, session] = signedIn.headers.getSetCookie();
      expect(cleared).to.equal('partner_oidc_tx=; Path=/auth/callback; Max-Age=0; HttpOnly; SameSite=Lax; Secure');
      expect(session).to.match(/^partner_session=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+; Path=\/; Max-Age=28800; HttpOnly; SameSite=Lax; Secure$/);
    } finally {
      await portal.close();
      await idp.close();
    }
  });
});
