import { randomBytes, randomInt } from 'node:crypto';
import { CsrfTokens, JwtSessionAuthenticator } from '@partner-team/express';
import { MongoPersistence } from '@partner-team/mongodb';
import { anOrganisation, aUser } from '@partner-team/testing';
import type { AuditEvent, OrganisationState, PartnerRole } from '@partner-team/core';
import { expect } from 'chai';
import { databaseUri, serverEnv, sessionHeaders } from './test-support/mongo-server.js';
import { startServerProcess, type ServerProcess } from './test-support/server-process.js';

/**
 * Crash safety on the MongoDB adapter: a server process is killed with SIGKILL at a random moment
 * while four clients stream mutations at it, 20 times. Afterwards, on the stored commits: every
 * mutation that was answered 2xx is there with its audit event; replaying the audit events from
 * the seed gives exactly the stored state (no change without its event); the organisation has an
 * admin; and a restarted process serves a roster equal to the stored state.
 *
 * The organisation starts with two admins, boss and chief, who change each other's role while
 * they stream (a worker acting as boss toggles chief, the worker acting as chief toggles boss), so
 * that either can end up a partner_user and "an admin remains" depends on the last-admin
 * protection holding, not on the harness.
 */

const secret = 'crash-safety-secret-of-at-least-32-chars';
const sessions = new JwtSessionAuthenticator(secret);
const csrf = new CsrfTokens(secret);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const users = Array.from({ length: 8 }, (_, n) => `u${n}`);
/** Who each of the four workers acts as, and the other admin whose role it also toggles (never removes). */
const workers = [
  { actor: 'boss', otherAdmin: 'chief' },
  { actor: 'boss', otherAdmin: undefined },
  { actor: 'boss', otherAdmin: undefined },
  { actor: 'chief', otherAdmin: 'boss' },
] as const;

function seed(): OrganisationState {
  return anOrganisation('crash')
    .withAdmins('boss', 'chief')
    .withUsers(...users)
    .build();
}

/** The state the audit log describes: the seed with every event applied in order. */
function replay(
  start: OrganisationState,
  events: readonly AuditEvent[],
): { roles: Map<string, PartnerRole>; invitations: Map<string, string> } {
  const roles = new Map(start.memberships.map((m) => [m.userId, m.role]));
  const invitations = new Map<string, string>();
  for (const e of events) {
    if (e.action === 'member.role_changed' && e.targetUserId !== null && e.after?.role !== undefined)
      roles.set(e.targetUserId, e.after.role);
    if (e.action === 'member.removed' && e.targetUserId !== null) roles.delete(e.targetUserId);
    if (e.action === 'invitation.created' && e.invitationId !== null) invitations.set(e.invitationId, 'pending');
    if (e.action === 'invitation.revoked' && e.invitationId !== null) invitations.set(e.invitationId, 'revoked');
    // A demoted or removed admin's pending invitations are revoked with the change, which names them.
    for (const id of e.after?.revokedInvitations ?? []) invitations.set(id, 'revoked');
  }
  return { roles, invitations };
}

/** Every audit event committed up to and including commit `throughSeq`, oldest first. */
async function eventsThrough(store: MongoPersistence, organisationId: string, throughSeq: number): Promise<AuditEvent[]> {
  const events: AuditEvent[] = [];
  let before: number | null = null;
  for (;;) {
    const page = await store.auditLog.page(organisationId, { limit: 100, beforePosition: before });
    // Positions are seq * 16 + index: keep what the head we compare with already contains.
    events.push(...page.items.filter((i) => i.position < (throughSeq + 1) * 16).map((i) => i.event));
    if (!page.hasMore) break;
    before = page.items.at(-1)!.position;
  }
  return events.reverse();
}

interface Sent {
  readonly requestId: string;
  readonly status: number | 'no answer';
  /** The problem code of a 4xx/5xx answer. */
  readonly code?: string | undefined;
}

/**
 * One client streaming mutations until the server dies. Each worker owns two members and its own
 * invitations, and the worker with an `otherAdmin` is the only one to change that admin's role,
 * so that it knows their state and every request it sends is a real change (a role set to the
 * role already held is a successful no-op without an audit event, by design). While its actor is
 * demoted, a worker's requests are refused (forbidden, or last_admin when it tries to demote the
 * only admin left).
 */
async function stream(server: ServerProcess, iteration: number, worker: number, sent: Sent[], stop: { now: boolean }): Promise<void> {
  const { actor, otherAdmin } = workers[worker]!;
  const headers = sessionHeaders(sessions, csrf, actor);
  const roles = new Map<string, PartnerRole>([users[2 * worker]!, users[2 * worker + 1]!].map((u) => [u, 'partner_user']));
  if (otherAdmin !== undefined) roles.set(otherAdmin, 'partner_admin');
  const pending: string[] = [];
  for (let n = 0; !stop.now; n += 1) {
    const requestId = `crash-${iteration}-${worker}-${n}`;
    const present = [...roles.keys()];
    const user = present[randomInt(Math.max(1, present.length))];
    const pick = randomInt(10);
    let request: { method: string; path: string; body?: unknown; then: (text: string) => void };
    if (user !== undefined && pick < 5) {
      const role: PartnerRole = roles.get(user) === 'partner_admin' ? 'partner_user' : 'partner_admin';
      request = { method: 'PATCH', path: `/members/${user}`, body: { role }, then: () => roles.set(user, role) };
    } else if (pending.length > 0 && pick < 7) {
      const id = pending.shift()!;
      request = { method: 'DELETE', path: `/invitations/${id}`, then: () => undefined };
    } else if (user !== undefined && user !== otherAdmin && pick < 8) {
      request = { method: 'DELETE', path: `/members/${user}`, then: () => roles.delete(user) };
    } else {
      request = {
        method: 'POST',
        path: '/invitations',
        body: { email: `x${iteration}.${worker}.${n}@crash.example`, role: 'partner_user' },
        then: (text) => pending.push((JSON.parse(text) as { id: string }).id),
      };
    }
    try {
      const response = await fetch(`${server.url}/api/partner-team${request.path}`, {
        method: request.method,
        headers: { ...headers, 'x-request-id': requestId, ...(request.body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      });
      const text = await response.text();
      sent.push({ requestId, status: response.status, code: response.status < 400 ? undefined : problemCode(text) });
      if (response.status < 300) request.then(text);
    } catch {
      sent.push({ requestId, status: 'no answer' });
      return;
    }
  }
}

function problemCode(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { code?: string }).code;
  } catch {
    return undefined;
  }
}

describe('MongoDB adapter: crash safety', function () {
  this.timeout(20 * 60_000);

  it('SIGKILL at random moments during a stream of mutations, 20 times: answered work is kept, nothing without its audit event, an admin remains', async function () {
    const summary = {
      answered2xx: 0,
      unanswered: 0,
      unansweredButCommitted: 0,
      lastAdminRefusals: 0,
      endedDemoted: { boss: 0, chief: 0 },
      killedAfterMs: [] as number[],
    };
    for (let iteration = 0; iteration < 20; iteration += 1) {
      const uri = databaseUri(`pt_crash_${randomBytes(4).toString('hex')}`);
      const store = await MongoPersistence.open({ uri, logger: silent });
      try {
        for (const id of ['boss', 'chief', ...users]) await store.putUser(aUser(id).withEmail(`${id}@crash.example`).build());
        await store.createOrganisation(seed());
        const env = serverEnv(uri, secret);
        const victim = await startServerProcess(env);
        const sent: Sent[] = [];
        const stop = { now: false };
        const streams = workers.map((_, w) => stream(victim, iteration, w, sent, stop));
        const delay = 150 + randomInt(900);
        summary.killedAfterMs.push(delay);
        await new Promise((resolve) => setTimeout(resolve, delay));
        await victim.kill('SIGKILL');
        stop.now = true;
        await Promise.all(streams);

        // The victim may have handed an insert to the database just before dying; start the next
        // process first (it repairs the roster at start-up), then read one consistent cut: the
        // head, and the events of the commits up to it.
        const restarted = await startServerProcess(env);
        try {
          const head = (await store.exportOrganisation('crash'))!;
          const events = await eventsThrough(store, 'crash', head.version);
          const logged = new Set(events.map((e) => e.requestId));
          const answered = sent.filter((s) => typeof s.status === 'number' && s.status < 300);
          summary.answered2xx += answered.length;
          const unanswered = sent.filter((s) => s.status === 'no answer');
          summary.unanswered += unanswered.length;
          summary.unansweredButCommitted += unanswered.filter((s) => logged.has(s.requestId)).length;
          summary.lastAdminRefusals += sent.filter((s) => s.code === 'last_admin').length;
          expect(answered.length, `iteration ${iteration}: some mutations were answered`).to.be.greaterThan(0);
          for (const s of answered)
            expect(
              logged.has(s.requestId),
              `iteration ${iteration}: ${s.requestId} answered ${String(s.status)} but has no audit event`,
            ).to.equal(true);
          expect(
            sent.filter((s) => typeof s.status === 'number' && s.status >= 500),
            'no 5xx before the kill',
          ).to.deep.equal([]);

          const replayed = replay(seed(), events);
          const sorted = <V>(map: Map<string, V>) => [...map].sort(([a], [b]) => (a < b ? -1 : 1));
          const storedRoles = new Map(head.state.memberships.map((m) => [m.userId, m.role]));
          expect(sorted(storedRoles), `iteration ${iteration}: roles differ from the audit log`).to.deep.equal(sorted(replayed.roles));
          const storedInvitations = new Map(head.state.invitations.map((i) => [i.id, i.status]));
          expect(sorted(storedInvitations), `iteration ${iteration}: invitations differ from the audit log`).to.deep.equal(
            sorted(replayed.invitations),
          );
          // boss and chief can demote each other: an admin remains only if the last-admin protection held.
          for (const admin of ['boss', 'chief'] as const) if (storedRoles.get(admin) !== 'partner_admin') summary.endedDemoted[admin] += 1;
          expect(
            head.state.memberships.filter((m) => m.role === 'partner_admin').map((m) => m.userId),
            `iteration ${iteration}: the admins left`,
          ).not.to.deep.equal([]);

          // The restarted process repaired the roster projection from the commits before serving it.
          const sessionId = randomBytes(12).toString('base64url');
          const response = await fetch(`${restarted.url}/api/partner-team/members?limit=100`, {
            headers: { cookie: `partner_session=${sessions.issue({ userId: 'boss', sessionId }, 60)}` },
          });
          const roster = (await response.json()) as { items: { userId: string; role: string }[] };
          expect(
            sorted(new Map(roster.items.map((m) => [m.userId, m.role]))),
            `iteration ${iteration}: roster after restart`,
          ).to.deep.equal(sorted(replayed.roles));
        } finally {
          await restarted.kill();
        }
      } finally {
        await store.db.dropDatabase();
        await store.close();
      }
    }
    console.log(
      `      ${summary.answered2xx} mutations answered 2xx; ${summary.unanswered} cut off by the kills, ${summary.unansweredButCommitted} of them committed (with their audit event); ${summary.lastAdminRefusals} last_admin refusals; ended as partner_user: boss ${summary.endedDemoted.boss}, chief ${summary.endedDemoted.chief} of 20; kills after ${summary.killedAfterMs.join(', ')} ms`,
    );
  });
});
