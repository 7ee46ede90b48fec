import { tmpdir } from 'node:os';
import { expect } from 'chai';
import type { Browser, Locator, Page } from 'playwright-core';
import type { FixtureFile } from './fixture.js';
import type { Persistence } from './persistence.js';
import {
  accessibleControls,
  eventually,
  focusedName,
  launchChromium,
  openSession,
  screenshot,
  tabTo,
  type BrowserSession,
} from './test-support/browser.js';
import { testFixture } from './test-support/test-fixture.js';
import { TestServer } from './test-support/test-server.js';

/** Thirty more acme members (names from S to Z, so the fixture's own people stay on page one): 36 in all, two pages. */
const extraNames = [
  'Sofia Almeida', 'Samuel Okoro', 'Sara Lindqvist', 'Simon Fischer', 'Sven Johansson', 'Tariq Hassan', 'Tomás Navarro',
  'Tessa van Dijk', 'Theo Martin', 'Tove Berg', 'Uma Patel', 'Ulrich Weber', 'Ursula Kowalski', 'Valentina Rossi',
  'Victor Chen', 'Vera Novak', 'Vikram Rao', 'Wen Li', 'Wanjiru Kamau', 'Wilhelm Braun', 'Willa Scott', 'Xavier Dubois',
  'Ximena Torres', 'Yara Haddad', 'Yusuf Demir', 'Yuki Tanaka', 'Yann Morel', 'Zoe Walker', 'Zainab Bello', 'Zeno Costa',
];
const extraUsers = extraNames.map((name, i) => ({
  id: `m${String(i + 1).padStart(2, '0')}`,
  name,
  email: `${name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/ /g, '.')}@acme.example`,
  mfaEnabled: i % 3 !== 0,
  // Sofia Almeida is the most recently active member; every fifth member has no recorded activity.
  lastActiveAt: i === 0 ? '2026-01-14T16:20:00.000Z' : i % 5 === 4 ? null : `2025-12-${String((i % 28) + 1).padStart(2, '0')}T10:30:00.000Z`,
}));

const pageFixture: FixtureFile = {
  ...testFixture,
  users: [...testFixture.users, ...extraUsers],
  memberships: [...testFixture.memberships, ...extraUsers.map((u) => ({ organisationId: 'acme', userId: u.id, role: 'partner_user' as const }))],
};

const blockedSentence =
  'Your organisation is suspended or archived, so management actions are blocked until AiDial support resolves the organisation status.';
const supportAdvice = 'Contact AiDial support rather than trying to self-correct partner organisation setup.';

const membersTable = (page: Page) => page.locator('#members-table');
const memberNames = (page: Page) => membersTable(page).locator('tbody .member-name').allTextContents();
const row = (page: Page, name: string) => membersTable(page).locator('tbody tr').filter({ has: page.locator('.member-name', { hasText: name }) });
const range = (page: Page) => page.locator('.range');
const status = (page: Page, text: string | RegExp) => page.getByRole('status').filter({ hasText: text });
const sortHeader = (page: Page, label: string) => membersTable(page).locator('thead th').filter({ has: page.getByRole('button', { name: label, exact: true }) });

async function textOf(locator: Locator): Promise<string> {
  return ((await locator.textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

async function expectRange(page: Page, text: string): Promise<void> {
  await eventually(async () => {
    expect(await textOf(range(page))).to.equal(text);
  });
}

describe('The Partner Team page, in Chromium against the bundled server', function () {
  this.timeout(30_000);
  let server: TestServer;
  let browser: Browser;
  let launched: Browser | undefined;
  let sessions: BrowserSession[] = [];
  let failClients = false;

  before(async function () {
    server = await TestServer.start({
      fixture: pageFixture,
      wrap: (persistence: Persistence): Persistence => ({
        ...persistence,
        clients: {
          assignedTo: (organisationId, userId) =>
            failClients ? Promise.reject(new Error('injected failure: client store down')) : persistence.clients.assignedTo(organisationId, userId),
          listForOrganisation: (organisationId) => persistence.clients.listForOrganisation(organisationId),
        },
      }),
    });
    launched = await launchChromium();
    browser = launched;
  });

  after(async function () {
    await launched?.close();
    await server.close();
  });

  beforeEach(async function () {
    await server.reset();
    failClients = false;
  });

  afterEach(async function () {
    await Promise.all(sessions.map((s) => s.context.close()));
    sessions = [];
  });

  /** Opens the page, signed in as `userId` (through the session cookie the portal would set) or signed out. */
  async function visit(userId?: string, path = '/'): Promise<BrowserSession> {
    const session = await openSession(browser, server, userId === undefined ? {} : { userId });
    sessions.push(session);
    await session.page.goto(`${server.baseUrl}${path}`);
    return session;
  }

  async function visitRoster(userId: string): Promise<BrowserSession> {
    const session = await visit(userId);
    await session.page.getByRole('heading', { name: 'Members' }).waitFor();
    await eventually(async () => {
      expect(await memberNames(session.page)).not.to.be.empty;
    });
    return session;
  }

  /** No uncaught exception, console error or CSP violation happened on the page. */
  function expectCleanConsole(session: BrowserSession): void {
    expect(session.errors).to.deep.equal([]);
  }

  describe('as a partner_admin', function () {
    it('shows the roster with MFA and last activity, then searches, sorts and pages it', async function () {
      const session = await visitRoster('ada');
      const { page } = session;
      await expectRange(page, 'Showing 1–25 of 36');
      expect((await memberNames(page)).slice(0, 6)).to.deep.equal(['Ada Lovelace', 'Bob Babbage', 'Cy Hopper', 'Dan Demoted', 'Dee Turing', 'Rex Removed']);
      expect(await sortHeader(page, 'Name').getAttribute('aria-sort')).to.equal('ascending');
      const headers = await membersTable(page).locator('thead th').allTextContents();
      expect(headers).to.deep.equal(['Name', 'Email', 'Role', 'MFA', 'Last active', 'Actions']);
      expect(await textOf(row(page, 'Dee Turing').locator('td').nth(3))).to.equal('12 Jan 2026, 08:00');
      expect(await textOf(row(page, 'Bob Babbage').locator('td').nth(3))).to.equal('—Not recorded');
      expect(await textOf(row(page, 'Bob Babbage').locator('td').nth(2))).to.equal('Off');
      expect(await textOf(row(page, 'Ada Lovelace').locator('th'))).to.equal('Ada LovelaceYou');
      await screenshot(page, 'admin-roster');

      await page.getByRole('button', { name: 'Next page' }).click();
      await expectRange(page, 'Showing 26–36 of 36');
      expect(await memberNames(page)).to.have.length(11);
      expect((await memberNames(page))[0]).to.equal('Wilhelm Braun');
      expect(await page.getByRole('button', { name: 'Next page' }).isDisabled()).to.equal(true);
      await page.getByRole('button', { name: 'Previous page' }).click();
      await expectRange(page, 'Showing 1–25 of 36');
      expect((await memberNames(page))[0]).to.equal('Ada Lovelace');
      expect(await page.getByRole('button', { name: 'Previous page' }).isDisabled()).to.equal(true);

      await page.getByRole('button', { name: 'Name', exact: true }).click();
      await eventually(async () => {
        expect((await memberNames(page))[0]).to.equal('Zoe Walker');
      });
      expect(await sortHeader(page, 'Name').getAttribute('aria-sort')).to.equal('descending');

      await page.getByRole('button', { name: 'Email', exact: true }).click();
      await eventually(async () => {
        expect((await memberNames(page))[0]).to.equal('Ada Lovelace');
      });
      expect(await sortHeader(page, 'Email').getAttribute('aria-sort')).to.equal('ascending');
      expect(await sortHeader(page, 'Name').getAttribute('aria-sort')).to.equal(null);
      const emails = await membersTable(page).locator('tbody td.email').allTextContents();
      expect(emails).to.deep.equal([...emails].sort());

      await page.getByRole('button', { name: 'Last active', exact: true }).click();
      await eventually(async () => {
        expect((await memberNames(page)).slice(0, 2)).to.deep.equal(['Sofia Almeida', 'Dee Turing']);
      });
      expect(await sortHeader(page, 'Last active').getAttribute('aria-sort')).to.equal('descending');

      await page.getByLabel('Search members').fill('TURING');
      await eventually(async () => {
        expect(await memberNames(page)).to.deep.equal(['Dee Turing']);
      });
      await expectRange(page, 'Showing 1–1 of 1');
      await page.getByLabel('Search members').fill('ximena.torres@');
      await eventually(async () => {
        expect(await memberNames(page)).to.deep.equal(['Ximena Torres']);
      });
      await page.getByLabel('Search members').fill('nobody-by-that-name');
      await eventually(async () => {
        expect(await textOf(membersTable(page).locator('tbody'))).to.equal('No members match “nobody-by-that-name”.');
      });
      await page.getByLabel('Search members').fill('');
      await expectRange(page, 'Showing 1–25 of 36');
      expectCleanConsole(session);
    });

    it('invites someone, sees them in the pending list, is told why a duplicate is refused, and revokes', async function () {
      const session = await visitRoster('ada');
      const { page } = session;
      const pending = page.locator('#invitations-table');
      await pending.waitFor();
      expect(await textOf(pending.locator('tbody tr').first())).to.contain('newbie@outside.example').and.contain('You');

      await page.getByLabel('Email address').fill('not-an-email');
      await page.getByRole('button', { name: 'Send invitation', exact: true }).click();
      await eventually(async () => {
        expect(await textOf(page.locator('#invite-email-error'))).to.equal('Enter a valid email address, like name@example.com.');
      });
      expect(await page.getByLabel('Email address').getAttribute('aria-invalid')).to.equal('true');

      await page.getByLabel('Email address').fill('grace.hopper@acme.example');
      await page.getByLabel('Role', { exact: true }).selectOption({ label: 'Partner admin' });
      await page.getByRole('button', { name: 'Send invitation', exact: true }).click();
      await status(page, 'Invitation sent to grace.hopper@acme.example as partner admin. It expires on 22 Jan 2026.').waitFor();
      const invited = pending.locator('tbody tr').filter({ hasText: 'grace.hopper@acme.example' });
      await invited.waitFor();
      expect(await textOf(invited)).to.contain('Partner admin');
      expect(await page.getByLabel('Email address').inputValue()).to.equal('');
      await page.evaluate("document.getElementById('invite-heading').scrollIntoView({ block: 'start' }); window.scrollBy(0, -48)");
      await screenshot(page, 'invite-and-pending');

      await page.getByLabel('Email address').fill('grace.hopper@acme.example');
      await page.getByRole('button', { name: 'Send invitation', exact: true }).click();
      await status(page, 'An invitation to this email address is already pending. Use Resend in its row to send a new link.').waitFor();

      await page.getByRole('button', { name: 'Revoke invitation for grace.hopper@acme.example' }).click();
      await status(page, 'The invitation for grace.hopper@acme.example was revoked.').waitFor();
      await eventually(async () => {
        expect(await invited.count()).to.equal(0);
      });
      const ada = await server.signIn('ada');
      const left = (await ada.get('/invitations')).body as { items: { email: string }[] };
      expect(left.items.map((i) => i.email)).to.deep.equal(['newbie@outside.example']);
      expectCleanConsole(session);
    });

    it('resends a pending invitation from its row: a new link goes out, the old one stops working, the expiry moves', async function () {
      server.clock.advance(2 * 24 * 60 * 60 * 1000);
      try {
        const session = await visitRoster('ada');
        const { page } = session;
        const row = page.locator('#invitations-table tbody tr').filter({ hasText: 'newbie@outside.example' });
        await row.waitFor();
        expect(await textOf(row)).to.contain('22 Jan 2026');
        const delivered = server.notifier.delivered.length;
        await row.getByRole('button', { name: 'Resend invitation for newbie@outside.example' }).click();
        await status(page, 'A new link was sent to newbie@outside.example; the previous link no longer works. It expires on 24 Jan 2026.').waitFor();
        await eventually(async () => {
          expect(await textOf(row)).to.contain('24 Jan 2026');
        });
        expect(server.notifier.delivered).to.have.length(delivered + 1);
        const token = server.notifier.tokenFor('newbie@outside.example');
        expect(token).to.be.a('string').and.not.equal(server.seedTokens[0]);
        const newbie = await server.signIn('newbie');
        expect((await newbie.post('/invitations/accept', { token: server.seedTokens[0] })).status, 'the old link').to.equal(404);
        expect((await newbie.post('/invitations/accept', { token })).status, 'the new link').to.equal(200);
        expectCleanConsole(session);
      } finally {
        server.clock.set('2026-01-15T09:00:00.000Z');
      }
    });

    it('promotes at once, asks before demoting or removing, and never offers changes to the own row', async function () {
      const session = await visitRoster('ada');
      const { page } = session;
      expect(await row(page, 'Ada Lovelace').getByRole('button', { name: /^(Make|Remove)/ }).count()).to.equal(0);
      expect(await row(page, 'Ada Lovelace').getByRole('button', { name: 'Clients of Ada Lovelace' }).count()).to.equal(1);

      await page.getByRole('button', { name: 'Make admin (Cy Hopper)' }).click();
      await status(page, 'Cy Hopper is now a partner admin.').waitFor();
      await eventually(async () => {
        expect(await textOf(row(page, 'Cy Hopper').locator('td').nth(1))).to.equal('Partner admin');
      });
      expect(await page.getByRole('dialog').count()).to.equal(0);

      await page.getByRole('button', { name: 'Make user (Dan Demoted)' }).click();
      const demote = page.getByRole('dialog', { name: 'Make Dan Demoted a partner user?' });
      await demote.waitFor();
      await demote.getByRole('button', { name: 'Cancel' }).click();
      await demote.waitFor({ state: 'detached' });
      expect(await textOf(row(page, 'Dan Demoted').locator('td').nth(1))).to.equal('Partner admin');
      expect((await server.store.memberships.findByUser('dan'))?.membership.role).to.equal('partner_admin');

      await page.getByRole('button', { name: 'Make user (Dan Demoted)' }).click();
      await demote.getByRole('button', { name: 'Make partner user' }).click();
      await status(page, 'Dan Demoted is now a partner user.').waitFor();
      await eventually(async () => {
        expect(await textOf(row(page, 'Dan Demoted').locator('td').nth(1))).to.equal('Partner user');
      });
      expect((await server.store.memberships.findByUser('dan'))?.membership.role).to.equal('partner_user');

      await page.getByRole('button', { name: 'Remove Dee Turing' }).click();
      const remove = page.getByRole('dialog', { name: 'Remove Dee Turing from Acme?' });
      await remove.waitFor();
      expect(await textOf(remove)).to.contain('dee@acme.example');
      await screenshot(page, 'confirm-dialog');
      await remove.getByRole('button', { name: 'Remove member' }).click();
      await status(page, 'Dee Turing was removed from the team.').waitFor();
      await expectRange(page, 'Showing 1–25 of 35');
      expect(await memberNames(page)).not.to.include('Dee Turing');
      expect(await server.store.memberships.findByUser('dee')).to.equal(undefined);
      expectCleanConsole(session);
    });

    it("opens any member's assigned clients, and explains a server failure with a reference for support", async function () {
      const session = await visitRoster('ada');
      const { page } = session;
      const opener = page.getByRole('button', { name: 'Clients of Cy Hopper' });
      await opener.click();
      const dialog = page.getByRole('dialog', { name: 'Clients of Cy Hopper' });
      await dialog.waitFor();
      await eventually(async () => {
        expect(await dialog.getByRole('listitem').allTextContents()).to.have.members(['Northwind', 'Contoso']);
      });
      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'detached' });
      expect(await focusedName(page)).to.equal('Clients of Cy Hopper');

      await page.getByRole('button', { name: 'Clients of Bob Babbage' }).click();
      await eventually(async () => {
        expect(await textOf(page.getByRole('dialog', { name: 'Clients of Bob Babbage' }))).to.contain('No clients are assigned to Bob Babbage.');
      });
      await page.keyboard.press('Escape');
      await page.getByRole('dialog').waitFor({ state: 'detached' });

      failClients = true;
      await page.getByRole('button', { name: 'Clients of Dee Turing' }).click();
      const failed = page.getByRole('dialog', { name: 'Clients of Dee Turing' });
      await eventually(async () => {
        expect(await textOf(failed)).to.match(/Something went wrong on our side\. .*quote reference [0-9a-f-]{36}\./);
      });
      expect(await textOf(failed)).not.to.match(/injected|stack|\{/);
      session.errors.splice(0, session.errors.length, ...session.errors.filter((e) => !/status of 500/.test(e)));
      expectCleanConsole(session);
    });
  });

  it('as a partner_user: read-only roster without activity data or any action, and only their own clients', async function () {
    const session = await visitRoster('cy');
    const { page } = session;
    expect(await membersTable(page).locator('thead th').allTextContents()).to.deep.equal(['Name', 'Email', 'Role']);
    await expectRange(page, 'Showing 1–25 of 36');
    const myClients = page.getByRole('region', { name: 'My clients' });
    await eventually(async () => {
      expect(await myClients.getByRole('listitem').allTextContents()).to.have.members(['Northwind', 'Contoso']);
    });
    expect(await page.getByRole('button', { name: /^(Make|Remove|Revoke|Resend|Clients of|Send invitation)/ }).count()).to.equal(0);
    expect(await page.getByRole('heading', { name: /Invite someone|Pending invitations/ }).count()).to.equal(0);
    expect(await page.getByRole('button', { name: 'Last active' }).count()).to.equal(0);
    expect(await page.getByRole('textbox', { name: 'Email address' }).count()).to.equal(0);
    expect(await page.getByText('newbie@outside.example').count()).to.equal(0);
    await screenshot(page, 'partner-user-view');
    expectCleanConsole(session);
  });

  describe('when the organisation cannot be managed', function () {
    it('suspended: explains the block in a banner, keeps controls reachable and says why they do nothing', async function () {
      const session = await visitRoster('sam');
      const { page } = session;
      const banner = page.getByRole('region', { name: 'Suspended Co is suspended' });
      await banner.waitFor();
      expect(await textOf(banner)).to.contain('blocked until AiDial support resolves the organisation status');
      const invite = page.getByRole('region', { name: 'Invite someone' });
      expect(await textOf(invite)).to.contain(blockedSentence);
      expect(await invite.getByRole('button', { name: 'Send invitation' }).count()).to.equal(0);
      await page.locator('#invitations-table').getByRole('rowheader', { name: 'x@sus.example' }).waitFor();

      const remove = page.getByRole('button', { name: 'Remove Sue Suspended' });
      expect(await remove.getAttribute('aria-disabled')).to.equal('true');
      await remove.focus();
      await page.keyboard.press('Enter');
      await status(page, blockedSentence).waitFor();
      expect(await page.getByRole('dialog').count()).to.equal(0);
      const revoke = page.getByRole('button', { name: 'Revoke invitation for x@sus.example' });
      expect(await revoke.getAttribute('aria-disabled')).to.equal('true');
      await revoke.click({ force: true });
      await eventually(async () => {
        expect(await status(page, blockedSentence).count()).to.equal(2);
      });
      const resend = page.getByRole('button', { name: 'Resend invitation for x@sus.example' });
      expect(await resend.getAttribute('aria-disabled')).to.equal('true');
      const delivered = server.notifier.delivered.length;
      await resend.click({ force: true });
      await status(page, blockedSentence).first().waitFor();
      expect(server.notifier.delivered).to.have.length(delivered);
      expect((await server.store.memberships.findByUser('sue'))?.membership.role).to.equal('partner_user');
      await page.evaluate('window.scrollTo(0, 0)');
      await screenshot(page, 'suspended-banner');
      expectCleanConsole(session);
    });

    it('suspended after the page loaded: the refused action is explained and the banner appears', async function () {
      const session = await visitRoster('ada');
      const { page } = session;
      const acme = await server.store.organisations.load('acme');
      if (acme === undefined) throw new Error('acme is missing from the fixture');
      await server.store.organisations.save(
        { organisationId: 'acme', profile: { ...acme.profile, status: 'suspended' }, upsertedMembers: [], removedMembers: [], upsertedInvitations: [], removedInvitations: [], events: [] },
        acme.version,
      );

      await page.getByRole('button', { name: 'Remove Rex Removed' }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Remove member' }).click();
      await status(page, blockedSentence).waitFor();
      await page.getByRole('region', { name: 'Acme is suspended' }).waitFor();
      await eventually(async () => {
        expect(await row(page, 'Rex Removed').getByRole('button', { name: 'Remove Rex Removed' }).getAttribute('aria-disabled')).to.equal('true');
      });
      expect(await server.store.memberships.findByUser('rex')).not.to.equal(undefined);
      expectCleanConsole(session);
    });

    it('bootstrap pending: the unable-to-load state sends the user to AiDial support', async function () {
      const session = await visit('pat');
      const { page } = session;
      const state = page.getByRole('region', { name: 'We could not load your partner team' });
      await state.waitFor();
      expect(await textOf(state)).to.contain('AiDial has not completed partner bootstrap for Pending Co').and.contain(supportAdvice);
      expect(await textOf(state)).to.contain('Do not include passwords');
      expect(await membersTable(page).count()).to.equal(0);
      await screenshot(page, 'unable-to-load');
      expectCleanConsole(session);
    });

    it('no membership: the same unable-to-load state', async function () {
      const session = await visit('gus');
      const { page } = session;
      const state = page.getByRole('region', { name: 'We could not load your partner team' });
      await state.waitFor();
      expect(await textOf(state)).to.contain('not a member of a partner organisation').and.contain(supportAdvice);
      expect(await membersTable(page).count()).to.equal(0);
      expectCleanConsole(session);
    });
  });

  describe('signing in and invitations', function () {
    it('signs in with the demo picker, removes a member and sorts using only the keyboard', async function () {
      const session = await visit();
      const { page } = session;
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await textOf(page.getByRole('heading', { name: /^Suspended Co/ }))).to.equal('Suspended Co Suspended');
      expect(await textOf(page.getByRole('heading', { name: /^Pending Co/ }))).to.equal('Pending Co Setup pending');
      await screenshot(page, 'demo-sign-in');

      await tabTo(page, /^Ada Lovelace\s*Partner admin/);
      expect(await page.evaluate('getComputedStyle(document.activeElement).outlineStyle')).to.equal('solid');
      await page.keyboard.press('Enter');
      await eventually(async () => {
        expect(await memberNames(page)).to.include('Rex Removed');
      });

      await tabTo(page, /^Remove Rex Removed$/);
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Remove Rex Removed from Acme?' });
      await dialog.waitFor();
      expect(await focusedName(page)).to.equal('Cancel');
      await page.keyboard.press('Tab');
      expect(await focusedName(page)).to.equal('Remove member');
      await page.keyboard.press('Space');
      await status(page, 'Rex Removed was removed from the team.').waitFor();
      await expectRange(page, 'Showing 1–25 of 35');
      expect(await server.store.memberships.findByUser('rex')).to.equal(undefined);

      await tabTo(page, /^Email$/);
      await page.keyboard.press('Enter');
      await eventually(async () => {
        expect(await sortHeader(page, 'Email').getAttribute('aria-sort')).to.equal('ascending');
      });
      await page.keyboard.press('Space');
      await eventually(async () => {
        expect(await sortHeader(page, 'Email').getAttribute('aria-sort')).to.equal('descending');
        expect((await memberNames(page))[0]).to.equal('Zoe Walker');
      });
      expect(await focusedName(page)).to.equal('Email');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await status(page, 'You are signed out.').waitFor();
      expectCleanConsole(session);
    });

    it('offers to accept the invitation in an accept link after sign-in, and clears the link from the address bar', async function () {
      const session = await visit(undefined, `/#accept=${server.seedTokens[0] ?? ''}`);
      const { page } = session;
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(new URL(page.url()).hash).to.equal('');
      await page.getByText('Sign in as the person the invitation was sent to, then accept it.').waitFor();
      await page.getByRole('button', { name: /^New Bie/ }).click();
      const offer = page.getByRole('region', { name: 'You have been invited to a partner team' });
      await offer.waitFor();
      await offer.getByRole('button', { name: 'Accept invitation' }).click();
      await status(page, 'You joined Acme as a partner user.').waitFor();
      await eventually(async () => {
        expect(await memberNames(page)).to.include('New Bie');
      });
      expect(await offer.count()).to.equal(0);
      expect((await server.store.memberships.findByUser('newbie'))?.membership.role).to.equal('partner_user');
      expectCleanConsole(session);
    });

    it('explains a refused invitation in plain words', async function () {
      const session = await visit('gus', `/#accept=${server.seedTokens[0] ?? ''}`);
      const { page } = session;
      const offer = page.getByRole('region', { name: 'You have been invited to a partner team' });
      await offer.getByRole('button', { name: 'Accept invitation' }).click();
      await status(page, 'This invitation was sent to a different email address. Sign in with the account it was sent to.').waitFor();
      expect(await offer.getByRole('button', { name: 'Accept invitation' }).count()).to.equal(0);
      expectCleanConsole(session);
    });
  });

  it('labels every control: the picker, the admin page and its dialog, the partner-user and suspended views', async function () {
    const expectAllNamed = async (page: Page, label: string) => {
      const controls = await accessibleControls(page);
      expect(controls.length, `${label}: controls found`).to.be.greaterThan(1);
      expect(controls.filter((c) => c.name === ''), `${label}: controls without an accessible name`).to.deep.equal([]);
    };
    const picker = (await visit()).page;
    await picker.getByRole('button', { name: /^Ada Lovelace/ }).waitFor();
    await expectAllNamed(picker, 'sign-in picker');

    const admin = (await visitRoster('ada')).page;
    await admin.locator('#invitations-table').waitFor();
    await expectAllNamed(admin, 'admin');
    for (const name of ['Search members', 'Email address']) expect(await admin.getByLabel(name, { exact: true }).count(), name).to.equal(1);
    expect(await admin.getByRole('combobox', { name: 'Role' }).count()).to.equal(1);
    expect(await admin.locator('[role="status"][aria-live="polite"]').count()).to.be.greaterThan(1);
    await admin.getByRole('button', { name: 'Remove Cy Hopper' }).click();
    await admin.getByRole('dialog').waitFor();
    // The modal dialog makes the page behind it inert: only its own buttons remain.
    expect(await accessibleControls(admin)).to.deep.equal([
      { role: 'button', name: 'Cancel' },
      { role: 'button', name: 'Remove member' },
    ]);

    await expectAllNamed((await visitRoster('cy')).page, 'partner user');
    await expectAllNamed((await visitRoster('sam')).page, 'suspended admin');
    for (const s of sessions) expectCleanConsole(s);
  });

  it('serves the page with a strict CSP, no-cache, and only compiled modules under /assets/', async function () {
    const root = server.root();
    const index = await root.get('/');
    expect(index.status).to.equal(200);
    expect(index.headers.get('content-type')).to.match(/^text\/html/);
    expect(index.headers.get('cache-control')).to.equal('no-cache');
    expect(index.headers.get('content-security-policy')).to.equal(
      "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;connect-src 'self';frame-ancestors 'none';base-uri 'none';form-action 'self';object-src 'none'",
    );
    expect(index.headers.get('x-frame-options')).to.equal('DENY');
    expect(index.text).to.contain('<script type="module" src="/assets/app.js"></script>');
    expect(index.text).not.to.match(/<script>|style=/);
    const app = await root.get('/assets/app.js');
    expect(app.status).to.equal(200);
    expect(app.headers.get('content-type')).to.match(/javascript/);
    expect((await root.get('/assets/app.d.ts')).status).to.equal(404);
    expect((await root.get('/assets/.tsbuildinfo')).status).to.equal(404);
    expect((await root.get('/styles.css')).headers.get('content-type')).to.match(/^text\/css/);
    const api = await root.get('/api/partner-team/me');
    expect(api.status).to.equal(401);
    expect(api.headers.get('content-security-policy')).to.equal("default-src 'none';frame-ancestors 'none'");
  });

  it('in production (no demo sign-in) asks the user to sign in through the portal', async function () {
    const production = await TestServer.start({ env: { NODE_ENV: 'production', DEMO_SIGN_IN: 'off', MAIL_OUTBOX_DIR: tmpdir() } });
    try {
      const session = await openSession(browser, production);
      sessions.push(session);
      await session.page.goto(`${production.baseUrl}/`);
      await session.page.getByText('Sign in through the portal to manage your partner team.').waitFor();
      expect(await session.page.getByRole('button', { name: 'Sign out' }).count()).to.equal(0);
      expectCleanConsole(session);
    } finally {
      await production.close();
    }
  });
});
