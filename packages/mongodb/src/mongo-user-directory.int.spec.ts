import { EmailInUseError, type OrganisationChange } from '@partner-team/core';
import { parseRosterQuery } from '@partner-team/core/roster';
import { anOrganisation, aUser } from '@partner-team/testing';
import { expectRejection } from '@partner-team/testing/assertions';
import { expect } from 'chai';
import { MongoNetworkError, type CommandStartedEvent } from 'mongodb';
import type { MongoPersistence } from './mongo-persistence.js';
import { freshPersistence } from './test-support/mongo-uri.js';

type Process = MongoPersistence & { drop(): Promise<void> };
type Method = (...args: unknown[]) => Promise<unknown>;

const writeMethods = ['bulkWrite', 'insertOne', 'insertMany', 'replaceOne', 'updateOne', 'deleteOne'] as const;

/**
 * Holds the first write a process sends to its `users` collection until `release()`: the process
 * has read what it needed and is about to write, as a concurrent request would be.
 */
function holdFirstWrite(process: MongoPersistence): { reached: Promise<void>; release(): void } {
  const target = process.collections.users as unknown as Record<string, Method>;
  let release: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => {
    release = resolve;
  });
  let reached: () => void = () => undefined;
  const hit = new Promise<void>((resolve) => {
    reached = resolve;
  });
  for (const name of writeMethods) {
    const original = target[name] as Method;
    target[name] = async (...args: unknown[]) => {
      for (const n of writeMethods) Reflect.deleteProperty(target, n);
      reached();
      await opened;
      return original.apply(target, args);
    };
  }
  return { reached: hit, release };
}

/** A change of one organisation's members, with the one audit event every change carries. */
function change(organisationId: string, members: { add?: string[]; remove?: string[] }, n: number): OrganisationChange {
  return {
    organisationId,
    profile: null,
    upsertedMembers: (members.add ?? []).map((userId) => ({ userId, role: 'partner_user', joinedAt: new Date() })),
    removedMembers: members.remove ?? [],
    upsertedInvitations: [],
    removedInvitations: [],
    events: [
      {
        id: `evt-${organisationId}-${n}`,
        organisationId,
        action: 'member.restored',
        actorKind: 'support_operator',
        actorUserId: 'op',
        reason: 'moving a member',
        targetUserId: members.add?.[0] ?? members.remove?.[0] ?? null,
        invitationId: null,
        before: null,
        after: null,
        at: new Date(),
        requestId: null,
      },
    ],
  };
}

const profile = (id: string, email: string, name = id.toUpperCase()) => ({ id, name, email, mfaEnabled: false });

/**
 * The directory across processes (two `MongoPersistence` objects on one database stand for two
 * server processes: their own views, claim caches and connection pools). FerretDB makes no
 * conditional write atomic, so what must hold across processes rests on inserts of unique `_id`s.
 */
describe('MongoUserDirectory across processes', function () {
  let p1: Process;
  let p2: Process;

  beforeEach(async function () {
    p1 = await freshPersistence();
    p2 = await freshPersistence({ databaseName: p1.db.databaseName });
    for (const id of ['ada', 'bob']) await p1.putUser(aUser(id).withEmail(`${id}@acme.example`).build());
  });

  afterEach(async function () {
    await p2.close();
    await p1.drop();
  });

  describe('email addresses', function () {
    it('gives an address to one user only when two processes take it at once', async function () {
      const held = holdFirstWrite(p1);
      const first = p1.users.upsert([profile('u1', 'same@acme.example')]);
      await held.reached;
      await p2.users.upsert([profile('u2', 'same@acme.example')]);
      held.release();
      const error = await expectRejection(first, EmailInUseError);
      expect(error.email).to.equal('same@acme.example');
      expect((await p1.users.findByEmail('same@acme.example'))?.id).to.equal('u2');
      expect(await p1.users.findById('u1')).to.equal(undefined);
      expect((await p2.users.findByIds(['u1', 'u2'])).map((u) => u.id)).to.deep.equal(['u2']);
    });

    it('leaves nothing of a batch another process refused: the addresses it took are given back', async function () {
      const held = holdFirstWrite(p1);
      const batch = p1.users.upsert([profile('new1', 'fresh@acme.example'), profile('new2', 'same@acme.example')]);
      await held.reached;
      await p2.users.upsert([profile('u2', 'same@acme.example')]);
      held.release();
      const error = await expectRejection(batch, EmailInUseError);
      expect(error.email).to.equal('same@acme.example');
      expect(await p1.users.findByIds(['new1', 'new2'])).to.deep.equal([]);
      expect(await p2.users.findByEmail('fresh@acme.example')).to.equal(undefined);
      expect((await p2.users.findByEmail('same@acme.example'))?.id).to.equal('u2');
      // The address given back can be taken.
      await p2.users.upsert([profile('u3', 'fresh@acme.example')]);
      expect((await p1.users.findByEmail('fresh@acme.example'))?.id).to.equal('u3');
    });

    it('keeps a user’s address when the one they move to is taken by another process meanwhile', async function () {
      const held = holdFirstWrite(p1);
      const move = p1.users.upsert([profile('ada', 'wanted@acme.example', 'Ada')]);
      await held.reached;
      await p2.users.upsert([profile('u2', 'wanted@acme.example')]);
      held.release();
      await expectRejection(move, EmailInUseError);
      expect((await p1.users.findByEmail('ada@acme.example'))?.id).to.equal('ada');
      expect((await p2.users.findById('ada'))?.email).to.equal('ada@acme.example');
      expect((await p2.users.findByEmail('wanted@acme.example'))?.id).to.equal('u2');
    });

    it('takes two first writes of one new user on two processes at once, leaving them one address', async function () {
      const held = holdFirstWrite(p1);
      const first = p1.users.upsert([profile('nu', 'first@acme.example', 'First')]);
      await held.reached;
      await p2.users.upsert([profile('nu', 'second@acme.example', 'Second')]);
      held.release();
      await first;
      const stored = await p2.users.findById('nu');
      expect(stored).to.deep.equal({ id: 'nu', name: 'First', email: 'first@acme.example', mfaEnabled: false, lastActiveAt: null });
      expect((await p2.users.findByEmail('first@acme.example'))?.id).to.equal('nu');
      expect(await p2.users.findByEmail('second@acme.example')).to.equal(undefined);
    });
  });

  describe('profiles of members', function () {
    beforeEach(async function () {
      await p1.putUser(aUser('uma').named('Uma Old').withEmail('uma@acme.example').build());
      await p1.putUser(aUser('vic').named('Vic Old').withEmail('vic@acme.example').build());
      await p1.createOrganisation(anOrganisation('orga').withAdmins('ada').withUsers('uma', 'vic').build());
      await p1.createOrganisation(anOrganisation('orgb').withAdmins('bob').build());
      // P1 meets them as members of A (and keeps their claims cached).
      expect((await p1.memberships.findByUser('uma'))?.organisation.id).to.equal('orga');
      expect((await p1.memberships.findByUser('vic'))?.organisation.id).to.equal('orga');
    });

    /** P2 moves users from A to B. */
    async function moveToB(userIds: string[]): Promise<void> {
      const a = await p2.organisations.load('orga', userIds);
      await p2.organisations.save(change('orga', { remove: userIds }, 1), a!.version);
      const b = await p2.organisations.load('orgb', userIds);
      await p2.organisations.save(change('orgb', { add: userIds }, 1), b!.version);
    }

    /** B's roster rows as a request of its admin reads them: the membership check confirms the view, the page follows. */
    async function rowsOfB(process: MongoPersistence): Promise<string[]> {
      expect((await process.memberships.findByUser('bob'))?.organisation.id).to.equal('orgb');
      return (await process.roster.page('orgb', parseRosterQuery({}, 'partner_admin'))).items.map((e) => `${e.userId}:${e.name}`);
    }

    it('shows a profile change in the roster of the organisation the user just moved to on another process', async function () {
      await moveToB(['uma']);
      await p1.users.upsert([profile('uma', 'uma@acme.example', 'Uma New')]);
      expect(await rowsOfB(p2)).to.deep.equal(['bob:Bob', 'uma:Uma New']);
      expect(await rowsOfB(p1)).to.deep.equal(['bob:Bob', 'uma:Uma New']);
    });

    it('shows a batch’s profile changes in the roster of the organisation its users just moved to on another process', async function () {
      await moveToB(['uma', 'vic']);
      await p1.users.upsert([profile('uma', 'uma@acme.example', 'Uma New'), profile('vic', 'vic.new@acme.example', 'Vic New')]);
      expect(await rowsOfB(p2)).to.deep.equal(['bob:Bob', 'uma:Uma New', 'vic:Vic New']);
      p2.forgetViews();
      expect(await rowsOfB(p2)).to.deep.equal(['bob:Bob', 'uma:Uma New', 'vic:Vic New']);
    });

    it('brings every view to the directory’s copy when a directory write the store cut short is retried', async function () {
      expect((await p2.memberships.findByUser('uma'))?.organisation.id).to.equal('orga');
      // The users doc is written, then the store goes away before the roster refresh is appended.
      const history = p1.collections.history as unknown as Record<string, Method>;
      history.insertOne = () => Promise.reject(new MongoNetworkError('injected: the store went away'));
      const cut = await p1.users.upsert([profile('uma', 'uma.new@acme.example', 'Uma New')]).then(
        () => 'answered',
        (error: unknown) => error,
      );
      Reflect.deleteProperty(history, 'insertOne');
      expect(cut, 'the caller hears that the write may not be complete').to.be.instanceOf(Error);
      // The caller retries (directory writes are idempotent): the roster and the profile agree again.
      await p1.users.upsert([profile('uma', 'uma.new@acme.example', 'Uma New')]);
      expect((await p2.memberships.findByUser('uma'))?.organisation.id).to.equal('orga');
      const fresh = { id: 'uma', name: 'Uma New', email: 'uma.new@acme.example', mfaEnabled: false, lastActiveAt: new Date('2026-01-10T12:00:00.000Z') };
      expect(await p2.users.findById('uma')).to.deep.equal(fresh);
      const rows = (await p2.roster.page('orga', parseRosterQuery({}, 'partner_admin'))).items.map((e) => `${e.userId}:${e.name}`);
      expect(rows).to.include('uma:Uma New');
    });
  });

  describe('loading', function () {
    it('takes the addresses of new users with inserts only, in a number of commands that does not grow with them', async function () {
      const commands: string[] = [];
      const counting = await freshPersistence({ databaseName: p1.db.databaseName, clientOptions: { monitorCommands: true } });
      try {
        counting.client.on('commandStarted', (event: CommandStartedEvent) => {
          if (event.command[event.commandName] === 'users') commands.push(event.commandName);
        });
        const users = Array.from({ length: 120 }, (_, n) => profile(`load${n}`, `load${n}@acme.example`));
        await counting.users.upsert(users);
        expect(commands.filter((c) => c !== 'find' && c !== 'insert'), 'no update or delete').to.deep.equal([]);
        expect(commands.length).to.be.at.most(4);
        expect((await p1.users.findByEmail('load119@acme.example'))?.id).to.equal('load119');
      } finally {
        await counting.close();
      }
    });
  });
});
