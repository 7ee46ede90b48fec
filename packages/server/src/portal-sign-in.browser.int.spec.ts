import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { eventually, launchChromium, openSession, type BrowserSession } from './test-support/browser.js';
import { acceptLinkOf, Mailpit } from './test-support/mailpit.js';
import { accountOf, PortalServer, portalTestAccounts, type StoreKind } from './test-support/portal-server.js';
import { testOtp, TestIdentityProvider } from './test-support/test-identity-provider.js';

const row = (page: Page, name: string) => page.locator('#members-table tbody tr').filter({ has: page.locator('.member-name', { hasText: name }) });
const status = (page: Page, text: string | RegExp) => page.getByRole('status').filter({ hasText: text });

/** Clicks the page's sign-in button and goes through the provider's login form (and second factor) back to the page. */
async function signInInBrowser(page: Page, portal: PortalServer, idp: TestIdentityProvider, username: string): Promise<void> {
  await page.getByRole('link', { name: 'Sign in with the test provider' }).click();
  await page.waitForURL(`${idp.issuer}/interaction/**`);
  const account = accountOf(username);
  await page.getByLabel('Username').fill(account.username);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if (account.secondFactor) {
    await page.getByLabel('One-time code').fill(testOtp);
    await page.getByRole('button', { name: 'Verify' }).click();
  }
  await page.waitForURL(`${portal.baseUrl}/`);
}

for (const store of ['in-memory', 'mongodb'] as const satisfies readonly StoreKind[]) {
  describe(`the page signed in through the portal’s identity provider, in Chromium (${store})`, function () {
    this.timeout(90_000);
    let browser: Browser;
    let idp: TestIdentityProvider;
    let mailpit: Mailpit;
    let portal: PortalServer;
    const sessions: BrowserSession[] = [];
    const session = async () => {
      const opened = await openSession(browser, portal);
      opened.page.setDefaultTimeout(10_000);
      sessions.push(opened);
      return opened;
    };

    before(async function () {
      browser = await launchChromium();
      idp = await TestIdentityProvider.start({ accounts: portalTestAccounts });
      mailpit = await Mailpit.start();
      portal = await PortalServer.start({ idp, store, env: { SMTP_URL: mailpit.smtpUrl, MAIL_FROM: 'partner-team@portal.example.test', SMTP_TIMEOUT_MS: '3000' } });
    });
    after(async function () {
      for (const s of sessions) await s.context.close();
      await browser.close();
      await portal.close();
      await mailpit.close();
      await idp.close();
    });

    it('signs an MFA user in through the login form, shows MFA on and a fresh last activity, invites by email, the invitee joins from the link, and signs out', async function () {
      const { page, errors } = await session();
      const started = Date.now();
      await page.goto(`${portal.baseUrl}/`);
      await signInInBrowser(page, portal, idp, 'ada');
      // The session cookie is HttpOnly: the page's scripts never see it.
      expect(await page.evaluate('document.cookie')).to.equal('');
      const cookie = (await page.context().cookies(portal.baseUrl)).find((c) => c.name === 'partner_session');
      expect(cookie).to.include({ httpOnly: true, sameSite: 'Lax', path: '/' });
      const ada = row(page, 'Ada Lovelace');
      await ada.waitFor();
      expect((await ada.locator('td[data-label="MFA"]').textContent())?.trim()).to.equal('On');
      const lastActive = await ada.locator('td[data-label="Last active"] time').getAttribute('datetime');
      expect(Date.parse(lastActive ?? '')).to.be.within(started - 1000, Date.now());
      expect((await row(page, 'Bob Babbage').locator('td[data-label="MFA"]').textContent())?.trim(), 'the fixture’s value for bob').to.equal('Off');

      await page.getByLabel('Email address').fill('zed@outside.example');
      await page.getByRole('button', { name: 'Send invitation', exact: true }).click();
      await status(page, 'Invitation sent to zed@outside.example').waitFor();
      let link = '';
      await eventually(async () => {
        const [mail] = await mailpit.messagesTo('zed@outside.example');
        expect(mail?.Subject).to.equal('Ada Lovelace invited you to Acme on the partner portal');
        link = acceptLinkOf(mail!);
      });

      // The invitee opens the link signed out, signs in at the provider, and accepts back on the page.
      const invitee = await session();
      await invitee.page.goto(link);
      await invitee.page.getByText('Sign in as the person the invitation was sent to').waitFor();
      await signInInBrowser(invitee.page, portal, idp, 'zed');
      await invitee.page.getByRole('button', { name: 'Accept invitation' }).click();
      await status(invitee.page, 'You joined Acme as a partner user.').waitFor();
      expect(invitee.errors).to.deep.equal([]);

      await page.reload();
      await row(page, 'Zed Newcomer').waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${portal.baseUrl}/`);
      await page.getByRole('link', { name: 'Sign in with the test provider' }).waitFor();
      expect((await page.context().cookies(portal.baseUrl)).some((c) => c.name === 'partner_session')).to.equal(false);
      // Signed out at the provider too: signing in again asks for the password.
      await page.getByRole('link', { name: 'Sign in with the test provider' }).click();
      await page.getByLabel('Password').waitFor();
      expect(errors).to.deep.equal([]);
    });

    it('is refused with a tampered state and gets no session', async function () {
      const { page } = await session();
      // The provider's redirect back to the server, with its state changed on the way (as an attacker in
      // the middle would). Playwright routes only the first request of a redirect chain: the login form's
      // POST; its redirects are followed here, and the browser gets the last one with the state changed.
      await page.route(
        (url) => url.origin === idp.issuer && /^\/interaction\/[^/]+\/login$/.test(url.pathname),
        async (route) => {
          let response = await route.fetch({ maxRedirects: 0 });
          let location = response.headers().location;
          for (let hop = 0; location !== undefined && !location.startsWith(`${portal.baseUrl}/auth/callback?`) && hop < 5; hop += 1) {
            // The context keeps what route.fetch received; a path-scoped cookie is sent only when asked for by URL.
            const target = new URL(location, idp.issuer).href;
            const cookie = (await page.context().cookies(target)).map((c) => `${c.name}=${c.value}`).join('; ');
            response = await route.fetch({ url: target, method: 'GET', headers: { cookie }, maxRedirects: 0 });
            location = response.headers().location;
          }
          const url = new URL(location ?? `${portal.baseUrl}/auth/callback`);
          url.searchParams.set('state', 'tampered-state-value');
          await route.fulfill({ status: 303, headers: { location: url.href } });
        },
      );
      await page.goto(`${portal.baseUrl}/`);
      await page.getByRole('link', { name: 'Sign in with the test provider' }).click();
      await page.getByLabel('Username').fill('bob');
      await page.getByLabel('Password').fill(accountOf('bob').password);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Sign-in failed' }).waitFor();
      // Refused by the state check, with a real code of the provider in hand.
      expect(portal.logger.lines.findLast((l) => l.message === 'sign-in refused')?.fields.reason).to.match(/unexpected "state" response parameter value/);
      expect((await page.context().cookies(portal.baseUrl)).some((c) => c.name === 'partner_session')).to.equal(false);
      const me = await page.evaluate(async () => (await fetch('/api/partner-team/me')).status);
      expect(me).to.equal(401);
    });

    it('shows a failed invitation email with a hint to resend, and the resend delivers once the mail server is back', async function () {
      const { page, errors } = await session();
      await page.goto(`${portal.baseUrl}/`);
      await signInInBrowser(page, portal, idp, 'bob');
      await mailpit.stop();
      try {
        await page.getByLabel('Email address').fill('gus@outside.example');
        await page.getByRole('button', { name: 'Send invitation', exact: true }).click();
        await status(page, /its email could not be sent\. Use Resend/).waitFor();
      } finally {
        await mailpit.run();
      }
      const pending = page.locator('tr').filter({ hasText: 'gus@outside.example' });
      await pending.getByRole('button', { name: 'Resend' }).click();
      await status(page, 'A new link was sent to gus@outside.example').waitFor();
      await eventually(async () => {
        expect(await mailpit.messagesTo('gus@outside.example')).to.have.length(1);
      });
      expect(errors).to.deep.equal([]);
    });
  });
}
