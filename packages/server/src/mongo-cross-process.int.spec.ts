import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { AuditEvent, OrganisationState, PartnerRole } from '@partner-team/core';
import { CsrfTokens, JwtOperatorAuthenticator, JwtSessionAuthenticator } from '@partner-team/express';
import { MongoPersistence } from '@partner-team/mongodb';
import { anOrganisation, aUser } from '@partner-team/testing';
import { expect } from 'chai';
import { databaseUri, serverEnv, sessionHeaders } from './test-support/mongo-server.js';
import { startServerProcess, type ServerProcess } from './test-support/server-process.js';

/**
 * The invariants across processes, on the real MongoDB adapter: two server processes on one
 * database, requests released together, outcomes checked on the stored commits (the truth).
 */

const secret = 'cross-process-race-secret-of-32-characters';
const operationsSecret = 'cross-process-race-operations-secret-32ch';
const sessions = new JwtSessionAuthenticator(secret);
const operators = new JwtOperatorAuthenticator(operationsSecret, { audience: 'partner-team-operations' });
const csrf = new CsrfTokens(secret);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const naiveEntry = fileURLToPath(new URL('./test-support/naive-race-server.js', import.meta.url));

interface Answer {
  status: number;
  code: string | undefined;
}

/** "status code", e.g. "409 last_admin", or the status alone for an answer without a problem code. */
const outcome = (answer: Answer): string => `${answer.status} ${answer.code ?? ''}`.trim();

/** Counts the answers by {@link outcome}. */
function tally(outcomes: Map<string, number>, answers: readonly Answer[]): void {
  for (const answer of answers) outcomes.set(outcome(answer), (outcomes.get(outcome(answer)) ?? 0) + 1);
}

async function send(
  server: ServerProcess,
  userId: string,
  method: string,
  path: string,
  body?: unknown,
  requestId?: string,
): Promise<Answer> {
  const response = await fetch(`${server.url}/api/partner-team${path}`, {
    method,
    headers: {
      ...sessionHeaders(sessions, csrf, userId),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(requestId === undefined ? {} : { 'x-request-id': requestId }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { code?: string }).code;
  } catch {
    code = undefined;
  }
  return { status: response.status, code };
}

/** An operations API request by a support operator (a bearer token, so no CSRF token). */
async function operate(server: ServerProcess, path: string, body: unknown): Promise<Answer> {
  const response = await fetch(`${server.url}/api/operations${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operators.issue({ operatorId: 'op-race', role: 'support_operator' }, 600)}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let code: string | undefined;
  try {
    code = (JSON.parse(text) as { code?: string }).code;
  } catch {
    code = undefined;
  }
  return { status: response.status, code };
}

interface Cluster {
  readonly store: MongoPersistence;
  readonly servers: [ServerProcess, ServerProcess];
  stop(): Promise<void>;
}

async function cluster(database: string, entry?: string): Promise<Cluster> {
  const uri = databaseUri(database);
  const store = await MongoPersistence.open({
    uri,
    logger: silent,
  });
  const env = { ...serverEnv(uri, secret), OPERATIONS_TOKEN_SECRET: operationsSecret };
  const servers: [ServerProcess, ServerProcess] = [await startServerProcess(env, entry), await startServerProcess(env, entry)];
  return {
    store,
    servers,
    async stop() {
      await Promise.all(servers.map((s) => s.kill()));
      await store.db.dropDatabase();
      await store.close();
    },
  };
}

async function givenTwoAdmins(store: MongoPersistence, organisationId: string): Promise<[string, string]> {
  const a = `${organisationId}-a`;
  const b = `${organisationId}-b`;
  const u = `${organisationId}-u`;
  for (const id of [a, b, u]) await store.putUser(aUser(id).withEmail(`${id}@race.example`).build());
  await store.createOrganisation(anOrganisation(organisationId).withAdmins(a, b).withUsers(u).build());
  return [a, b];
}

async function truth(store: MongoPersistence, organisationId: string) {
  const state = (await store.exportOrganisation(organisationId))?.state;
  const events = await store.auditLog.page(organisationId, {
    limit: 100,
    beforePosition: null,
  });
  return { state: state!, events: events.items.map((l) => l.event) };
}

type Pair = 'demote↔demote' | 'remove↔remove' | 'demote↔remove';
const pairs: Pair[] = ['demote↔demote', 'remove↔remove', 'demote↔remove'];

function raceRequests(pair: Pair, servers: [ServerProcess, ServerProcess], a: string, b: string): [Promise<Answer>, Promise<Answer>] {
  const demote = (server: ServerProcess, actor: string, target: string) =>
    send(server, actor, 'PATCH', `/members/${target}`, {
      role: 'partner_user' satisfies PartnerRole,
    });
  const remove = (server: ServerProcess, actor: string, target: string) => send(server, actor, 'DELETE', `/members/${target}`);
  switch (pair) {
    case 'demote↔demote':
      return [demote(servers[0], a, b), demote(servers[1], b, a)];
    case 'remove↔remove':
      return [remove(servers[0], a, b), remove(servers[1], b, a)];
    case 'demote↔remove':
      return [demote(servers[0], a, b), remove(servers[1], b, a)];
  }
}

interface RaceReport {
  rounds: number;
  zeroAdminRounds: number;
  fiveHundreds: number;
  untypedLosers: number;
  auditMismatches: number;
  /** Rounds where not exactly one of the two requests succeeded (each pair has exactly one possible winner). */
  roundsWithoutOneWinner: number;
  outcomes: Map<string, number>;
}

/**
 * Runs `rounds` rounds, each on a fresh organisation, on a cluster of two processes over a fresh
 * database every `perDatabase` rounds: FerretDB scans whole collections for most queries, so small
 * databases keep the suite fast without changing what a round does.
 */
async function inClusters(
  rounds: number,
  perDatabase: number,
  entry: string | undefined,
  play: (c: Cluster, round: number) => Promise<void>,
): Promise<void> {
  for (let first = 0; first < rounds; first += perDatabase) {
    const c = await cluster(`pt_race_${randomBytes(4).toString('hex')}`, entry);
    try {
      for (let round = first; round < Math.min(rounds, first + perDatabase); round += 1) await play(c, round);
    } finally {
      await c.stop();
    }
  }
}

/**
 * Admins of an organisation as the store under test records them. The naive store keeps its own
 * rows, written by its first load: they must be there (all three members: its control only demotes),
 * or the round never reached that store and a count of zero would be no outcome at all.
 */
async function adminsOf(c: Cluster, organisationId: string, naive: boolean): Promise<number> {
  if (!naive) return (await truth(c.store, organisationId)).state.memberships.filter((m) => m.role === 'partner_admin').length;
  const rows = c.store.db.collection('naive_members');
  expect(await rows.countDocuments({ o: organisationId }), `${organisationId}: the naive store's member rows`).to.equal(3);
  return rows.countDocuments({ o: organisationId, r: 'partner_admin' });
}

async function race(pair: Pair, rounds: number, entry?: string): Promise<RaceReport> {
  // The naive store's rows are checked as "all three members still there" (see adminsOf).
  if (entry !== undefined && pair !== 'demote↔demote') throw new Error('the naive store is raced with demotions only');
  const report: RaceReport = {
    rounds,
    zeroAdminRounds: 0,
    fiveHundreds: 0,
    untypedLosers: 0,
    auditMismatches: 0,
    roundsWithoutOneWinner: 0,
    outcomes: new Map(),
  };
  await inClusters(rounds, 25, entry, async (c, round) => {
    const organisationId = `r${round}`;
    const [a, b] = await givenTwoAdmins(c.store, organisationId);
    const answers = await Promise.all(raceRequests(pair, c.servers, a, b));
    const { events } = await truth(c.store, organisationId);
    if ((await adminsOf(c, organisationId, entry !== undefined)) === 0) report.zeroAdminRounds += 1;
    tally(report.outcomes, answers);
    for (const answer of answers) {
      if (answer.status >= 500) report.fiveHundreds += 1;
      if (answer.status >= 400 && answer.status < 500 && answer.code === undefined) report.untypedLosers += 1;
    }
    const successes = answers.filter((x) => x.status < 300).length;
    if (events.length !== successes) report.auditMismatches += 1;
    if (successes !== 1) report.roundsWithoutOneWinner += 1;
  });
  return report;
}

/**
 * The checks of a round of concurrent requests of which exactly one can win: on the stored commits,
 * exactly one `kept` entry and one `action` event; over HTTP, one answer with status `won`, and
 * typed 4xx problems for all the others.
 */
async function expectOneWinner(
  c: Cluster,
  organisationId: string,
  round: number,
  answers: readonly Answer[],
  expected: { readonly won: number; readonly action: AuditEvent['action']; readonly kept: (state: OrganisationState) => readonly unknown[] },
): Promise<void> {
  const { state, events } = await truth(c.store, organisationId);
  expect(expected.kept(state), `round ${round}`).to.have.length(1);
  expect(answers.filter((x) => x.status === expected.won)).to.have.length(1);
  expect(answers.every((x) => x.status === expected.won || (x.status >= 400 && x.status < 500 && x.code !== undefined))).to.equal(true);
  expect(events.filter((e) => e.action === expected.action)).to.have.length(1);
}

describe('MongoDB adapter across two server processes', function () {
  this.timeout(30 * 60_000);

  for (const pair of pairs) {
    it(`${pair} between the only two admins, 200 rounds: never zero admins, no 5xx, typed losers, audit = successes`, async function () {
      {
        const report = await race(pair, 200);
        console.log(`      ${pair}: ${JSON.stringify(Object.fromEntries(report.outcomes))}`);
        expect(report.zeroAdminRounds, 'rounds ending with zero admins').to.equal(0);
        expect(report.fiveHundreds, '5xx answers').to.equal(0);
        expect(report.untypedLosers, 'losers without a problem code').to.equal(0);
        expect(report.auditMismatches, 'rounds where audit events ≠ successes').to.equal(0);
        expect(report.roundsWithoutOneWinner, 'rounds without exactly one successful request').to.equal(0);
        const losers = [...report.outcomes].filter(([k]) => !k.startsWith('2')).reduce((n, [, v]) => n + v, 0);
        expect(losers, 'both requests of a round cannot both win').to.be.at.least(200);
      }
    });
  }

  it('support grants partner_admin while the only two admins demote each other, 200 rounds: never zero admins, audit = successes, one demotion wins', async function () {
    const report = { zeroAdminRounds: 0, fiveHundreds: 0, untypedLosers: 0, auditMismatches: 0, roundsWithoutOneDemotion: 0, grants: 0, supportEventMismatches: 0 };
    const outcomes = new Map<string, number>();
    await inClusters(200, 25, undefined, async (c, round) => {
      const organisationId = `g${round}`;
      const [a, b] = await givenTwoAdmins(c.store, organisationId);
      const grantVia = c.servers[round % 2] as ServerProcess;
      const [first, second, grant] = await Promise.all([
        ...raceRequests('demote↔demote', c.servers, a, b),
        operate(grantVia, `/organisations/${organisationId}/admins`, { userId: `${organisationId}-u`, reason: `race round ${round}` }),
      ]);
      const answers = [first, second, grant];
      tally(outcomes, answers);
      const { state, events } = await truth(c.store, organisationId);
      if (state.memberships.filter((m) => m.role === 'partner_admin').length === 0) report.zeroAdminRounds += 1;
      for (const answer of answers) {
        if (answer.status >= 500) report.fiveHundreds += 1;
        if (answer.status >= 400 && answer.status < 500 && answer.code === undefined) report.untypedLosers += 1;
      }
      const successes = answers.filter((x) => x.status < 300).length;
      if (events.length !== successes) report.auditMismatches += 1;
      if ([first, second].filter((x) => x.status < 300).length !== 1) report.roundsWithoutOneDemotion += 1;
      if (grant.status < 300) report.grants += 1;
      const supportEvents = events.filter((e) => e.actorKind === 'support_operator' && e.action === 'member.admin_granted' && e.reason === `race round ${round}`);
      if (supportEvents.length !== (grant.status < 300 ? 1 : 0)) report.supportEventMismatches += 1;
    });
    console.log(`      demote↔demote + support grant: ${JSON.stringify(Object.fromEntries(outcomes))}; ${JSON.stringify(report)}`);
    expect(report.zeroAdminRounds, 'rounds ending with zero admins').to.equal(0);
    expect(report.fiveHundreds, '5xx answers').to.equal(0);
    expect(report.untypedLosers, 'losers without a problem code').to.equal(0);
    expect(report.auditMismatches, 'rounds where audit events ≠ successes').to.equal(0);
    expect(report.supportEventMismatches, 'rounds where the grant’s event ≠ its answer').to.equal(0);
    expect(report.roundsWithoutOneDemotion, 'rounds where not exactly one demotion won').to.equal(0);
    // No rule refuses the grant (the target is a partner_user member): it can only lose to conflicts.
    expect(report.grants, 'grants that succeeded').to.be.at.least(190);
  });

  it('negative control: the same harness on a naive check-then-update store does lose the last admin', async function () {
    const report = await race('demote↔demote', 200, naiveEntry);
    console.log(`      naive store: ${report.zeroAdminRounds} of 200 rounds ended with zero admins`);
    expect(report.zeroAdminRounds).to.be.greaterThan(0);
  });

  it('20 concurrent invitations of one email leave exactly one pending invitation (50 rounds, both processes)', async function () {
    const statuses = new Map<string, number>();
    await inClusters(50, 10, undefined, async (c, round) => {
      {
        const organisationId = `inv${round}`;
        const [a, b] = await givenTwoAdmins(c.store, organisationId);
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, n) =>
            send(c.servers[n % 2]!, n % 2 === 0 ? a : b, 'POST', '/invitations', {
              email: `New.Person+${round}@Example.test`,
              role: 'partner_user',
            }),
          ),
        );
        tally(statuses, answers);
        await expectOneWinner(c, organisationId, round, answers, {
          won: 201,
          action: 'invitation.created',
          kept: (state) => state.invitations.filter((i) => i.status === 'pending'),
        });
      }
    });
    console.log(`      invitations: ${JSON.stringify(Object.fromEntries(statuses))}`);
  });

  it('20 concurrent accepts of one token make exactly one membership (50 rounds, both processes)', async function () {
    const statuses = new Map<string, number>();
    await inClusters(50, 10, undefined, async (c, round) => {
      {
        const organisationId = `acc${round}`;
        const invitee = `${organisationId}-new`;
        const [a] = await givenTwoAdmins(c.store, organisationId);
        await c.store.putUser(aUser(invitee).withEmail(`${invitee}@race.example`).build());
        const token = randomBytes(32).toString('base64url');
        const { createHash } = await import('node:crypto');
        const loaded = (await c.store.organisations.load(organisationId))!;
        await c.store.organisations.save(
          {
            organisationId,
            profile: null,
            upsertedMembers: [],
            removedMembers: [],
            removedInvitations: [],
            events: [],
            upsertedInvitations: [
              {
                id: `inv-${round}`,
                email: `${invitee}@race.example`,
                role: 'partner_user',
                status: 'pending',
                tokenHash: createHash('sha256').update(token).digest('base64url'),
                invitedBy: a,
                createdAt: new Date(),
                expiresAt: new Date(Date.now() + 86_400_000),
                closedAt: null,
                acceptedBy: null,
              },
            ],
          },
          loaded.version,
        );
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, n) =>
            send(c.servers[n % 2]!, invitee, 'POST', '/invitations/accept', {
              token,
            }),
          ),
        );
        tally(statuses, answers);
        await expectOneWinner(c, organisationId, round, answers, {
          won: 200,
          action: 'invitation.accepted',
          kept: (state) => state.memberships.filter((m) => m.userId === invitee),
        });
      }
    });
    console.log(`      accepts: ${JSON.stringify(Object.fromEntries(statuses))}`);
  });
});
