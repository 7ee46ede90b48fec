import { expect } from 'chai';
import type { FixtureFile } from './fixture.js';
import { testFixture } from './test-support/test-fixture.js';
import { TestServer, type Client } from './test-support/test-server.js';

/**
 * Every actor × every endpoint × every target kind, against a started server, with the expected
 * status of each cell. Before each cell the store is re-seeded; after each denied cell the store
 * must be exactly as before.
 *
 * The demoted admin (dan) and the removed member (rex) sign in first, then ada demotes and removes
 * them over HTTP: their tokens stay cryptographically valid, so only membership can deny them.
 */

type Actor = 'anonymous' | 'partner_user' | 'admin' | 'other_admin' | 'suspended' | 'archived' | 'pending' | 'no_member' | 'demoted' | 'removed';
type Target = 'self' | 'teammate' | 'foreign' | 'missing';

const who: Record<Exclude<Actor, 'anonymous'>, string> = {
  partner_user: 'cy',
  admin: 'ada',
  other_admin: 'eve',
  suspended: 'sam',
  archived: 'arn',
  pending: 'pat',
  no_member: 'gus',
  demoted: 'dan',
  removed: 'rex',
};
// The teammate of each actor (a member of the actor's own organisation, never themselves).
const teammate: Record<Actor, string> = {
  anonymous: 'dee',
  partner_user: 'dee',
  admin: 'dee',
  other_admin: 'fay',
  suspended: 'sue',
  archived: 'amy',
  pending: 'pam',
  no_member: 'dee',
  demoted: 'dee',
  removed: 'dee',
};
const foreignOf = (actor: Actor): string => (actor === 'other_admin' ? 'dee' : 'fay');
const userTarget = (actor: Actor, target: Target): string =>
  target === 'self' ? (actor === 'anonymous' ? 'ada' : who[actor]) : target === 'teammate' ? teammate[actor] : target === 'foreign' ? foreignOf(actor) : 'nobody-here';
// Invitations: "own" = a pending invitation of the actor's organisation, "foreign" = another organisation's.
const ownInvitation: Partial<Record<Actor, string>> = { admin: 'seed-inv-1', partner_user: 'seed-inv-1', demoted: 'seed-inv-1', other_admin: 'seed-inv-2', suspended: 'seed-inv-3' };
const invitationTarget = (actor: Actor, target: 'own' | 'foreign' | 'missing'): string =>
  target === 'own' ? (ownInvitation[actor] ?? 'seed-inv-1') : target === 'foreign' ? (actor === 'other_admin' ? 'seed-inv-1' : 'seed-inv-2') : 'inv-missing';

interface Cell {
  readonly name: string;
  readonly send: (client: Client) => Promise<{ status: number; text: string }>;
  readonly expected: Record<Actor, number>;
}

const all = (status: number, overrides: Partial<Record<Actor, number>> = {}): Record<Actor, number> => ({
  anonymous: 401,
  partner_user: status,
  admin: status,
  other_admin: status,
  suspended: status,
  archived: status,
  pending: status,
  no_member: status,
  demoted: status,
  removed: status,
  ...overrides,
});

// Shorthands for the columns that behave alike.
const nonMember = { no_member: 403, removed: 403, pending: 403 } as const;

function cells(): Cell[] {
  const list: Cell[] = [
    { name: 'GET /me', send: (c) => c.get('/me'), expected: all(200, { no_member: 403, removed: 403 }) },
    { name: 'GET /members', send: (c) => c.get('/members'), expected: all(200, nonMember) },
    { name: 'GET /invitations', send: (c) => c.get('/invitations'), expected: all(200, { ...nonMember, partner_user: 403, demoted: 403 }) },
    {
      name: 'POST /invitations',
      send: (c) => c.post('/invitations', { email: 'someone.new@example.test', role: 'partner_user' }),
      expected: all(201, { ...nonMember, partner_user: 403, demoted: 403, suspended: 403, archived: 403 }),
    },
    {
      name: 'POST /invitations/accept (someone else’s invitation)',
      send: (c) => c.post('/invitations/accept', { token: 'seed-invitation-token-0001' }),
      expected: all(403),
    },
    { name: 'GET /audit-events', send: (c) => c.get('/audit-events'), expected: all(200, { ...nonMember, partner_user: 403, demoted: 403 }) },
  ];
  const targets: Target[] = ['self', 'teammate', 'foreign', 'missing'];
  for (const target of targets) {
    list.push({
      name: `GET /members/:${target}/clients`,
      send: () => Promise.reject(new Error('per actor')),
      expected: {
        anonymous: 401,
        partner_user: target === 'self' ? 200 : 403,
        demoted: target === 'self' ? 200 : 403,
        admin: target === 'self' || target === 'teammate' ? 200 : 404,
        other_admin: target === 'self' || target === 'teammate' ? 200 : 404,
        suspended: target === 'self' || target === 'teammate' ? 200 : 404,
        archived: target === 'self' || target === 'teammate' ? 200 : 404,
        pending: 403,
        no_member: 403,
        removed: 403,
      },
    });
    const mutation = (success: number): Record<Actor, number> => ({
      anonymous: 401,
      // Self actions are refused as such; a partner_user acting on a teammate is forbidden; targets
      // outside the organisation are answered like missing ones.
      partner_user: target === 'self' ? 403 : target === 'teammate' ? 403 : 404,
      demoted: target === 'self' ? 403 : target === 'teammate' ? 403 : 404,
      admin: target === 'self' ? 403 : target === 'teammate' ? success : 404,
      other_admin: target === 'self' ? 403 : target === 'teammate' ? success : 404,
      suspended: 403,
      archived: 403,
      pending: 403,
      no_member: 403,
      removed: 403,
    });
    list.push({ name: `PATCH /members/:${target}`, send: () => Promise.reject(new Error('per actor')), expected: mutation(200) });
    list.push({ name: `DELETE /members/:${target}`, send: () => Promise.reject(new Error('per actor')), expected: mutation(204) });
  }
  for (const target of ['own', 'foreign', 'missing'] as const) {
    list.push({
      name: `DELETE /invitations/:${target}`,
      send: () => Promise.reject(new Error('per actor')),
      expected: all(target === 'own' ? 204 : 404, { ...nonMember, partner_user: 403, demoted: 403, suspended: 403, archived: 403 }),
    });
  }
  return list;
}

function sender(cell: Cell, actor: Actor): (client: Client) => Promise<{ status: number; text: string }> {
  const match = /^(GET|PATCH|DELETE) \/(members|invitations)\/:(\w+)(\/clients)?$/.exec(cell.name);
  if (match === null) return cell.send;
  const [, method, resource, target, clients] = match as unknown as [string, string, string, string, string | undefined];
  if (resource === 'invitations') return (c) => c.delete(`/invitations/${invitationTarget(actor, target as 'own' | 'foreign' | 'missing')}`);
  const userId = userTarget(actor, target as Target);
  if (clients !== undefined) return (c) => c.get(`/members/${userId}/clients`);
  if (method === 'PATCH') return (c) => c.patch(`/members/${userId}`, { role: 'partner_admin' });
  return (c) => c.delete(`/members/${userId}`);
}

// Teammates of partner_users are promoted by the PATCH cells; for the demotion-specific refusal
// (last admin) see the HTTP endpoint suite.
const fixture: FixtureFile = testFixture;

describe('authorization matrix: 10 actors × every endpoint × self / teammate / foreign / missing targets', function () {
  this.timeout(120_000);
  let server: TestServer;
  const clients = new Map<Actor, Client>();

  before(async function () {
    server = await TestServer.start({ fixture });
    for (const [actor, userId] of Object.entries(who)) clients.set(actor as Actor, await server.signIn(userId));
    clients.set('anonymous', server.anonymous());
    // dan is demoted and rex removed while both hold valid session tokens.
    const ada = clients.get('admin')!;
    expect((await ada.patch('/members/dan', { role: 'partner_user' })).status).to.equal(200);
    expect((await ada.delete('/members/rex')).status).to.equal(204);
  });
  after(async function () {
    await server.close();
  });

  const actors: Actor[] = ['anonymous', 'partner_user', 'admin', 'other_admin', 'suspended', 'archived', 'pending', 'no_member', 'demoted', 'removed'];

  it('matches the expected status in every cell, and denied cells change nothing', async function () {
    const mismatches: string[] = [];
    let checked = 0;
    for (const cell of cells()) {
      for (const actor of actors) {
        await server.reset();
        const store = server.store;
        // Re-apply the demotion and removal: the tokens of dan and rex predate them.
        const acme = (await store.organisations.load('acme'))!;
        await store.organisations.save(
          {
            organisationId: 'acme',
            profile: null,
            upsertedMembers: [{ userId: 'dan', role: 'partner_user', joinedAt: new Date() }],
            removedMembers: ['rex'],
            upsertedInvitations: [],
            removedInvitations: [],
            events: [],
          },
          acme.version,
        );
        const before = JSON.stringify(store.dump());
        const answer = await sender(cell, actor)(clients.get(actor)!);
        checked += 1;
        const expected = cell.expected[actor];
        if (answer.status !== expected) mismatches.push(`${cell.name} as ${actor}: expected ${expected}, got ${answer.status} ${answer.text.slice(0, 160)}`);
        if (answer.status >= 400 && JSON.stringify(store.dump()) !== before) mismatches.push(`${cell.name} as ${actor}: denied (${answer.status}) but the store changed`);
      }
    }
    expect(mismatches, mismatches.join('\n')).to.deep.equal([]);
    // 21 cells (6 fixed, 3 per user target kind × 4 kinds, 3 invitation targets) × 10 actors.
    expect(checked).to.equal(210);
  });
});
