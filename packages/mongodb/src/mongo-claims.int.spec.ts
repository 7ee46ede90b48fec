import { ConcurrencyConflictError, MemberOfAnotherOrganisationError, type OrganisationChange } from '@partner-team/core';
import { anOrganisation, aUser } from '@partner-team/testing';
import { expect } from 'chai';
import { MongoNetworkError, type Collection } from 'mongodb';
import type { MongoPersistence } from './mongo-persistence.js';
import { freshPersistence } from './test-support/mongo-uri.js';

type Store = MongoPersistence & { drop(): Promise<void> };

let n = 0;
function restore(organisationId: string, add: string[], remove: string[] = []): OrganisationChange {
  n += 1;
  return {
    organisationId,
    profile: null,
    upsertedMembers: add.map((userId) => ({ userId, role: 'partner_user' as const, joinedAt: new Date() })),
    removedMembers: remove,
    upsertedInvitations: [],
    removedInvitations: [],
    events: [
      {
        id: `evt-claims-${n}`,
        organisationId,
        action: 'member.restored' as const,
        actorKind: 'support_operator' as const,
        actorUserId: 'op',
        reason: 'test',
        targetUserId: add[0] ?? remove[0] ?? null,
        invitationId: null,
        before: null,
        after: null,
        at: new Date(),
        requestId: null,
      },
    ],
  };
}

/** Holds the next call of `method` on `collection` until `release()`; `reached` resolves when it is called. */
function hold(collection: Collection<never>, method: 'insertOne'): { release(): void; reached: Promise<void> } {
  const target = collection as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = target[method]!.bind(collection);
  let release!: () => void;
  let reached!: () => void;
  const opened = new Promise<void>((resolve) => (release = resolve));
  const hit = new Promise<void>((resolve) => (reached = resolve));
  target[method] = async (...args: unknown[]) => {
    reached();
    await opened;
    target[method] = original;
    return original(...args);
  };
  return { release, reached: hit };
}

/** Makes the next call of `method` on `collection` fail as a lost connection would. */
function failOnce(collection: Collection<never>, method: string): void {
  const target = collection as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const original = target[method]!;
  target[method] = () => {
    target[method] = original;
    return Promise.reject(new MongoNetworkError('simulated: connection reset'));
  };
}

async function members(store: Store, organisationId: string): Promise<string[]> {
  store.forgetViews();
  return ((await store.exportOrganisation(organisationId))?.state.memberships ?? []).map((m) => m.userId).sort();
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    return error;
  }
  return undefined;
}

/**
 * "A user belongs to at most one partner organisation" across processes without transactions
 * (ADR 0006): two `MongoPersistence` objects on one database stand for two server processes.
 */
describe('MongoDB adapter: one organisation per user, across processes', function () {
  let p1: Store;
  let p2: Store;

  beforeEach(async function () {
    p1 = await freshPersistence();
    p2 = await freshPersistence({ databaseName: p1.db.databaseName });
    for (const id of ['ada', 'bob', 'uma']) await p1.putUser(aUser(id).withEmail(`${id}@x.example`).build());
    await p1.createOrganisation(anOrganisation('orga').withAdmins('ada').build());
    await p1.createOrganisation(anOrganisation('orgb').withAdmins('bob').build());
  });

  afterEach(async function () {
    await p2.close();
    await p1.drop();
  });

  it('a join held between its claim and its entry loses to a join elsewhere that took over the claim: never both', async function () {
    const a = await p1.organisations.load('orga', ['uma']);
    const b = await p2.organisations.load('orgb', ['uma']);
    const held = hold(p1.collections.history as unknown as Collection<never>, 'insertOne');
    const first = p1.organisations.save(restore('orga', ['uma']), a!.version);
    await held.reached;
    await p2.organisations.save(restore('orgb', ['uma']), b!.version);
    held.release();
    expect(await rejection(first)).to.be.instanceOf(ConcurrencyConflictError);
    // Its retry (a fresh load) meets the membership elsewhere.
    const again = await p1.organisations.load('orga', ['uma']);
    expect(await rejection(p1.organisations.save(restore('orga', ['uma']), again!.version))).to.be.instanceOf(MemberOfAnotherOrganisationError);
    expect(await members(p1, 'orga')).to.deep.equal(['ada']);
    expect(await members(p1, 'orgb')).to.deep.equal(['bob', 'uma']);
  });

  it('two processes adding the same user to two organisations at once, 20 rounds: exactly one joins each time', async function () {
    this.timeout(120_000);
    const users = Array.from({ length: 20 }, (_, k) => `r${k}`);
    for (const id of users) await p1.putUser(aUser(id).withEmail(`${id}@x.example`).build());
    const attempt = async (store: Store, organisationId: string, userId: string): Promise<string> => {
      for (let tries = 0; tries < 10; tries += 1) {
        const record = await store.organisations.load(organisationId, [userId]);
        try {
          await store.organisations.save(restore(organisationId, [userId]), record!.version);
          return 'joined';
        } catch (error: unknown) {
          if (!(error instanceof ConcurrencyConflictError)) return (error as Error).name;
        }
      }
      return 'gave up';
    };
    const outcomes: string[] = [];
    for (const userId of users) {
      const [x, y] = await Promise.all([attempt(p1, 'orga', userId), attempt(p2, 'orgb', userId)]);
      outcomes.push(`${x}/${y}`);
    }
    const a = await members(p1, 'orga');
    const b = await members(p1, 'orgb');
    expect(users.filter((u) => a.includes(u) && b.includes(u)), 'users in both organisations').to.deep.equal([]);
    expect(users.filter((u) => !a.includes(u) && !b.includes(u)), 'users in neither').to.deep.equal([]);
    expect(outcomes.filter((o) => o.split('/').filter((x) => x === 'joined').length !== 1), 'rounds without exactly one join').to.deep.equal([]);
  });

  it('a claim pointer left behind by a failed raise does not let a later join skip the newer claim', async function () {
    let a = await p1.organisations.load('orga', ['uma']);
    await p1.organisations.save(restore('orga', ['uma']), a!.version);
    a = await p1.organisations.load('orga', ['uma']);
    await p1.organisations.save(restore('orga', [], ['uma']), a!.version);
    failOnce(p2.collections.claimPointers as unknown as Collection<never>, 'updateOne');
    const b = await p2.organisations.load('orgb', ['uma']);
    await p2.organisations.save(restore('orgb', ['uma']), b!.version);
    a = await p1.organisations.load('orga', ['uma']);
    expect(await rejection(p1.organisations.save(restore('orga', ['uma']), a!.version))).to.be.instanceOf(MemberOfAnotherOrganisationError);
    expect(await members(p1, 'orga')).to.deep.equal(['ada']);
    expect(await members(p1, 'orgb')).to.deep.equal(['bob', 'uma']);
  });

  it('an accept that failed after taking its claim does not keep the user from joining elsewhere', async function () {
    const a = await p1.organisations.load('orga', ['uma']);
    const invitation = {
      id: 'inv-uma',
      email: 'uma@x.example',
      role: 'partner_user' as const,
      tokenHash: 'hash-uma',
      invitedBy: 'ada',
      createdAt: new Date(),
      expiresAt: new Date(Date.now() + 7 * 24 * 3600_000),
      closedAt: null,
      acceptedBy: null,
      status: 'pending' as const,
    };
    await p1.organisations.save({ ...restore('orga', []), upsertedInvitations: [invitation] }, a!.version);
    const invited = await p1.organisations.load('orga', ['uma']);
    const accept = { ...restore('orga', ['uma']), upsertedInvitations: [{ ...invitation, status: 'accepted' as const, closedAt: new Date(), acceptedBy: 'uma' }] };
    failOnce(p1.collections.history as unknown as Collection<never>, 'insertOne');
    expect(await rejection(p1.organisations.save(accept, invited!.version)), 'the accept fails after its claim').to.be.instanceOf(Error);
    const b = await p2.organisations.load('orgb', ['uma']);
    await p2.organisations.save(restore('orgb', ['uma']), b!.version);
    expect(await members(p1, 'orgb')).to.deep.equal(['bob', 'uma']);
    // And the abandoned accept, retried, is refused: the user is a member elsewhere now.
    const retried = await p1.organisations.load('orga', ['uma']);
    expect(await rejection(p1.organisations.save(accept, retried!.version))).to.be.instanceOf(MemberOfAnotherOrganisationError);
  });
});
