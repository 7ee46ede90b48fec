import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { PartnerRole } from '@partner-team/core';
import { CsrfTokens, JwtSessionAuthenticator } from '@partner-team/express';
import { MongoPersistence } from '@partner-team/mongodb';
import { anOrganisation, aUser } from '@partner-team/testing';
import { expect } from 'chai';
import { startServerProcess, type ServerProcess } from './test-support/server-process.js';

/**
 * The invariants across processes, on the real MongoDB adapter: two server processes on one
 * database, requests released together, outcomes checked on the stored commits (the truth).
 */

const secret = 'cross-process-race-secret-of-32-characters';
const sessions = new JwtSessionAuthenticator(secret);
const csrf = new CsrfTokens(secret);
const silent = { debug() {}, info() {}, warn() {}, error() {} };
const naiveEntry = fileURLToPath(new URL('./test-support/naive-race-server.js', import.meta.url));

function mongoUri(database: string): string {
  const uri = process.env.MONGODB_URI;
  if (uri === undefined || uri === '') throw new Error('MONGODB_URI is not set: run through `npm test`, which starts FerretDB');
  const url = new URL(uri);
  url.pathname = `/${database}`;
  return url.toString();
}

interface Answer {
  status: number;
  code: string | undefined;
}

function as(userId: string) {
  const sessionId = randomBytes(12).toString('base64url');
  const token = sessions.issue({ userId, sessionId }, 3600);
  return {
    cookie: `partner_session=${token}`,
    'x-csrf-token': csrf.tokenFor(sessionId),
  };
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
      ...as(userId),
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

interface Cluster {
  readonly store: MongoPersistence;
  readonly servers: [ServerProcess, ServerProcess];
  stop(): Promise<void>;
}

async function cluster(database: string, entry?: string): Promise<Cluster> {
  const uri = mongoUri(database);
  const store = await MongoPersistence.open({
    uri,
    logger: silent,
    repairIntervalMs: 0,
  });
  const env = {
    MONGODB_URI: uri,
    SESSION_SECRET: secret,
    NODE_ENV: 'production',
          MAIL_OUTBOX_DIR: join(tmpdir(), 'partner-team-test-outbox'),
          TRUST_REQUEST_ID: 'on',
    MUTATIONS_PER_MINUTE: '1000000',
    LOG_LEVEL: 'info',
  };
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
  const head = await store.organisations.load(organisationId);
  const events = await store.auditLog.page(organisationId, {
    limit: 100,
    beforePosition: null,
  });
  return { state: head!.state, events: events.items.map((l) => l.event) };
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

/** Admins of an organisation as the store under test records them (the naive store keeps its own rows). */
async function adminsOf(c: Cluster, organisationId: string, naive: boolean): Promise<number> {
  if (naive) return c.store.db.collection('naive_members').countDocuments({ o: organisationId, r: 'partner_admin' });
  return (await truth(c.store, organisationId)).state.memberships.filter((m) => m.role === 'partner_admin').length;
}

async function race(pair: Pair, rounds: number, entry?: string): Promise<RaceReport> {
  const report: RaceReport = {
    rounds,
    zeroAdminRounds: 0,
    fiveHundreds: 0,
    untypedLosers: 0,
    auditMismatches: 0,
    outcomes: new Map(),
  };
  await inClusters(rounds, 25, entry, async (c, round) => {
    const organisationId = `r${round}`;
    const [a, b] = await givenTwoAdmins(c.store, organisationId);
    const answers = await Promise.all(raceRequests(pair, c.servers, a, b));
    const { events } = await truth(c.store, organisationId);
    if ((await adminsOf(c, organisationId, entry !== undefined)) === 0) report.zeroAdminRounds += 1;
    for (const answer of answers) {
      const key = `${answer.status} ${answer.code ?? ''}`.trim();
      report.outcomes.set(key, (report.outcomes.get(key) ?? 0) + 1);
      if (answer.status >= 500) report.fiveHundreds += 1;
      if (answer.status >= 400 && answer.status < 500 && answer.code === undefined) report.untypedLosers += 1;
    }
    const successes = answers.filter((x) => x.status < 300).length;
    if (events.length !== successes) report.auditMismatches += 1;
  });
  return report;
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
        const losers = [...report.outcomes].filter(([k]) => !k.startsWith('2')).reduce((n, [, v]) => n + v, 0);
        expect(losers, 'both requests of a round cannot both win').to.be.at.least(200);
      }
    });
  }

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
        for (const x of answers)
          statuses.set(`${x.status} ${x.code ?? ''}`.trim(), (statuses.get(`${x.status} ${x.code ?? ''}`.trim()) ?? 0) + 1);
        const { state, events } = await truth(c.store, organisationId);
        expect(
          state.invitations.filter((i) => i.status === 'pending'),
          `round ${round}`,
        ).to.have.length(1);
        expect(answers.filter((x) => x.status === 201)).to.have.length(1);
        expect(answers.every((x) => x.status === 201 || (x.status >= 400 && x.status < 500 && x.code !== undefined))).to.equal(true);
        expect(events.filter((e) => e.action === 'invitation.created')).to.have.length(1);
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
            ...loaded.state,
            invitations: [
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
          [],
        );
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, n) =>
            send(c.servers[n % 2]!, invitee, 'POST', '/invitations/accept', {
              token,
            }),
          ),
        );
        for (const x of answers)
          statuses.set(`${x.status} ${x.code ?? ''}`.trim(), (statuses.get(`${x.status} ${x.code ?? ''}`.trim()) ?? 0) + 1);
        const { state, events } = await truth(c.store, organisationId);
        expect(
          state.memberships.filter((m) => m.userId === invitee),
          `round ${round}`,
        ).to.have.length(1);
        expect(answers.filter((x) => x.status === 200)).to.have.length(1);
        expect(answers.every((x) => x.status === 200 || (x.status >= 400 && x.status < 500 && x.code !== undefined))).to.equal(true);
        expect(events.filter((e) => e.action === 'invitation.accepted')).to.have.length(1);
      }
    });
    console.log(`      accepts: ${JSON.stringify(Object.fromEntries(statuses))}`);
  });
});
