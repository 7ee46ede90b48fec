#!/usr/bin/env node
// Test-only: the bundled server over a deliberately naive check-then-update store, where each
// membership is its own document, read, checked and then updated in place, without any version
// check. It exists only so that the cross-process race harness can show that it really overlaps
// requests (this store loses the last admin); it is never used by the product.
import type { OrganisationRepository, OrganisationState } from '@partner-team/core';
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
  const loaded = new Map<string, OrganisationState>();
  const organisations: OrganisationRepository = {
    async load(id) {
      const head = await persistence.organisations.load(id);
      if (head === undefined) return undefined;
      let rows = await members.find({ o: id }).toArray();
      if (rows.length === 0) {
        rows = head.state.memberships.map((m) => ({ _id: `${id}/${m.userId}`, o: id, u: m.userId, r: m.role }));
        await members.insertMany(rows).catch(() => undefined);
      }
      const state: OrganisationState = {
        ...head.state,
        memberships: rows.map((r) => ({ userId: r.u, role: r.r, joinedAt: new Date(0) })),
      };
      loaded.set(id, state);
      return { state, version: 1 };
    },
    async save(state) {
      const before = loaded.get(state.id);
      const wanted = new Map(state.memberships.map((m) => [m.userId, m.role]));
      for (const m of before?.memberships ?? []) {
        const role = wanted.get(m.userId);
        if (role === undefined) await members.deleteOne({ _id: `${state.id}/${m.userId}` });
        else if (role !== m.role) await members.updateOne({ _id: `${state.id}/${m.userId}` }, { $set: { r: role } });
      }
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
