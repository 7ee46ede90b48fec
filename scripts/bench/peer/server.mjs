// The benchmark peer (scripts/bench/peer.mjs forks it): better-auth with its organization plugin,
// serving `GET /api/auth/organization/list-members` for one organisation of the same 1,000 people the
// bench gives our server (scripts/bench/roster-data.mjs: names and emails; person 0 is the admin),
// on better-auth's memory adapter or its MongoDB adapter.
//   PEER_ADAPTER=memory|mongodb   MONGODB_URI=mongodb://host:port/ PEER_DB=<database> (mongodb only)
//   PORT=<port> (0 or unset: any free port)   PEER_MEMBERS=1000
// Reports { port, cookie, path, query, ... } over IPC once seeded and listening (like stack-server.mjs).
//
// Seeding (as in the investigation this row comes from): the admin signs up through the API (scrypt
// password hash; its set-cookie is the session), creates the organisation through the API (owner
// member, active organisation of the session), and the other 999 users and members are written
// straight through better-auth's adapter (ids and field mapping, no hooks, no membership-limit check).
// The MongoDB database is dropped first, so every start seeds from scratch.
/* global Headers */ // Node 20+ has it; eslint.config.js lists only the globals the scripts used so far
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { mongodbAdapter } from 'better-auth/adapters/mongodb';
import { toNodeHandler } from 'better-auth/node';
import { organization } from 'better-auth/plugins';
import { MongoClient } from 'mongodb';
import { person } from '../roster-data.mjs';

const adapterKind = process.env.PEER_ADAPTER ?? 'memory';
const members = Number(process.env.PEER_MEMBERS ?? 1000);
const port = Number(process.env.PORT ?? 0);
if (!['memory', 'mongodb'].includes(adapterKind)) throw new Error(`PEER_ADAPTER must be memory or mongodb, not ${adapterKind}`);

let client;
let database;
if (adapterKind === 'mongodb') {
  if (!process.env.MONGODB_URI || !process.env.PEER_DB) throw new Error('PEER_ADAPTER=mongodb needs MONGODB_URI and PEER_DB');
  client = new MongoClient(process.env.MONGODB_URI);
  await client.connect();
  const db = client.db(process.env.PEER_DB);
  await db.dropDatabase();
  // FerretDB 1.24 has no transactions; the adapter turns them on by default when given a client.
  database = mongodbAdapter(db, { client, transaction: false });
} else {
  database = memoryAdapter({ user: [], session: [], account: [], verification: [], organization: [], member: [], invitation: [] });
}

const auth = betterAuth({
  baseURL: 'http://127.0.0.1',
  secret: 'benchmark-peer-secret-of-at-least-32-characters',
  database,
  emailAndPassword: { enabled: true },
  // The default membershipLimit (100) would refuse 1,000 members. A numeric limit is also
  // list-members' default page size; the bench always passes limit=25.
  plugins: [organization({ membershipLimit: Math.max(100, members) })],
  // In production better-auth limits every route to 100 requests per 10 s per IP: a load test from
  // one address would measure 429s. Ours rate-limits mutations only.
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  logger: { level: 'warn' },
});
const ctx = await auth.$context;

const started = performance.now();
const jar = new Map();
const take = (headers) => {
  for (const c of headers.getSetCookie()) {
    const [pair] = c.split(';');
    const name = pair.slice(0, pair.indexOf('='));
    if (/max-age=0/i.test(c) || pair.endsWith('=')) jar.delete(name);
    else jar.set(name, pair);
  }
};
const cookie = () => [...jar.values()].join('; ');
const admin = person(0);
const signUp = await auth.api.signUpEmail({ body: { name: admin.name, email: admin.email, password: 'benchmark-peer-password' }, returnHeaders: true });
take(signUp.headers);
const created = await auth.api.createOrganization({ body: { name: 'Bench Partners', slug: 'bench' }, headers: new Headers({ cookie: cookie() }), returnHeaders: true });
take(created.headers);
const org = created.response;
const base = Date.UTC(2026, 0, 1);
for (let start = 1; start < members; start += 50) {
  await Promise.all(
    Array.from({ length: Math.min(50, members - start) }, async (_, i) => {
      const n = start + i;
      const p = person(n);
      const at = new Date(base + n * 1000);
      const user = await ctx.adapter.create({ model: 'user', data: { name: p.name, email: p.email, emailVerified: true, createdAt: at, updatedAt: at } });
      await ctx.adapter.create({ model: 'member', data: { organizationId: org.id, userId: user.id, role: 'member', createdAt: at } });
    }),
  );
}
const seedMs = performance.now() - started;

// The same request the bench measures, once through the API: 25 listed, total = every member.
const adminHeaders = new Headers({ cookie: cookie() });
const check = await auth.api.listMembers({ query: { limit: 25 }, headers: adminHeaders });
if (check.members.length !== 25 || check.total !== members) throw new Error(`seed check failed: ${check.members.length} listed, total ${check.total}`);
// And the whole list once (no limit: membershipLimit, i.e. every member), as a long-running server
// would have served. This matters on the memory adapter: without it, list-members cost about 1.7×
// the CPU per request in a side-by-side check (V8 state; hashing the user ids into a Set once did
// most of the same, so probably cached string hashes for the `id in [...]` filter's comparisons).
// The peer is measured in its faster state.
const all = await auth.api.listMembers({ headers: adminHeaders });
if (all.members.length !== members) throw new Error(`seed check failed: the whole list has ${all.members.length} members`);

const server = http.createServer(toNodeHandler(auth));
server.listen(port, '127.0.0.1', () => {
  process.send?.({
    port: server.address().port,
    cookie: cookie(),
    path: '/api/auth/organization/list-members?limit=25',
    organizationId: org.id,
    members,
    seedMs,
  });
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  await client?.close().catch(() => {});
  process.exit(0);
}
process.once('SIGTERM', () => void stop());
process.once('disconnect', () => void stop());
