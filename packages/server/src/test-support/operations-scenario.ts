import type { JwtOperatorAuthenticator, JwtSessionAuthenticator } from '@partner-team/express';
import * as schemas from '@partner-team/express/schemas';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import type { z } from 'zod';
import { eventually, openSession, type BrowserSession } from './browser.js';
import { operatorClient, signIn, type Answer } from './test-server.js';

/**
 * The escalation boundaries, end to end, through the operations API of a running server (in
 * memory or on MongoDB), the partner API and the page in Chromium: the same steps and checks on
 * every store. Organisation and user ids are the scenario's own, so it runs beside any fixture.
 */

/** A running server and how to reach it. */
export interface ScenarioTarget {
  /** Where the partner surface and the page are served. */
  readonly partnerUrl: string;
  /** Where the operations API is served (another process of the same store, or the same server). */
  readonly operationsUrl: string;
  readonly sessions: JwtSessionAuthenticator;
  readonly operators: JwtOperatorAuthenticator;
  /** Writes an assignment around the use cases (the stores' legacy-import path): the planted breakage. */
  readonly plantAssignment: (organisationId: string, userId: string, clientId: string) => Promise<void>;
  readonly browser: Browser;
}

export const scenarioOperator = 'op-scenario';
const reason = 'ticket SUP-1042: onboarding NewCo and fixing its team';

export function expectAnswer<S extends z.ZodType>(answer: Answer, status: number, schema: S): z.output<S> {
  expect(answer.status, answer.text).to.equal(status);
  return schema.parse(answer.body);
}

export function expectCode(answer: Answer, status: number, code: string): void {
  expect(answer.status, answer.text).to.equal(status);
  expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
  expect((answer.body as { code?: string } | undefined)?.code, answer.text).to.equal(code);
}

const unableToLoad = (page: Page) => page.getByRole('region', { name: 'We could not load your partner team' });
const memberNames = (page: Page) => page.locator('#members-table tbody .member-name').allTextContents();

/** Runs the whole scenario; every check is an assertion. */
export async function runOperationsScenario(target: ScenarioTarget): Promise<void> {
  const ops = await operatorClient(target.operationsUrl, target.operators, scenarioOperator, 'support_operator');
  const viewer = await operatorClient(target.operationsUrl, target.operators, 'op-viewer', 'support_viewer');
  const partner = (userId: string) => signIn(target.partnerUrl, target.sessions, userId);
  const sessions: BrowserSession[] = [];
  const visit = async (userId: string): Promise<Page> => {
    const session = await openSession(target.browser, { baseUrl: target.partnerUrl, sessions: target.sessions }, { userId });
    sessions.push(session);
    await session.page.goto(`${target.partnerUrl}/`);
    return session.page;
  };
  /** Successful support changes of NewCo: its audit log must hold exactly this many support events. */
  let newcoChanges = 0;
  const change = async <S extends z.ZodType>(path: string, body: Record<string, unknown>, status: number, schema: S): Promise<z.output<S>> => {
    const answer = expectAnswer(await ops.post(path, { ...body, reason }), status, schema);
    if (path.startsWith('/organisations/newco')) newcoChanges += 1;
    return answer;
  };

  try {
    // 1. From nothing: directory users and two organisations, provisioned through the API.
    const users = [
      { id: 'nia', name: 'Nia Newco', email: 'nia@newco.example', mfaEnabled: true },
      { id: 'noah', name: 'Noah Newco', email: 'noah@newco.example', mfaEnabled: false },
      { id: 'nell', name: 'Nell Newco', email: 'nell@newco.example', mfaEnabled: true, lastActiveAt: '2026-01-10T10:00:00.000Z' },
      { id: 'olga', name: 'Olga Otherco', email: 'olga@otherco.example', mfaEnabled: true },
      { id: 'omar', name: 'Omar Otherco', email: 'omar@otherco.example', mfaEnabled: true },
    ];
    expect(expectAnswer(await ops.post('/users', { users, reason }), 200, schemas.usersUpsertedResponse).changed).to.have.members(users.map((u) => u.id));
    expect(expectAnswer(await ops.post('/users', { users, reason }), 200, schemas.usersUpsertedResponse).changed, 'a repeated sync changes nothing').to.deep.equal([]);
    const provisioned = await change('/organisations', { organisationId: 'newco', name: 'NewCo' }, 201, schemas.provisionedResponse);
    newcoChanges += 1;
    expect(provisioned.organisation).to.deep.equal({ id: 'newco', name: 'NewCo', status: 'active', bootstrapped: false, invitationsEnabled: true });
    await change('/organisations', { organisationId: 'otherco', name: 'OtherCo' }, 201, schemas.provisionedResponse);
    expectCode(await ops.post('/organisations', { organisationId: 'newco', name: 'Again', reason }), 409, 'organisation_exists');

    // 2. Before bootstrap the page is in its unable-to-load state for the future first admin.
    const niaPage = await visit('nia');
    await unableToLoad(niaPage).waitFor();
    expectCode(await (await partner('nia')).get('/members'), 403, 'not_a_partner_member');
    const imported = await change('/organisations/newco/members/import', { members: [{ userId: 'noah', role: 'partner_user' }, { userId: 'nell', role: 'partner_user' }] }, 200, schemas.importedResponse);
    expect(imported.members).to.equal(2);
    expectCode(await (await partner('noah')).get('/members'), 403, 'partner_bootstrap_incomplete');
    const noahPage = await visit('noah');
    expect(await unableToLoad(noahPage).textContent()).to.contain('AiDial has not completed partner bootstrap for NewCo');

    // 3. Bootstrap with nia as first partner_admin: the page leaves the unable-to-load state.
    const bootstrapped = await change('/organisations/newco/bootstrap', { userId: 'nia' }, 200, schemas.bootstrappedResponse);
    expect(bootstrapped.organisation.bootstrapped).to.equal(true);
    expect(bootstrapped.admin).to.include({ userId: 'nia', role: 'partner_admin' });
    expectCode(await ops.post('/organisations/newco/bootstrap', { userId: 'nia', reason }), 409, 'already_bootstrapped');
    await niaPage.reload();
    await niaPage.getByRole('heading', { name: 'Members' }).waitFor();
    await eventually(async () => {
      expect(await memberNames(niaPage)).to.deep.equal(['Nell Newco', 'Nia Newco', 'Noah Newco']);
    });
    expect(await unableToLoad(niaPage).count()).to.equal(0);
    const nia = await partner('nia');
    expect(expectAnswer(await nia.get('/me'), 200, schemas.meResponse)).to.deep.include({ role: 'partner_admin' });
    await change('/organisations/otherco/members/import', { members: [{ userId: 'olga', role: 'partner_admin' }, { userId: 'omar', role: 'partner_user' }] }, 200, schemas.importedResponse);
    await change('/organisations/otherco/bootstrap', { userId: 'olga' }, 200, schemas.bootstrappedResponse);

    // 4. Clients assigned by support show on the partner surface and on the page.
    const assigned = await change(
      '/organisations/newco/assignments',
      { assignments: [{ userId: 'noah', clientId: 'c-north', name: 'Northwind' }, { userId: 'noah', clientId: 'c-cont', name: 'Contoso' }] },
      200,
      schemas.assignedResponse,
    );
    expect(assigned.assigned).to.have.length(2);
    expectCode(await ops.post('/organisations/newco/assignments', { assignments: [{ userId: 'olga', clientId: 'c-north', name: 'Northwind' }], reason }), 404, 'member_not_found');
    expect(expectAnswer(await nia.get('/members/noah/clients'), 200, schemas.clientsResponse).items).to.deep.equal([
      { clientId: 'c-cont', name: 'Contoso' },
      { clientId: 'c-north', name: 'Northwind' },
    ]);
    await noahPage.reload();
    const myClients = noahPage.getByRole('region', { name: 'My clients' });
    await eventually(async () => {
      expect(await myClients.getByRole('listitem').allTextContents()).to.deep.equal(['Contoso', 'Northwind']);
    });

    // 5. Suspend: management refused, reads served; archive; reactivate.
    const suspended = await change('/organisations/newco/status', { status: 'suspended' }, 200, schemas.organisationOutcomeResponse);
    expect(suspended).to.deep.include({ changed: true });
    expectCode(await nia.patch('/members/noah', { role: 'partner_admin' }), 403, 'organisation_not_active');
    expect(expectAnswer(await nia.get('/members'), 200, schemas.membersResponse).total).to.equal(3);
    expect(expectAnswer(await nia.get('/members/noah/clients'), 200, schemas.clientsResponse).items).to.have.length(2);
    expect(expectAnswer(await ops.post('/organisations/newco/status', { status: 'suspended', reason }), 200, schemas.organisationOutcomeResponse).changed).to.equal(false);
    await change('/organisations/newco/status', { status: 'archived' }, 200, schemas.organisationOutcomeResponse);
    expectCode(await nia.delete('/members/nell'), 403, 'organisation_not_active');
    expectCode(await ops.post('/organisations/newco/admins', { userId: 'noah', reason }), 409, 'organisation_archived');
    expect(expectAnswer(await nia.get('/members'), 200, schemas.membersResponse).total).to.equal(3);
    await change('/organisations/newco/status', { status: 'active' }, 200, schemas.organisationOutcomeResponse);

    // 6. A removed member restored by support; the partner admin sees support did it, and why.
    expect((await nia.delete('/members/nell')).status).to.equal(204);
    const restored = await change('/organisations/newco/members', { userId: 'nell', role: 'partner_user' }, 201, schemas.memberOutcomeResponse);
    expect(restored.member).to.include({ userId: 'nell', role: 'partner_user' });
    expectCode(await ops.post('/organisations/newco/members', { userId: 'nell', role: 'partner_user', reason }), 409, 'already_member');
    expectCode(await ops.post('/organisations/newco/members', { userId: 'olga', role: 'partner_user', reason }), 409, 'member_of_another_organisation');
    const seenByAdmin = expectAnswer(await nia.get('/audit-events?limit=2'), 200, schemas.auditEventsResponse).items;
    expect(seenByAdmin.map((e) => [e.action, e.actorKind, e.actorUserId, e.reason, e.targetUserId])).to.deep.equal([
      ['member.restored', 'support_operator', scenarioOperator, reason, 'nell'],
      ['member.removed', 'partner_member', 'nia', null, 'nell'],
    ]);

    // 7. Last-admin recovery: nia, the only partner_admin, can no longer act; support grants noah.
    expect(expectAnswer(await viewer.get(`/organisations/newco?reason=${encodeURIComponent(reason)}`), 200, schemas.inspectionResponse).adminCount).to.equal(1);
    const granted = await change('/organisations/newco/admins', { userId: 'noah' }, 200, schemas.memberOutcomeResponse);
    expect(granted.member).to.include({ userId: 'noah', role: 'partner_admin' });
    expectCode(await ops.post('/organisations/newco/admins', { userId: 'noah', reason }), 409, 'already_partner_admin');
    expectCode(await ops.post('/organisations/newco/admins', { userId: 'omar', reason }), 404, 'member_not_found');
    const noah = await partner('noah');
    expect((await noah.delete('/members/nia')).status).to.equal(204);
    // The partner surface still never lets the last partner_admin go.
    const nell = await partner('nell');
    expectCode(await nell.patch('/members/noah', { role: 'partner_user' }), 409, 'last_admin');
    expectCode(await nell.delete('/members/noah'), 409, 'last_admin');
    expectCode(await noah.patch('/members/noah', { role: 'partner_user' }), 403, 'self_role_change_forbidden');
    const inspected = expectAnswer(await viewer.get(`/organisations/newco?reason=${encodeURIComponent(reason)}`), 200, schemas.inspectionResponse);
    expect(inspected.adminCount).to.equal(1);
    expect(inspected.members.items.map((m) => [m.userId, m.role])).to.deep.equal([
      ['noah', 'partner_admin'],
      ['nell', 'partner_user'],
    ]);

    // 8. A planted cross-organisation assignment: found by the report, removed by the repair.
    await target.plantAssignment('newco', 'omar', 'c-fab');
    expectCode(await noah.get('/members/omar/clients'), 404, 'member_not_found');
    const report = expectAnswer(await viewer.get(`/organisations/newco/assignments/broken?reason=${encodeURIComponent(reason)}`), 200, schemas.brokenAssignmentsResponse);
    expect(report.items).to.deep.equal([{ userId: 'omar', clientId: 'c-fab', name: 'c-fab', memberOf: 'otherco' }]);
    const repaired = await change('/organisations/newco/assignments/repair', {}, 200, schemas.repairedResponse);
    expect(repaired.removed).to.deep.equal([{ userId: 'omar', clientId: 'c-fab', name: 'c-fab' }]);
    expect(expectAnswer(await viewer.get(`/organisations/newco/assignments/broken?reason=${encodeURIComponent(reason)}`), 200, schemas.brokenAssignmentsResponse).items).to.deep.equal([]);
    expect(expectAnswer(await ops.post('/organisations/newco/assignments/repair', { reason }), 200, schemas.repairedResponse).removed).to.deep.equal([]);
    // Noah's own assignments survived the repair.
    expect(expectAnswer(await noah.get('/members/noah/clients'), 200, schemas.clientsResponse).items).to.have.length(2);

    // 9. The audit log across both organisations, page by page; each partner admin sees only their own.
    let searchRequests = 0;
    const search = async (query: string): Promise<z.output<typeof schemas.auditSearchResponse>['items']> => {
      const items: z.output<typeof schemas.auditSearchResponse>['items'] = [];
      let cursor = '';
      for (let pages = 0; pages < 100; pages += 1) {
        searchRequests += 1;
        const page = expectAnswer(await viewer.get(`/audit-events?reason=${encodeURIComponent(reason)}&limit=3&${query}${cursor === '' ? '' : `&cursor=${cursor}`}`), 200, schemas.auditSearchResponse);
        items.push(...page.items);
        if (page.nextCursor === null) return items;
        cursor = page.nextCursor;
      }
      return expect.fail('the search did not end');
    };
    const provisions = await search('action=organisation.provisioned&actorUserId=op-scenario');
    expect(provisions.map((e) => e.organisationId)).to.deep.equal(['otherco', 'newco']);
    const bySupport = await search(`actorUserId=${scenarioOperator}`);
    const organisationsSeen = new Set(bySupport.map((e) => e.organisationId));
    expect([...organisationsSeen].sort((a, b) => String(a).localeCompare(String(b)))).to.deep.equal(['newco', 'otherco', null].sort((a, b) => String(a).localeCompare(String(b))));
    const newcoBySupport = await search(`actorUserId=${scenarioOperator}&organisationId=newco`);
    expect(newcoBySupport, 'one event per successful support change of NewCo').to.have.length(newcoChanges);
    expect(newcoBySupport.every((e) => e.reason === reason && e.actorKind === 'support_operator')).to.equal(true);
    const times = bySupport.map((e) => e.at);
    expect([...times].sort().reverse()).to.deep.equal(times);
    const byPartner = await search('organisationId=newco&actorUserId=nia');
    expect(byPartner.map((e) => e.action)).to.deep.equal(['member.removed']);
    const directory = await search('unscoped=true&action=users.upserted');
    expect(directory.filter((e) => e.actorUserId === scenarioOperator).map((e) => e.after?.users?.length)).to.deep.equal([5]);
    // Each search request is audited (after it answered, so a paged search never sees its own).
    const requestsBefore = searchRequests;
    const searches = await search('unscoped=true&action=audit.searched&actorUserId=op-viewer');
    expect(searches).to.have.length(requestsBefore);
    const olga = await partner('olga');
    const othercoSeen = expectAnswer(await olga.get('/audit-events?limit=100'), 200, schemas.auditEventsResponse).items;
    expect(othercoSeen.map((e) => e.action).sort()).to.deep.equal(['members.imported', 'organisation.bootstrapped', 'organisation.provisioned']);

    // The viewer reads but never changes.
    expectCode(await viewer.post('/organisations/newco/status', { status: 'suspended', reason }), 403, 'forbidden');
    for (const session of sessions) expect(session.errors, 'console errors on the page').to.deep.equal([]);
  } finally {
    await Promise.all(sessions.map((s) => s.context.close()));
  }
}
