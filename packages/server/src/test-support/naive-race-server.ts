#!/usr/bin/env node
// Test-only: the bundled server over a deliberately naive check-then-update store, where each
// membership is its own document, read, checked and then updated in place, without any version
// check. It exists only so that the cross-process race harness can show that it really overlaps
// requests (this store loses the last admin); it is never used by the product.
import type { Membership, OrganisationRecord, OrganisationRepository } from '@partner-team/core';
import { MongoPersistence } from '@partner-team/mongodb';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';
import { createContainer, randomSessionSecret } from '../container.js';
import type { Persistence } from '../persistence.js';

interface NaiveMember {
  _id: string;
  o: string;
  u: string;
  r: 'partner_admin' | 'partner_user';
}

function naive(persistence: MongoPersistence): Persistence {
  const members = persistence.db.collection<NaiveMember>('naive_members');
  /** The organisation as this store sees it: the real profile, the memberships from the naive rows. */
  const record = async (id: string, users: readonly string[]): Promise<OrganisationRecord | undefined> => {
    const real = await persistence.organisations.load(id);
    const state = (await persistence.exportOrganisation(id))?.state;
    if (real === undefined || state === undefined) return undefined;
    let rows = await members.find({ o: id }).toArray();
    if (rows.length === 0) {
      rows = state.memberships.map((m) => ({ _id: `${id}/${m.userId}`, o: id, u: m.userId, r: m.role }));
      await members.insertMany(rows).catch(() => undefined);
    }
    const byUser = new Map(rows.map((r): [string, Membership] => [r.u, { userId: r.u, role: r.r, joinedAt: new Date(0) }]));
    return {
      ...real,
      version: 1,
      adminCount: rows.filter((r) => r.r === 'partner_admin').length,
      members: new Map(users.map((u) => [u, byUser.get(u) ?? null])),
    };
  };
  const organisations: OrganisationRepository = {
    async loadForMember(userId, teammates = []) {
      const row = await members.findOne({ u: userId });
      const organisationId = row?.o ?? (await persistence.memberships.findByUser(userId))?.organisation.id;
      return organisationId === undefined ? undefined : record(organisationId, [userId, ...teammates]);
    },
    load: (id, users = []) => record(id, users),
    // No version check: each membership row is updated in place, whatever happened since the load.
    async save(change) {
      for (const userId of change.removedMembers) await members.deleteOne({ _id: `${change.organisationId}/${userId}` });
      for (const m of change.upsertedMembers) await members.updateOne({ _id: `${change.organisationId}/${m.userId}` }, { $set: { r: m.role } });
    },
    findByInvitationTokenHash: (hash) => persistence.organisations.findByInvitationTokenHash(hash),
  };
  return {
    kind: 'mongodb',
    organisations,
    memberships: persistence.memberships,
    roster: persistence.roster,
    auditLog: persistence.auditLog,
    users: persistence.users,
    clients: persistence.clients,
    ready: () => persistence.ready(),
    close: () => persistence.close(),
  };
}

const config = loadConfig(process.env, randomSessionSecret);
const container = await createContainer(config, {
  persistence: async () => naive(await MongoPersistence.open({ uri: config.mongodbUri ?? '', logger: { debug() {}, info() {}, warn() {}, error() {} } })),
});
const server = createApp(container).listen(config.port, config.host, () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  process.stdout.write(`${JSON.stringify({ message: 'naive race server listening', url: `http://${config.host}:${port}/` })}\n`);
});
