import { ConcurrencyConflictError, StoreUnavailableError, type Invitation, type OrganisationChange } from '@partner-team/core';
import { parseRosterQuery } from '@partner-team/core/roster';
import { anOrganisation, aUser } from '@partner-team/testing';
import { expect } from 'chai';
import { MongoNetworkError, MongoNetworkTimeoutError, MongoServerError } from 'mongodb';
import type { MongoPersistence } from './mongo-persistence.js';
import { freshPersistence } from './test-support/mongo-uri.js';

type Store = MongoPersistence & { drop(): Promise<void> };
type Methods = Record<string, (...args: unknown[]) => Promise<unknown>>;

let n = 0;
function change(organisationId: string, parts: { add?: string[]; remove?: string[]; invitations?: Invitation[] } = {}): OrganisationChange {
  n += 1;
  return {
    organisationId,
    profile: null,
    upsertedMembers: (parts.add ?? []).map((userId) => ({ userId, role: 'partner_user' as const, joinedAt: new Date() })),
    removedMembers: parts.remove ?? [],
    upsertedInvitations: parts.invitations ?? [],
    removedInvitations: [],
    events: [
      {
        id: `evt-faults-${n}`,
        organisationId,
        action: 'member.role_changed' as const,
        actorKind: 'partner_member' as const,
        actorUserId: 'ada',
        reason: null,
        targetUserId: null,
        invitationId: null,
        before: null,
        after: null,
        at: new Date(),
        requestId: null,
      },
    ],
  };
}

/** Replaces `method` of `target` for its next `times` calls. */
function replaceNext(target: unknown, method: string, times: number, replacement: (original: (...args: unknown[]) => Promise<unknown>, ...args: unknown[]) => Promise<unknown>): void {
  const methods = target as Methods;
  const original = methods[method]!.bind(target);
  let left = times;
  methods[method] = async (...args: unknown[]) => {
    left -= 1;
    if (left <= 0) methods[method] = original;
    return replacement(original, ...args);
  };
}

const lost = (): Promise<never> => Promise.reject(new MongoNetworkError('simulated: connection reset'));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    return error;
  }
  return undefined;
}

const pendingInvitation = (id: string, tokenHash: string): Invitation => ({
  id,
  email: `${id}@x.example`,
  role: 'partner_user',
  status: 'pending',
  tokenHash,
  invitedBy: 'ada',
  createdAt: new Date(),
  expiresAt: new Date(Date.now() + 7 * 24 * 3600_000),
  closedAt: null,
  acceptedBy: null,
});

/** What a save answers, and what other processes see, when the store fails part-way (ADR 0006). */
describe('MongoDB adapter: answers and convergence when the store fails part-way', function () {
  let p1: Store;
  let p2: Store;

  beforeEach(async function () {
    p1 = await freshPersistence();
    p2 = await freshPersistence({ databaseName: p1.db.databaseName, historyCheckMs: 300 });
    for (const id of ['ada', 'bob', 'cy']) await p1.putUser(aUser(id).withEmail(`${id}@x.example`).build());
    await p1.createOrganisation(anOrganisation('acme').withAdmins('ada', 'bob').withUsers('cy').build());
  });

  afterEach(async function () {
    await p2.close();
    await p1.drop();
  });

  it('a change stored whose ring write is lost is not answered as a plain success, and its invitation link works once any process repairs it', async function () {
    expect((await p2.memberships.findByUser('cy'))?.membership.role).to.equal('partner_user');
    const record = await p1.organisations.load('acme', ['ada']);
    replaceNext(p1.collections.heads, 'updateOne', 2, () => lost());
    const error = await rejection(p1.organisations.save(change('acme', { remove: ['cy'], invitations: [pendingInvitation('inv1', 'hash-inv1')] }), record!.version));
    expect(error, 'the answer says the change may have been applied').to.be.instanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).outcome).to.equal('unknown');
    // The token lookup was written before the entry; another process sees the change once its
    // history check is due (it runs beside the request that finds it due), and repairs the head.
    expect(await p2.organisations.findByInvitationTokenHash('hash-inv1'), 'the invitation link at once').to.equal('acme');
    await new Promise((resolve) => setTimeout(resolve, 400));
    await p2.memberships.findByUser('cy');
    await p2.settle();
    expect(await p2.memberships.findByUser('cy'), 'the removal, on the other process').to.equal(undefined);
    expect(await p2.organisations.findByInvitationTokenHash('hash-inv1'), 'the invitation link').to.equal('acme');
    expect(await p1.organisations.findByInvitationTokenHash('hash-inv1')).to.equal('acme');
  });

  it('a history check that finds an entry this process appended meanwhile answers normally', async function () {
    const quick = await freshPersistence({ databaseName: p1.db.databaseName, historyCheckMs: 0 });
    try {
      const record = await quick.organisations.load('acme', ['bob']);
      let reached!: () => void;
      const atRead = new Promise<void>((resolve) => (reached = resolve));
      replaceNext(quick.collections.history, 'findOne', 1, async (original, ...args) => {
        reached();
        await new Promise((resolve) => setTimeout(resolve, 150));
        return original(...args);
      });
      const read = quick.memberships.findByUser('ada');
      await atRead;
      await quick.organisations.save(change('acme', { remove: ['cy'] }), record!.version);
      expect((await read)?.membership.role).to.equal('partner_admin');
      expect((await quick.roster.page('acme', parseRosterQuery({}, 'partner_admin'))).total).to.equal(2);
    } finally {
      await quick.close();
    }
  });

  it('an insert whose answer is lost while it still lands is answered "may have been applied", never "nothing applied"', async function () {
    const record = await p1.organisations.load('acme', ['cy']);
    replaceNext(p1.collections.history, 'insertOne', 1, (original, ...args) => {
      setTimeout(() => void original(...args).catch(() => undefined), 300);
      return Promise.reject(new MongoNetworkTimeoutError('simulated: socket timeout'));
    });
    const error = await rejection(p1.organisations.save(change('acme', { remove: ['cy'] }), record!.version));
    expect(error).to.be.instanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).outcome).to.equal('unknown');
  });

  it('a duplicate whose holder cannot be read is answered "may have been applied" (503), not as an unexpected error', async function () {
    const record = await p1.organisations.load('acme', ['bob']);
    replaceNext(p1.collections.history, 'insertOne', 1, () => Promise.reject(new MongoServerError({ message: 'E11000 duplicate key error', code: 11000 })));
    replaceNext(p1.collections.history, 'findOne', 1, () => lost());
    const error = await rejection(p1.organisations.save(change('acme', { remove: ['cy'] }), record!.version));
    expect(error).to.be.instanceOf(StoreUnavailableError);
    expect((error as StoreUnavailableError).outcome).to.equal('unknown');
  });

  it('a conflict stays a conflict when the repair of the winner’s slot fails', async function () {
    const seen = await p1.organisations.load('acme', ['cy']);
    const other = await p2.organisations.load('acme', ['cy']);
    await p2.organisations.save(change('acme', { remove: ['cy'] }), other!.version);
    replaceNext(p1.collections.recent('acme'), 'findOne', 3, () => lost());
    expect(await rejection(p1.organisations.save(change('acme', { add: ['bob'] }), seen!.version))).to.be.instanceOf(ConcurrencyConflictError);
  });
});
