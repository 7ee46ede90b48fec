import { expect } from 'chai';
import { acceptLinkOf, Mailpit } from './test-support/mailpit.js';
import { accountOf, PortalServer, portalTestAccounts, signInThroughPortal, type StoreKind } from './test-support/portal-server.js';
import { TestIdentityProvider } from './test-support/test-identity-provider.js';
import type { CookieJar } from './test-support/user-agent.js';

const sender = 'partner-team@portal.example.test';

interface Issued {
  readonly id: string;
  readonly email: string;
  readonly delivery: string;
}

for (const store of ['in-memory', 'mongodb'] as const satisfies readonly StoreKind[]) {
  describe(`invitations by email through a real SMTP server (${store})`, function () {
    this.timeout(60_000);
    let idp: TestIdentityProvider;
    let mailpit: Mailpit;
    let portal: PortalServer;
    let admin: { jar: CookieJar; csrfToken: string | undefined };

    before(async function () {
      idp = await TestIdentityProvider.start({ accounts: portalTestAccounts });
      mailpit = await Mailpit.start();
      portal = await PortalServer.start({ idp, store, env: { SMTP_URL: mailpit.smtpUrl, MAIL_FROM: sender, SMTP_TIMEOUT_MS: '3000' } });
      admin = await signInThroughPortal(portal, accountOf('ada'));
    });
    after(async function () {
      await portal.close();
      await mailpit.close();
      await idp.close();
    });
    beforeEach(async function () {
      await mailpit.deleteAll();
    });

    const post = (who: { jar: CookieJar; csrfToken: string | undefined }, path: string, body?: unknown) =>
      fetch(`${portal.api}${path}`, {
        method: 'POST',
        headers: { cookie: who.jar.header(portal.api), 'x-csrf-token': who.csrfToken ?? '', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const invite = async (email: string): Promise<Issued> => {
      const answer = await post(admin, '/invitations', { email, role: 'partner_user' });
      expect(answer.status).to.equal(201);
      return (await answer.json()) as Issued;
    };
    /** Signs `username` in through the provider and accepts with the link's token. */
    const acceptAs = async (username: string, link: string) => {
      expect(link.startsWith(`${portal.baseUrl}/#accept=`), link).to.equal(true);
      const token = decodeURIComponent(link.split('#accept=')[1] ?? '');
      const invitee = await signInThroughPortal(portal, accountOf(username));
      if (invitee.csrfToken === undefined) {
        // Not a member yet: /me answers 403 with the CSRF token in its problem.
        const me = await fetch(`${portal.api}/me`, { headers: { cookie: invitee.jar.header(portal.api) } });
        invitee.csrfToken = ((await me.json()) as { csrfToken?: string }).csrfToken;
      }
      return post(invitee, '/invitations/accept', { token });
    };

    it('emails the invitation (plain text and HTML, naming the organisation and the inviter) with a link that joins', async function () {
      const issued = await invite('zed@outside.example');
      expect(issued.delivery).to.equal('sent');
      const [mail, ...others] = await mailpit.messagesTo('zed@outside.example');
      expect(others).to.be.empty;
      expect(mail?.From).to.deep.equal({ Name: 'Partner Team', Address: sender });
      expect(mail?.Subject).to.equal('Ada Lovelace invited you to Acme on the partner portal');
      expect(mail?.Text).to.include('Ada Lovelace invited you to join Acme as a partner user');
      expect(mail?.HTML).to.include('<strong><bdi>Acme</bdi></strong>');
      const link = acceptLinkOf(mail!);
      expect(mail?.HTML).to.include(`<a href="${link}">Accept the invitation</a>`);
      const accepted = await acceptAs('zed', link);
      expect(accepted.status).to.equal(200);
      expect(await accepted.json()).to.deep.equal({ organisation: { id: 'acme', name: 'Acme' }, role: 'partner_user' });
      expect(JSON.stringify(portal.logger.lines), 'the token is never logged').not.to.include(link.split('#accept=')[1]);
    });

    it('keeps the invitation when the SMTP server is down, says so, and a resend after its restart delivers', async function () {
      await mailpit.stop();
      let issued: Issued;
      try {
        issued = await invite('gus@outside.example');
        expect(issued.delivery).to.equal('failed');
        const failure = portal.logger.lines.findLast((l) => l.message === 'invitation delivery failed');
        expect(failure?.fields).to.deep.include({ invitationId: issued.id, code: 'ESOCKET' });
        const pending = (await (await fetch(`${portal.api}/invitations`, { headers: { cookie: admin.jar.header(portal.api) } })).json()) as { items: { id: string }[] };
        expect(pending.items.map((i) => i.id)).to.include(issued.id);
      } finally {
        await mailpit.run();
      }
      expect(await mailpit.messages()).to.be.empty;
      const resent = await post(admin, `/invitations/${issued.id}/resend`);
      expect(resent.status).to.equal(200);
      expect(((await resent.json()) as Issued).delivery).to.equal('sent');
      const [mail] = await mailpit.messagesTo('gus@outside.example');
      expect((await acceptAs('gus', acceptLinkOf(mail!))).status).to.equal(200);
    });

    it('keeps hostile names out of the headers and escaped in the HTML; refuses addresses with CR/LF', async function () {
      const hostile = 'Eve "The" O\'Neil\r\nBcc: injected@evil.test <script>alert(1)</script> \u202Egnp.exe';
      await portal.persistence.users.upsert([{ id: 'ada', name: hostile, email: 'ada@acme.example', mfaEnabled: true }]);
      try {
        const issued = await invite('hostile.target@outside.example');
        expect(issued.delivery).to.equal('sent');
        const all = await mailpit.messages();
        expect(all).to.have.length(1);
        const mail = await mailpit.message(all[0]!.ID);
        expect(mail.To.map((t) => t.Address)).to.deep.equal(['hostile.target@outside.example']);
        expect(mail.Bcc ?? []).to.be.empty;
        const headers = await mailpit.headers(mail.ID);
        expect(Object.keys(headers).map((h) => h.toLowerCase())).not.to.include('bcc');
        expect(mail.Subject).to.equal('Eve "The" O\'Neil Bcc: injected@evil.test <script>alert(1)</script> gnp.exe invited you to Acme on the partner portal');
        expect(mail.HTML).not.to.include('<script>').and.not.include('\u202E');
        expect(mail.HTML).to.include('&#60;script&#62;alert(1)&#60;/script&#62;');
        expect(mail.Text).not.to.include('\u202E');
      } finally {
        await portal.persistence.users.upsert([{ id: 'ada', name: 'Ada Lovelace', email: 'ada@acme.example', mfaEnabled: true }]);
      }
      const injected = await post(admin, '/invitations', { email: 'x@example.test\r\nBcc: y@evil.test', role: 'partner_user' });
      expect(injected.status).to.equal(400);
      expect(await mailpit.messages()).to.have.length(1);
    });
  });
}
