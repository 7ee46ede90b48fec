import { StoreUnavailableError } from '@partner-team/core';
import { problemTypes, type ProblemCode } from '@partner-team/express';
import * as schemas from '@partner-team/express/schemas';
import { expect } from 'chai';
import type { z } from 'zod';
import type { Persistence } from './persistence.js';
import { documentedProblemCodes, OpenApiAnswers } from './test-support/openapi-answers.js';
import { apiAnswerLog, Client, TestServer, type Answer, savesAlwaysConflict } from './test-support/test-server.js';

const day = 24 * 60 * 60 * 1000;
const seen = new Set<ProblemCode>();

function expectProblem(answer: Answer, code: ProblemCode): void {
  expect(answer.status, answer.text).to.equal(problemTypes[code].status);
  expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
  const body = schemas.problemResponse.parse(answer.body);
  expect(body.code).to.equal(code);
  expect(body.status).to.equal(answer.status);
  expect(body.requestId).to.be.a('string').and.not.equal('');
  expect(answer.text).not.to.match(/\bat .+\.js:\d+|stack/i);
  if (answer.status === 401) expect(answer.headers.get('www-authenticate'), 'WWW-Authenticate on a 401').to.match(/^Bearer realm="partner-team"$/);
  if (answer.status === 429 || answer.status === 503) expect(Number(answer.headers.get('retry-after')), 'Retry-After').to.be.within(1, 60);
  seen.add(code);
}

function expectBody<S extends z.ZodType>(answer: Answer, status: number, schema: S): z.output<S> {
  expect(answer.status, answer.text).to.equal(status);
  expect(answer.headers.get('content-type')).to.match(/^application\/json/);
  return schema.parse(answer.body);
}

describe('HTTP API: every endpoint and every error code, against a started server', function () {
  let server: TestServer;

  before(async function () {
    apiAnswerLog.enabled = true;
    apiAnswerLog.answers.length = 0;
    server = await TestServer.start();
  });
  after(async function () {
    apiAnswerLog.enabled = false;
    apiAnswerLog.answers.length = 0;
    await server.close();
  });
  beforeEach(async function () {
    await server.reset();
    server.clock.set('2026-01-15T09:00:00.000Z');
  });

  describe('success paths', function () {
    it('GET /healthz and /readyz answer outside authentication', async function () {
      expectBody(await server.anonymous().get('/healthz'), 200, schemas.healthResponse);
      expectBody(await server.anonymous().get('/readyz'), 200, schemas.healthResponse);
      expectBody(await server.root().get('/healthz'), 200, schemas.healthResponse);
    });

    it('GET /me returns the member context and a CSRF token bound to the session', async function () {
      const ada = await server.signIn('ada');
      const me = expectBody(await ada.get('/me'), 200, schemas.meResponse);
      expect(me.user).to.deep.equal({ id: 'ada', name: 'Ada Lovelace', email: 'ada@acme.example' });
      expect(me.organisation).to.deep.equal({ id: 'acme', name: 'Acme', status: 'active', bootstrapped: true, invitationsEnabled: true });
      expect(me.role).to.equal('partner_admin');
      expect(me.permissions).to.include('members.remove');
      const again = await server.signIn('ada');
      expect(again.csrfToken).not.to.equal(me.csrfToken);
    });

    it('GET /members searches, sorts and pages, with least privilege for partner_users', async function () {
      const ada = await server.signIn('ada');
      const first = expectBody(await ada.get('/members?sort=email&order=desc&limit=2'), 200, schemas.membersResponse);
      expect(first.total).to.equal(6);
      expect(first.items.map((m) => m.userId)).to.deep.equal(['rex', 'dee']);
      expect(first.items[0]).to.have.keys(['userId', 'name', 'email', 'role', 'mfaEnabled', 'lastActiveAt']);
      const second = expectBody(await ada.get(`/members?sort=email&order=desc&limit=2&cursor=${first.nextCursor ?? ''}`), 200, schemas.membersResponse);
      expect(second.items.map((m) => m.userId)).to.deep.equal(['dan', 'cy']);
      const search = expectBody(await ada.get('/members?q=TURING'), 200, schemas.membersResponse);
      expect(search.items.map((m) => m.userId)).to.deep.equal(['dee']);
      const cy = await server.signIn('cy');
      const asUser = expectBody(await cy.get('/members'), 200, schemas.membersResponse);
      expect(asUser.items.map((m) => m.userId)).to.have.members(['ada', 'bob', 'cy', 'dan', 'dee', 'rex']);
      for (const item of asUser.items) expect(item).to.have.keys(['userId', 'name', 'email', 'role']);
      const byActivity = expectBody(await ada.get('/members?sort=lastActiveAt'), 200, schemas.membersResponse);
      expect(byActivity.items[0]).to.include({ userId: 'bob', lastActiveAt: null });
    });

    it('GET /members/:userId/clients lists assigned clients', async function () {
      const cy = await server.signIn('cy');
      const clients = expectBody(await cy.get('/members/cy/clients'), 200, schemas.clientsResponse);
      expect(clients.items).to.deep.equal([
        { clientId: 'c-cont', name: 'Contoso' },
        { clientId: 'c-north', name: 'Northwind' },
      ]);
      const ada = await server.signIn('ada');
      expect(expectBody(await ada.get('/members/dee/clients'), 200, schemas.clientsResponse).items).to.deep.equal([{ clientId: 'c-fab', name: 'Fabrikam' }]);
    });

    it('PATCH /members/:userId changes a role and answers the member', async function () {
      const ada = await server.signIn('ada');
      const member = expectBody(await ada.patch('/members/cy', { role: 'partner_admin' }), 200, schemas.memberResponse);
      expect(member).to.include({ userId: 'cy', role: 'partner_admin' });
      expect((await server.store.memberships.findByUser('cy'))?.membership.role).to.equal('partner_admin');
    });

    it('DELETE /members/:userId removes a member', async function () {
      const ada = await server.signIn('ada');
      const answer = await ada.delete('/members/dee');
      expect(answer.status).to.equal(204);
      expect(answer.text).to.equal('');
      expect(await server.store.memberships.findByUser('dee')).to.equal(undefined);
    });

    it('POST /invitations creates an invitation without its token; GET lists it; DELETE revokes it', async function () {
      const ada = await server.signIn('ada');
      const created = await ada.post('/invitations', { email: 'New.Person@Example.test', role: 'partner_admin' });
      const invitation = expectBody(created, 201, schemas.issuedInvitationResponse);
      expect(invitation).to.include({ email: 'new.person@example.test', role: 'partner_admin', invitedBy: 'ada' });
      expect(created.headers.get('location')).to.equal(`invitations/${invitation.id}`);
      const token = server.notifier.tokenFor('new.person@example.test');
      expect(token, 'the delivered invitation token').to.be.a('string').and.not.equal('');
      expect(created.text).not.to.include(token);
      const listed = expectBody(await ada.get('/invitations'), 200, schemas.invitationsResponse);
      expect(listed.items.map((i) => i.email)).to.include('new.person@example.test');
      expect(JSON.stringify(listed)).not.to.include(token);
      expect((await ada.delete(`/invitations/${invitation.id}`)).status).to.equal(204);
      expect(expectBody(await ada.get('/invitations'), 200, schemas.invitationsResponse).items.map((i) => i.id)).not.to.include(invitation.id);
    });

    it('POST /invitations/:id/resend sends a fresh link: the old token dies, the new one admits, the expiry is renewed', async function () {
      const ada = await server.signIn('ada');
      const invitation = expectBody(await ada.post('/invitations', { email: 'again@example.test', role: 'partner_user' }), 201, schemas.issuedInvitationResponse);
      const first = server.notifier.tokenFor('again@example.test');
      server.clock.advance(2 * day);
      const resent = expectBody(await ada.post(`/invitations/${invitation.id}/resend`), 200, schemas.issuedInvitationResponse);
      expect(resent).to.deep.equal({ ...invitation, expiresAt: new Date(server.clock.now().getTime() + 7 * day).toISOString() });
      const second = server.notifier.tokenFor('again@example.test');
      expect(second).to.be.a('string').and.not.equal(first);
      expect(JSON.stringify(resent)).not.to.include(second);
      const audit = expectBody(await ada.get('/audit-events?limit=1'), 200, schemas.auditEventsResponse);
      expect(audit.items[0]).to.include({ action: 'invitation.resent', actorUserId: 'ada', invitationId: invitation.id });
      server.store.putUser({ id: 'again', name: 'Again', email: 'again@example.test', mfaEnabled: false, lastActiveAt: null });
      const again = await server.signIn('again');
      expectProblem(await again.post('/invitations/accept', { token: first }), 'invitation_not_found');
      expectBody(await again.post('/invitations/accept', { token: second }), 200, schemas.acceptInvitationResponse);
    });

    it('POST /invitations/accept admits the invitee', async function () {
      const newbie = await server.signIn('newbie');
      const joined = expectBody(await newbie.post('/invitations/accept', { token: server.seedTokens[0] }), 200, schemas.acceptInvitationResponse);
      expect(joined).to.deep.equal({ organisation: { id: 'acme', name: 'Acme' }, role: 'partner_user' });
      expect(expectBody(await newbie.get('/me'), 200, schemas.meResponse).role).to.equal('partner_user');
    });

    it('GET /audit-events pages the organisation’s events newest first', async function () {
      const ada = await server.signIn('ada');
      await ada.patch('/members/cy', { role: 'partner_admin' }, { headers: { 'x-request-id': 'req-role' } });
      await ada.delete('/members/dee');
      const page = expectBody(await ada.get('/audit-events?limit=1'), 200, schemas.auditEventsResponse);
      expect(page.items.map((e) => e.action)).to.deep.equal(['member.removed']);
      const next = expectBody(await ada.get(`/audit-events?limit=1&cursor=${page.nextCursor ?? ''}`), 200, schemas.auditEventsResponse);
      expect(next.items[0]).to.include({ action: 'member.role_changed', actorUserId: 'ada', targetUserId: 'cy', requestId: 'req-role' });
      expect(next.items[0]?.before).to.deep.equal({ role: 'partner_user' });
      expect(next.items[0]?.after).to.deep.equal({ role: 'partner_admin' });
    });

    it('GET /openapi.json serves the OpenAPI 3.1 document', async function () {
      const answer = await server.anonymous().get('/openapi.json');
      expect(answer.status).to.equal(200);
      expect((answer.body as { openapi: string }).openapi).to.equal('3.1.0');
    });
  });

  describe('error codes', function () {
    it('validation_failed, unauthenticated, csrf_failed, route_not_found', async function () {
      const ada = await server.signIn('ada');
      expectProblem(await ada.get('/members?limit=0'), 'validation_failed');
      expectProblem(await server.anonymous().get('/me'), 'unauthenticated');
      expectProblem(await ada.patch('/members/cy', { role: 'partner_admin' }, { csrf: false }), 'csrf_failed');
      const other = await server.signIn('ada');
      expectProblem(await ada.patch('/members/cy', { role: 'partner_admin' }, { headers: { 'x-csrf-token': other.csrfToken! } }), 'csrf_failed');
      expectProblem(await ada.get('/nothing-here'), 'route_not_found');
      expect((await server.store.memberships.findByUser('cy'))?.membership.role).to.equal('partner_user');
    });

    it('unauthenticated for sessions without the configured issuer and audience', async function () {
      const portal = await TestServer.start({ env: { SESSION_ISSUER: 'https://portal.example', SESSION_AUDIENCE: 'partner-team' } });
      try {
        // The test harness signs tokens without iss/aud: refused.
        expectProblem(await (await portal.signIn('ada')).get('/me'), 'unauthenticated');
        // The server's own sign-in issues them with the configured claims: accepted.
        const signIn = await portal.root().post('/demo/sign-in', { userId: 'ada' });
        expect(signIn.status).to.equal(200);
        const cookie = /partner_session=([^;]+)/.exec(signIn.headers.get('set-cookie') ?? '')?.[1];
        const claims = JSON.parse(Buffer.from(cookie?.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
        expect(claims).to.include({ iss: 'https://portal.example', aud: 'partner-team', sub: 'ada' });
        const me = await new Client(`${portal.baseUrl}/api/partner-team`, cookie, undefined).get('/me');
        expect(me.status).to.equal(200);
      } finally {
        await portal.close();
      }
    });

    it('not_a_partner_member, with a CSRF token so that invitations can still be accepted', async function () {
      const gus = await server.signIn('gus');
      const me = await gus.get('/me');
      expectProblem(me, 'not_a_partner_member');
      expect((me.body as { csrfToken?: string }).csrfToken).to.equal(gus.csrfToken).and.be.a('string');
      expectProblem(await gus.get('/members'), 'not_a_partner_member');
    });

    it('partner_bootstrap_incomplete, organisation_not_active, forbidden', async function () {
      expectProblem(await (await server.signIn('pat')).get('/members'), 'partner_bootstrap_incomplete');
      expectProblem(await (await server.signIn('sam')).delete('/members/sue'), 'organisation_not_active');
      expectProblem(await (await server.signIn('cy')).get('/invitations'), 'forbidden');
    });

    it('self_role_change_forbidden, self_removal_forbidden, member_not_found, last_admin', async function () {
      const ada = await server.signIn('ada');
      expectProblem(await ada.patch('/members/ada', { role: 'partner_user' }), 'self_role_change_forbidden');
      expectProblem(await ada.delete('/members/ada'), 'self_removal_forbidden');
      expectProblem(await ada.delete('/members/fay'), 'member_not_found');
      const fay = await server.signIn('fay');
      expectProblem(await fay.patch('/members/eve', { role: 'partner_user' }), 'last_admin');
    });

    it('too_many_pending_invitations', async function () {
      const ada = await server.signIn('ada');
      for (let n = 0; n < 199; n += 1) expect((await ada.post('/invitations', { email: `p${n}@example.test`, role: 'partner_user' })).status).to.equal(201);
      expectProblem(await ada.post('/invitations', { email: 'one-more@example.test', role: 'partner_user' }), 'too_many_pending_invitations');
    });

    it('invitations_disabled, invitation_pending, already_member, invitation_not_found', async function () {
      expectProblem(await (await server.signIn('oli')).post('/invitations', { email: 'a@b.example', role: 'partner_user' }), 'invitations_disabled');
      const ada = await server.signIn('ada');
      expectProblem(await ada.post('/invitations', { email: 'newbie@outside.example', role: 'partner_user' }), 'invitation_pending');
      expectProblem(await ada.post('/invitations', { email: 'cy@acme.example', role: 'partner_user' }), 'already_member');
      expectProblem(await ada.delete('/invitations/seed-inv-2'), 'invitation_not_found');
    });

    it('invitation_email_mismatch, member_of_another_organisation, invitation_expired', async function () {
      expectProblem(await (await server.signIn('gus')).post('/invitations/accept', { token: server.seedTokens[0] }), 'invitation_email_mismatch');
      const ada = await server.signIn('ada');
      await ada.post('/invitations', { email: 'fay@globex.example', role: 'partner_user' });
      expectProblem(await (await server.signIn('fay')).post('/invitations/accept', { token: server.notifier.tokenFor('fay@globex.example') }), 'member_of_another_organisation');
      server.clock.advance(8 * day);
      expectProblem(await (await server.signIn('newbie')).post('/invitations/accept', { token: server.seedTokens[0] }), 'invitation_expired');
    });

    it('invitation_not_found and invitation_expired on resend, which takes no body', async function () {
      const ada = await server.signIn('ada');
      const delivered = server.notifier.delivered.length;
      expectProblem(await ada.post('/invitations/seed-inv-2/resend'), 'invitation_not_found');
      expectProblem(await ada.post('/invitations/seed-inv-1/resend', { anything: true }), 'validation_failed');
      server.clock.advance(8 * day);
      expectProblem(await ada.post('/invitations/seed-inv-1/resend'), 'invitation_expired');
      expect(server.notifier.delivered.length, 'nothing delivered').to.equal(delivered);
    });

    it('unavailable with an unknown outcome: 503, Retry-After, "may have been applied"; the admin recovers by resending', async function () {
      let loseReply = true;
      const lossy = await TestServer.start({
        wrap: (p): Persistence => ({
          ...p,
          organisations: {
            loadForMember: (userId, teammates) => p.organisations.loadForMember(userId, teammates),
            load: (id, users) => p.organisations.load(id, users),
            findByInvitationTokenHash: (hash) => p.organisations.findByInvitationTokenHash(hash),
            // The commit lands, then its answer (and the check whether it landed) is lost.
            save: async (change, version) => {
              await p.organisations.save(change, version);
              if (loseReply) throw new StoreUnavailableError('The MongoDB store is unavailable', { outcome: 'unknown' });
            },
          },
        }),
      });
      try {
        const ada = await lossy.signIn('ada');
        const lost = await ada.post('/invitations', { email: 'lost@example.test', role: 'partner_user' });
        expectProblem(lost, 'unavailable');
        expect((lost.body as { detail?: string }).detail).to.match(/may have been applied/).and.match(/reload/i);
        expect(Number(lost.headers.get('retry-after'))).to.be.within(1, 60);
        expect(lossy.notifier.delivered, 'no link was delivered').to.deep.equal([]);
        loseReply = false;
        expectProblem(await ada.post('/invitations', { email: 'lost@example.test', role: 'partner_user' }), 'invitation_pending');
        const pending = expectBody(await ada.get('/invitations'), 200, schemas.invitationsResponse).items.find((i) => i.email === 'lost@example.test');
        expect(pending, 'the invitation exists').not.to.equal(undefined);
        expectBody(await ada.post(`/invitations/${pending?.id ?? ''}/resend`), 200, schemas.issuedInvitationResponse);
        const token = lossy.notifier.tokenFor('lost@example.test');
        expect(token).to.be.a('string');
        lossy.store.putUser({ id: 'lost', name: 'Lost', email: 'lost@example.test', mfaEnabled: false, lastActiveAt: null });
        expectBody(await (await lossy.signIn('lost')).post('/invitations/accept', { token }), 200, schemas.acceptInvitationResponse);
        // A plain outage (nothing attempted) keeps the plain answer, with Retry-After too.
        const down = await TestServer.start({ wrap: (p): Persistence => ({ ...p, memberships: { findByUser: () => Promise.reject(new StoreUnavailableError()) } }) });
        try {
          const plain = await (await down.signIn('ada')).get('/members');
          expectProblem(plain, 'unavailable');
          expect((plain.body as { detail?: string }).detail ?? '').not.to.match(/may have been applied/);
          expect(Number(plain.headers.get('retry-after'))).to.be.within(1, 60);
        } finally {
          await down.close();
        }
      } finally {
        await lossy.close();
      }
    });

    it('accepting after the organisation changed, or a second time; revoking an expired invitation; removing the last admin', async function () {
      const amend = async (profile: Partial<{ status: 'active' | 'suspended'; bootstrapped: boolean; invitationsEnabled: boolean }>) => {
        const current = await server.store.organisations.load('acme');
        if (current === undefined) throw new Error('no acme');
        const change = { organisationId: 'acme', upsertedMembers: [], removedMembers: [], upsertedInvitations: [], removedInvitations: [], events: [] };
        await server.store.organisations.save({ ...change, profile: { ...current.profile, ...profile } }, current.version);
      };
      const newbie = await server.signIn('newbie');
      const accept = () => newbie.post('/invitations/accept', { token: server.seedTokens[0] });
      await amend({ invitationsEnabled: false });
      expectProblem(await accept(), 'invitations_disabled');
      await amend({ invitationsEnabled: true, status: 'suspended' });
      expectProblem(await accept(), 'organisation_not_active');
      await amend({ status: 'active', bootstrapped: false });
      expectProblem(await accept(), 'partner_bootstrap_incomplete');
      await amend({ bootstrapped: true });
      expect((await accept()).status).to.equal(200);
      expectProblem(await accept(), 'already_member');

      expectProblem(await (await server.signIn('fay')).delete('/members/eve'), 'last_admin');
      const ada = await server.signIn('ada');
      const invitation = expectBody(await ada.post('/invitations', { email: 'late@example.test', role: 'partner_user' }), 201, schemas.issuedInvitationResponse);
      server.clock.advance(8 * day);
      expectProblem(await ada.delete(`/invitations/${invitation.id}`), 'invitation_expired');
    });

    it('payload_too_large, unsupported_media_type', async function () {
      const ada = await server.signIn('ada');
      expectProblem(await ada.post('/invitations', { email: `${'x'.repeat(20_000)}@example.test`, role: 'partner_user' }), 'payload_too_large');
      expectProblem(await ada.post('/invitations', undefined, { raw: 'email=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 'unsupported_media_type');
    });

    it('rate_limited, with Retry-After', async function () {
      const limited = await TestServer.start({ mutationsPerMinute: 2 });
      try {
        const ada = await limited.signIn('ada');
        expect((await ada.patch('/members/cy', { role: 'partner_admin' })).status).to.equal(200);
        expect((await ada.patch('/members/cy', { role: 'partner_user' })).status).to.equal(200);
        const third = await ada.patch('/members/cy', { role: 'partner_admin' });
        expectProblem(third, 'rate_limited');
        expect(Number(third.headers.get('retry-after'))).to.be.within(1, 60);
        expect((await limited.store.memberships.findByUser('cy'))?.membership.role).to.equal('partner_user');
      } finally {
        await limited.close();
      }
    });

    it('concurrency_conflict when the store keeps moving under a mutation', async function () {
      const conflicted = await TestServer.start({ wrap: savesAlwaysConflict });
      try {
        expectProblem(await (await conflicted.signIn('ada')).patch('/members/cy', { role: 'partner_admin' }), 'concurrency_conflict');
      } finally {
        await conflicted.close();
      }
    });

    it('internal without detail or stack, and unavailable when the store is down', async function () {
      let failure: Error = new Error('boom: connection string mongodb://secret@host');
      const failing = await TestServer.start({
        wrap: (p): Persistence => ({ ...p, memberships: { findByUser: () => Promise.reject(failure) } }),
      });
      try {
        const ada = await failing.signIn('ada');
        const internal = await ada.get('/members');
        expectProblem(internal, 'internal');
        expect(internal.body).not.to.have.property('detail');
        expect(internal.text).not.to.include('secret').and.not.to.include('boom');
        expect(failing.logger.lines.some((l) => l.level === 'error' && l.message === 'unexpected error')).to.equal(true);
        failure = new StoreUnavailableError();
        expectProblem(await ada.get('/members'), 'unavailable');
        failing.persistence.readyAnswer = false;
        expect((await failing.anonymous().get('/readyz')).status).to.equal(503);
      } finally {
        await failing.close();
      }
    });

    it('has answered every code the served OpenAPI document lists for the partner API, and only those', async function () {
      const documented = documentedProblemCodes((await server.anonymous().get('/openapi.json')).body);
      for (const code of documented) expect(code in problemTypes, code).to.equal(true);
      expect([...seen].sort()).to.deep.equal([...documented].sort());
    });
  });

  describe('every operation, as every kind of caller, and when the store fails', function () {
    // A valid request of each operation (path, body) by the admin ada, so that each refusal below
    // comes from the caller or the store, not from the input.
    const valid: Record<string, { path: string; body?: unknown }> = {
      'GET /healthz': { path: '/healthz' },
      'GET /readyz': { path: '/readyz' },
      'GET /openapi.json': { path: '/openapi.json' },
      'GET /me': { path: '/me' },
      'GET /members': { path: '/members' },
      'GET /members/{userId}/clients': { path: '/members/dee/clients' },
      'PATCH /members/{userId}': { path: '/members/dee', body: { role: 'partner_admin' } },
      'DELETE /members/{userId}': { path: '/members/dee' },
      'GET /invitations': { path: '/invitations' },
      'POST /invitations': { path: '/invitations', body: { email: 'sweep@example.test', role: 'partner_user' } },
      'POST /invitations/accept': { path: '/invitations/accept', body: { token: 'seed-invitation-token-0001' } },
      'DELETE /invitations/{invitationId}': { path: '/invitations/seed-inv-1' },
      'POST /invitations/{invitationId}/resend': { path: '/invitations/seed-inv-1/resend' },
      'GET /audit-events': { path: '/audit-events' },
    };
    const send = (client: Client, operation: string, extra: { query?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}) => {
      const [method = 'GET'] = operation.split(' ');
      const request = valid[operation];
      if (request === undefined) throw new Error(`no valid request for ${operation}`);
      const body = 'body' in extra ? extra.body : request.body;
      return client.request(method, `${request.path}${extra.query ?? ''}`, {
        ...(body === undefined ? {} : { body }),
        ...(extra.raw === undefined ? {} : { raw: extra.raw }),
        ...(extra.headers === undefined ? {} : { headers: extra.headers }),
      });
    };
    const operations = Object.keys(valid);
    const mutation = (operation: string) => !operation.startsWith('GET ');
    const takesBody = (operation: string) => valid[operation]?.body !== undefined;
    /** A client whose CSRF token is computed, for servers whose GET /me cannot answer. */
    const signedIn = (s: TestServer, userId: string): Client => {
      const client = new Client(`${s.baseUrl}/api/partner-team`, s.sessions.issue({ userId, sessionId: `sweep-${userId}-session` }, 3600), undefined);
      client.csrfToken = s.csrf.tokenFor(`sweep-${userId}-session`);
      return client;
    };

    it('answers each operation for each kind of caller', async function () {
      for (const operation of operations) {
        for (const userId of [undefined, 'ada', 'cy', 'gus', 'pat', 'sam', 'oli', 'newbie', 'fay']) {
          await server.reset();
          const client = userId === undefined ? server.anonymous() : signedIn(server, userId);
          const answer = await send(client, operation);
          expect(answer.status, `${operation} as ${userId ?? 'anonymous'}`).to.be.below(500);
          if (mutation(operation) && userId !== undefined) expectProblem(await send(client, operation, { headers: { 'x-csrf-token': 'x'.repeat(43) } }), 'csrf_failed');
        }
        await server.reset();
        const ada = signedIn(server, operation === 'POST /invitations/accept' ? 'newbie' : 'ada');
        expectProblem(await send(ada, operation, { query: '?unknown=1' }), 'validation_failed');
        if (takesBody(operation)) {
          expectProblem(await send(ada, operation, { body: { padding: 'x'.repeat(20_000) } }), 'payload_too_large');
          expectProblem(await send(ada, operation, { raw: 'role=partner_admin', headers: { 'content-type': 'text/plain' } }), 'unsupported_media_type');
        }
      }
      const cy = signedIn(server, 'cy');
      expectProblem(await cy.get('/members?sort=lastActiveAt'), 'forbidden');
    });

    it('answers every store-backed operation 503 with Retry-After when the store is down, and each mutation 429 past the rate limit', async function () {
      const down = await TestServer.start({
        wrap: (p): Persistence => {
          const unavailable = () => Promise.reject(new StoreUnavailableError());
          const failing = <T extends object>(port: T): T => new Proxy(port, { get: () => unavailable });
          return { ...p, organisations: failing(p.organisations), memberships: failing(p.memberships), roster: failing(p.roster), auditLog: failing(p.auditLog), users: failing(p.users), clients: failing(p.clients), ready: () => Promise.resolve(false) };
        },
      });
      const limited = await TestServer.start({ mutationsPerMinute: 1 });
      try {
        for (const operation of operations) {
          const answer = await send(signedIn(down, operation === 'POST /invitations/accept' ? 'newbie' : 'ada'), operation);
          if (['GET /healthz', 'GET /openapi.json'].includes(operation)) expect(answer.status, operation).to.equal(200);
          else expectProblem(answer, 'unavailable');
          if (!mutation(operation)) continue;
          const client = signedIn(limited, operation === 'POST /invitations/accept' ? 'newbie' : 'ada');
          await send(client, operation, { query: '?spend=the-one-allowed-change' });
          expectProblem(await send(client, operation), 'rate_limited');
        }
      } finally {
        await down.close();
        await limited.close();
      }
    });

    it('answers each mutation 409 concurrency_conflict when every save meets a newer version', async function () {
      const conflicted = await TestServer.start({ wrap: savesAlwaysConflict });
      try {
        for (const operation of operations.filter(mutation)) {
          expectProblem(await send(signedIn(conflicted, operation === 'POST /invitations/accept' ? 'newbie' : 'ada'), operation), 'concurrency_conflict');
        }
      } finally {
        await conflicted.close();
      }
    });
  });

  describe('the served OpenAPI document', function () {
    let documented: OpenApiAnswers;

    before(async function () {
      documented = new OpenApiAnswers((await server.anonymous().get('/openapi.json')).body as ConstructorParameters<typeof OpenApiAnswers>[0]);
    });

    it('describes every answer given above exactly: status, content type, body schema, required headers', function () {
      const answers = apiAnswerLog.answers.filter((a) => documented.operationOf(a.method, a.path) !== undefined);
      expect(answers.length).to.be.above(500);
      // Every kind of mismatch, once (the first line of each assertion).
      const mismatches = new Set<string>();
      for (const answer of answers) {
        try {
          documented.check(answer);
        } catch (error: unknown) {
          mismatches.add((error instanceof Error ? error.message : String(error)).split('\n', 1)[0] ?? '');
        }
      }
      expect([...mismatches].sort()).to.deep.equal([]);
      expect(documented.checked).to.equal(answers.length);
      // Only requests to paths the API does not have were left out.
      for (const answer of apiAnswerLog.answers.filter((a) => documented.operationOf(a.method, a.path) === undefined)) {
        expect((answer.body as { code?: string }).code, `${answer.method} ${answer.path}`).to.equal('route_not_found');
      }
    });

    it('lists in each problem response exactly the codes that operation answered (internal aside: any operation may fail)', function () {
      const listed = [...documented.documentedPairs()].filter((pair) => !pair.endsWith(' internal')).sort();
      const answered = [...documented.problemPairs].filter((pair) => !pair.endsWith(' internal')).sort();
      expect(answered.filter((pair) => !listed.includes(pair)), 'answered but not listed').to.deep.equal([]);
      expect(listed.filter((pair) => !answered.includes(pair)), 'listed but never answered').to.deep.equal([]);
    });
  });
});
