import { JwtOperatorAuthenticator, problemTypes, type ProblemCode } from '@partner-team/express';
import * as schemas from '@partner-team/express/schemas';
import { expect } from 'chai';
import type { Persistence } from './persistence.js';
import { documentedProblemCodes } from './test-support/openapi-answers.js';
import { expectAnswer } from './test-support/operations-scenario.js';
import { Client, TestServer, testOperationsAudience, testOperationsSecret, type Answer, savesAlwaysConflict } from './test-support/test-server.js';

const seen = new Set<ProblemCode>();
const reason = 'ticket 77: endpoint checks';
const q = `reason=${encodeURIComponent(reason)}`;

function expectProblem(answer: Answer, code: ProblemCode): void {
  expect(answer.status, answer.text).to.equal(problemTypes[code].status);
  expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
  const body = schemas.problemResponse.parse(answer.body);
  expect(body.code).to.equal(code);
  expect(body.requestId).to.be.a('string').and.not.equal('');
  expect(answer.text).not.to.match(/\bat .+\.js:\d+|stack/i);
  seen.add(code);
}

describe('operations API: every endpoint and every error code, against a started server', function () {
  this.timeout(60_000);
  let server: TestServer;
  let ops: Client;

  before(async function () {
    server = await TestServer.start();
  });
  after(async function () {
    await server.close();
  });
  beforeEach(async function () {
    await server.reset();
    ops = await server.operator();
  });

  describe('answers', function () {
    it('GET /me names the operator and role; a bearer credential needs no CSRF token', async function () {
      expect(expectAnswer(await ops.get('/me'), 200, schemas.operatorResponse)).to.deep.equal({ operatorId: 'op-jane', role: 'support_operator', csrfToken: null });
      const viewer = await server.operator('op-vic', 'support_viewer', 'operator-cookie');
      const me = expectAnswer(await viewer.get('/me'), 200, schemas.operatorResponse);
      expect(me.role).to.equal('support_viewer');
      expect(me.csrfToken).to.be.a('string');
    });

    it('every change answers its documented shape and records one event naming the operator and reason', async function () {
      const posted: [string, unknown, number, Parameters<typeof expectAnswer>[2]][] = [
        ['/organisations', { organisationId: 'fresh', name: 'Fresh', invitationsEnabled: false, reason }, 201, schemas.provisionedResponse],
        ['/organisations/pen/bootstrap', { userId: 'pat', reason }, 200, schemas.bootstrappedResponse],
        ['/organisations/acme/status', { status: 'suspended', reason }, 200, schemas.organisationOutcomeResponse],
        ['/organisations/acme/status', { status: 'active', reason }, 200, schemas.organisationOutcomeResponse],
        ['/organisations/acme/invitations-switch', { enabled: false, reason }, 200, schemas.organisationOutcomeResponse],
        ['/organisations/acme/admins', { userId: 'cy', reason }, 200, schemas.memberOutcomeResponse],
        ['/organisations/acme/members', { userId: 'gus', role: 'partner_user', reason }, 201, schemas.memberOutcomeResponse],
        ['/organisations/globex/members/import', { members: [{ userId: 'newbie', role: 'partner_user' }], invitations: [{ email: 'later@globex.example', role: 'partner_user', invitedBy: 'eve', expiresAt: '2026-02-01T00:00:00Z' }], reason }, 200, schemas.importedResponse],
        ['/organisations/acme/assignments', { assignments: [{ userId: 'dee', clientId: 'c-north', name: 'Northwind' }], reason }, 200, schemas.assignedResponse],
        ['/organisations/acme/assignments/unassign', { assignments: [{ userId: 'cy', clientId: 'c-north' }], reason }, 200, schemas.unassignedResponse],
        ['/organisations/acme/assignments/repair', { reason }, 200, schemas.repairedResponse],
        ['/users', { users: [{ id: 'synced', name: 'Synced', email: 'Synced@Outside.example', mfaEnabled: true, lastActiveAt: '2026-01-14T08:00:00Z' }], reason }, 200, schemas.usersUpsertedResponse],
      ];
      for (const [path, body, status, schema] of posted) expectAnswer(await ops.post(path, body, { headers: { 'x-request-id': `req-${path.length}` } }), status, schema);
      const imported = expectAnswer(await ops.post('/organisations/globex/members/import', { members: [{ userId: 'sam', role: 'partner_user' }], reason }), 409, schemas.problemResponse);
      expect(imported.code).to.equal('member_of_another_organisation');
      // Eleven changed something (the repair had nothing to remove); each left exactly one event.
      const events = expectAnswer(await ops.get(`/audit-events?${q}&actorUserId=op-jane&limit=100`), 200, schemas.auditSearchResponse).items;
      expect(events.map((e) => e.action).reverse()).to.deep.equal([
        'organisation.provisioned',
        'organisation.bootstrapped',
        'organisation.status_changed',
        'organisation.status_changed',
        'organisation.invitations_switched',
        'member.admin_granted',
        'member.restored',
        'members.imported',
        'client.assigned',
        'client.unassigned',
        'users.upserted',
      ]);
      expect(events.every((e) => e.reason === reason && e.actorKind === 'support_operator' && e.requestId?.startsWith('req-') === true)).to.equal(true);
      expect(server.notifier.tokenFor('later@globex.example')).to.be.a('string');
      expect((await server.store.users.findById('synced'))?.email).to.equal('synced@outside.example');
    });

    it('reads: an organisation with its roster page, the broken-assignment report, the audit search with every filter', async function () {
      const acme = expectAnswer(await ops.get(`/organisations/acme?${q}&limit=2`), 200, schemas.inspectionResponse);
      expect(acme.adminCount).to.equal(3);
      expect(acme.members.total).to.equal(6);
      expect(acme.members.items.map((m) => m.userId)).to.deep.equal(['ada', 'bob']);
      const next = expectAnswer(await ops.get(`/organisations/acme?${q}&limit=2&cursor=${acme.members.nextCursor ?? ''}`), 200, schemas.inspectionResponse);
      expect(next.members.items.map((m) => m.userId)).to.deep.equal(['dan', 'cy']);
      expect(expectAnswer(await ops.get(`/organisations/acme?${q}&q=turing`), 200, schemas.inspectionResponse).members.items.map((m) => m.userId)).to.deep.equal(['dee']);
      server.store.assignClient('acme', 'fay', 'c-fab');
      expect(expectAnswer(await ops.get(`/organisations/acme/assignments/broken?${q}`), 200, schemas.brokenAssignmentsResponse).items).to.deep.equal([
        { userId: 'fay', clientId: 'c-fab', name: 'c-fab', memberOf: 'globex' },
      ]);
      const seeded = expectAnswer(await ops.get(`/audit-events?${q}&organisationId=sus&limit=100`), 200, schemas.auditSearchResponse).items;
      expect(seeded.map((e) => e.action), 'the fixture was loaded through the operations').to.deep.equal([
        'organisation.status_changed',
        'client.assigned',
        'organisation.bootstrapped',
        'members.imported',
        'organisation.provisioned',
      ]);
      const filtered = expectAnswer(
        await ops.get(`/audit-events?${q}&action=organisation.bootstrapped&actorUserId=fixture-loader&targetUserId=ada&from=2026-01-15T08:00:00Z&to=2026-01-15T10:00:00Z`),
        200,
        schemas.auditSearchResponse,
      ).items;
      expect(filtered.map((e) => [e.organisationId, e.targetUserId])).to.deep.equal([['acme', 'ada']]);
      const unscoped = expectAnswer(await ops.get(`/audit-events?${q}&unscoped=true&limit=100`), 200, schemas.auditSearchResponse).items;
      expect(unscoped.every((e) => e.organisationId === null)).to.equal(true);
      expect(unscoped.map((e) => e.action)).to.include.members(['users.upserted', 'assignments.reported', 'organisation.inspected', 'audit.searched']);
    });

    it('a cookie credential needs the X-CSRF-Token GET /me returned for it; a bearer one does not', async function () {
      const cookie = await server.operator('op-cookie', 'support_operator', 'operator-cookie');
      const body = { status: 'suspended', reason };
      expectProblem(await cookie.post('/organisations/acme/status', body, { csrf: false }), 'csrf_failed');
      const other = await server.operator('op-cookie', 'support_operator', 'operator-cookie');
      expectProblem(await cookie.post('/organisations/acme/status', body, { headers: { 'x-csrf-token': other.csrfToken ?? '' } }), 'csrf_failed');
      expect((await server.store.organisations.load('acme'))?.profile.status).to.equal('active');
      expect((await cookie.post('/organisations/acme/status', body)).status).to.equal(200);
    });

    it('logs one line per request with the operator and role, and no token or reason', async function () {
      const lines = () => server.logger.lines.filter((l) => l.message === 'request' && String(l.fields.route).startsWith('POST /organisations/:organisationId/status'));
      const before = lines().length;
      await ops.post('/organisations/acme/status', { status: 'suspended', reason: 'secret-looking reason 991' });
      const logged = lines().slice(before);
      expect(logged).to.have.length(1);
      expect(logged[0]?.fields).to.include({ operatorId: 'op-jane', role: 'support_operator', status: 200, method: 'POST' });
      const text = JSON.stringify(server.logger.lines);
      expect(ops.token).to.be.a('string');
      expect(text).not.to.include(ops.token).and.not.to.include('secret-looking reason 991');
    });

    it('serves its own OpenAPI document at /api/operations/openapi.json, apart from the partner one', async function () {
      const document = (await server.anonymousOperator().get('/openapi.json')).body as { servers: { url: string }[]; paths: Record<string, unknown>; components: { securitySchemes: Record<string, unknown> } };
      expect(document.servers).to.deep.equal([{ url: '/api/operations' }]);
      expect(Object.keys(document.components.securitySchemes).sort()).to.deep.equal(['operatorBearer', 'operatorCookie']);
      expect(document.paths).to.have.property('/organisations/{organisationId}/admins');
      const partner = (await server.anonymous().get('/openapi.json')).body as { paths: Record<string, unknown> };
      expect(partner.paths).not.to.have.property('/organisations/{organisationId}/admins');
    });

    it('is not served at all without OPERATIONS_TOKEN_SECRET', async function () {
      const bare = await TestServer.start({ env: { OPERATIONS_TOKEN_SECRET: '' } });
      try {
        const answer = await (await bare.operator()).post('/organisations/acme/status', { status: 'suspended', reason });
        expect(answer.status).to.equal(404);
        expect((await bare.store.organisations.load('acme'))?.profile.status).to.equal('active');
        expect((await bare.anonymousOperator().get('/openapi.json')).status).to.equal(404);
      } finally {
        await bare.close();
      }
    });
  });

  describe('error codes', function () {
    it('unauthenticated (none, an expired token, another audience, an unknown role), forbidden, validation_failed, route_not_found', async function () {
      expectProblem(await server.anonymousOperator().get('/me'), 'unauthenticated');
      const issue = (audience: string, claims: { role: 'support_operator' | 'support_viewer' }, ttl: number) => new JwtOperatorAuthenticator(testOperationsSecret, { audience }).issue({ operatorId: 'op-x', ...claims }, ttl);
      for (const token of [issue(testOperationsAudience, { role: 'support_operator' }, -10), issue('partner-team', { role: 'support_operator' }, 600), issue(testOperationsAudience, { role: 'support_operator' }, 13 * 3600)]) {
        expectProblem(await new Client(`${server.baseUrl}/api/operations`, token, undefined, 'bearer').get('/me'), 'unauthenticated');
      }
      const viewer = await server.operator('op-vic', 'support_viewer');
      expectProblem(await viewer.post('/organisations/acme/admins', { userId: 'cy', reason }), 'forbidden');
      expectProblem(await ops.post('/organisations/acme/admins', { userId: 'cy' }), 'validation_failed');
      expectProblem(await ops.post('/organisations/acme/admins', { userId: 'cy', reason: '   ' }), 'validation_failed');
      expectProblem(await ops.post('/organisations/acme/admins', { userId: 'cy', reason: 'line\nbreak' }), 'validation_failed');
      expectProblem(await ops.get('/organisations/acme'), 'validation_failed');
      expectProblem(await ops.get(`/audit-events?${q}&organisationId=acme&unscoped=true`), 'validation_failed');
      expectProblem(await ops.get(`/audit-events?${q}&cursor=bm9wZQ`), 'validation_failed');
      expectProblem(await ops.post('/organisations/acme/admins', { userId: 'cy', reason, organisationId: 'globex' }), 'validation_failed');
      expectProblem(await ops.get('/nothing-here'), 'route_not_found');
      expect((await server.store.memberships.findByUser('cy'))?.membership.role).to.equal('partner_user');
    });

    it('organisation_not_found, organisation_exists, user_not_found, already_bootstrapped, organisation_archived', async function () {
      expectProblem(await ops.post('/organisations/nowhere/status', { status: 'active', reason }), 'organisation_not_found');
      expectProblem(await ops.post('/organisations', { organisationId: 'acme', name: 'Acme again', reason }), 'organisation_exists');
      expectProblem(await ops.post('/organisations/pen/bootstrap', { userId: 'ghost', reason }), 'user_not_found');
      expectProblem(await ops.post('/organisations/acme/bootstrap', { userId: 'ada', reason }), 'already_bootstrapped');
      expectProblem(await ops.post('/organisations/arc/admins', { userId: 'amy', reason }), 'organisation_archived');
    });

    it('member_not_found, already_partner_admin, already_member, member_of_another_organisation, assignment_not_found', async function () {
      expectProblem(await ops.post('/organisations/acme/admins', { userId: 'fay', reason }), 'member_not_found');
      expectProblem(await ops.post('/organisations/acme/admins', { userId: 'ada', reason }), 'already_partner_admin');
      expectProblem(await ops.post('/organisations/acme/members', { userId: 'cy', role: 'partner_user', reason }), 'already_member');
      expectProblem(await ops.post('/organisations/acme/members', { userId: 'fay', role: 'partner_user', reason }), 'member_of_another_organisation');
      expectProblem(await ops.post('/organisations/acme/assignments/unassign', { assignments: [{ userId: 'cy', clientId: 'c-fab' }], reason }), 'assignment_not_found');
    });

    it('invitation_pending, too_many_pending_invitations, email_in_use', async function () {
      expectProblem(await ops.post('/organisations/acme/members/import', { members: [], invitations: [{ email: 'newbie@outside.example', role: 'partner_user', invitedBy: 'ada' }], reason }), 'invitation_pending');
      const many = Array.from({ length: 200 }, (_, n) => ({ email: `p${n}@example.test`, role: 'partner_user', invitedBy: 'ada' }));
      expectProblem(await ops.post('/organisations/acme/members/import', { members: [], invitations: many, reason }), 'too_many_pending_invitations');
      expectProblem(await ops.post('/users', { users: [{ id: 'dup', name: 'Dup', email: 'ada@acme.example', mfaEnabled: false }], reason }), 'email_in_use');
    });

    it('payload_too_large, unsupported_media_type, rate_limited (per operator, with Retry-After)', async function () {
      const huge = { users: Array.from({ length: 20_000 }, (_, n) => ({ id: `u${n}`, name: 'x'.repeat(200), email: `u${n}@example.test`, mfaEnabled: false })), reason };
      expectProblem(await ops.post('/users', huge), 'payload_too_large');
      expectProblem(await ops.post('/users', undefined, { raw: 'users=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 'unsupported_media_type');
      const limited = await TestServer.start({ env: { OPERATIONS_MUTATIONS_PER_MINUTE: '2' } });
      try {
        const jane = await limited.operator('op-jane');
        expect((await jane.post('/organisations/acme/status', { status: 'suspended', reason })).status).to.equal(200);
        expect((await jane.post('/organisations/acme/status', { status: 'active', reason })).status).to.equal(200);
        const third = await jane.post('/organisations/acme/status', { status: 'suspended', reason });
        expectProblem(third, 'rate_limited');
        expect(Number(third.headers.get('retry-after'))).to.be.within(1, 60);
        expect((await (await limited.operator('op-max')).post('/organisations/acme/status', { status: 'archived', reason })).status, 'another operator has their own window').to.equal(200);
      } finally {
        await limited.close();
      }
    });

    it('concurrency_conflict when the store keeps moving under an operation', async function () {
      const conflicted = await TestServer.start({ wrap: savesAlwaysConflict });
      try {
        expectProblem(await (await conflicted.operator()).post('/organisations/acme/admins', { userId: 'cy', reason }), 'concurrency_conflict');
      } finally {
        await conflicted.close();
      }
    });

    it('internal, without detail or stack', async function () {
      const failing = await TestServer.start({
        wrap: (p): Persistence => ({ ...p, auditLog: { page: (o, query) => p.auditLog.page(o, query), record: (e) => p.auditLog.record(e), search: () => Promise.reject(new Error('boom: mongodb://secret@host')) } }),
      });
      try {
        const answer = await (await failing.operator()).get(`/audit-events?${q}`);
        expectProblem(answer, 'internal');
        expect(answer.text).not.to.include('secret').and.not.to.include('boom');
      } finally {
        await failing.close();
      }
    });

    it('has answered every code the served OpenAPI document lists for the operations API, and only those', async function () {
      const documented = documentedProblemCodes((await server.anonymousOperator().get('/openapi.json')).body);
      for (const code of documented) expect(code in problemTypes, code).to.equal(true);
      expect([...seen].sort()).to.deep.equal([...documented].sort());
      // The problem table has no dead entry: every code is answered by the partner API or by this one.
      const answered = new Set([...documented, ...documentedProblemCodes((await server.anonymous().get('/openapi.json')).body)]);
      expect(Object.keys(problemTypes).filter((code) => !answered.has(code))).to.deep.equal([]);
    });
  });
});
