import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { Client, TestServer } from './test-support/test-server.js';

/**
 * Who may call what across the two surfaces, against a started server:
 *
 * - every operations endpoint × no credential, a partner_admin's and a partner_user's session (as a
 *   bearer token and as the operator cookie), an operator (support_operator) and an operator of the
 *   lower role (support_viewer), with the expected status of each cell; the store is re-seeded
 *   before each cell and must be unchanged after each refused one;
 * - every partner endpoint × an operator's token, however presented: refused (401).
 *
 * Both lists of endpoints are checked against the served OpenAPI documents, so a new endpoint
 * without a row fails here.
 */

type Column = 'none' | 'partner_admin:bearer' | 'partner_admin:cookie' | 'partner_user:bearer' | 'partner_user:cookie' | 'operator' | 'viewer';
const columns: Column[] = ['none', 'partner_admin:bearer', 'partner_admin:cookie', 'partner_user:bearer', 'partner_user:cookie', 'operator', 'viewer'];
const reason = 'authorization matrix';
const q = `reason=${encodeURIComponent(reason)}`;

interface Cell {
  /** "METHOD /documented/{path}" as the OpenAPI document names it. */
  readonly endpoint: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body?: unknown;
  /** Status for an operator; a viewer gets it too for reads, 403 for changes. */
  readonly success: number;
  readonly read: boolean;
  /** No credential needed (the OpenAPI document). */
  readonly open?: boolean;
}

const cells: Cell[] = [
  { endpoint: 'GET /me', method: 'GET', path: '/me', success: 200, read: true },
  { endpoint: 'GET /openapi.json', method: 'GET', path: '/openapi.json', success: 200, read: true, open: true },
  { endpoint: 'POST /organisations', method: 'POST', path: '/organisations', body: { organisationId: 'brandnew', name: 'Brand New', reason }, success: 201, read: false },
  { endpoint: 'GET /organisations/{organisationId}', method: 'GET', path: `/organisations/acme?${q}`, success: 200, read: true },
  { endpoint: 'POST /organisations/{organisationId}/bootstrap', method: 'POST', path: '/organisations/pen/bootstrap', body: { userId: 'pat', reason }, success: 200, read: false },
  { endpoint: 'POST /organisations/{organisationId}/status', method: 'POST', path: '/organisations/acme/status', body: { status: 'suspended', reason }, success: 200, read: false },
  { endpoint: 'POST /organisations/{organisationId}/invitations-switch', method: 'POST', path: '/organisations/acme/invitations-switch', body: { enabled: false, reason }, success: 200, read: false },
  { endpoint: 'POST /organisations/{organisationId}/admins', method: 'POST', path: '/organisations/acme/admins', body: { userId: 'cy', reason }, success: 200, read: false },
  { endpoint: 'POST /organisations/{organisationId}/members', method: 'POST', path: '/organisations/acme/members', body: { userId: 'gus', role: 'partner_user', reason }, success: 201, read: false },
  {
    endpoint: 'POST /organisations/{organisationId}/members/import',
    method: 'POST',
    path: '/organisations/acme/members/import',
    body: { members: [{ userId: 'gus', role: 'partner_user' }], reason },
    success: 200,
    read: false,
  },
  {
    endpoint: 'POST /organisations/{organisationId}/assignments',
    method: 'POST',
    path: '/organisations/acme/assignments',
    body: { assignments: [{ userId: 'dee', clientId: 'c-north', name: 'Northwind' }], reason },
    success: 200,
    read: false,
  },
  {
    endpoint: 'POST /organisations/{organisationId}/assignments/unassign',
    method: 'POST',
    path: '/organisations/acme/assignments/unassign',
    body: { assignments: [{ userId: 'cy', clientId: 'c-north' }], reason },
    success: 200,
    read: false,
  },
  { endpoint: 'GET /organisations/{organisationId}/assignments/broken', method: 'GET', path: `/organisations/acme/assignments/broken?${q}`, success: 200, read: true },
  { endpoint: 'POST /organisations/{organisationId}/assignments/repair', method: 'POST', path: '/organisations/acme/assignments/repair', body: { reason }, success: 200, read: false },
  { endpoint: 'GET /audit-events', method: 'GET', path: `/audit-events?${q}&limit=5`, success: 200, read: true },
  {
    endpoint: 'POST /users',
    method: 'POST',
    path: '/users',
    body: { users: [{ id: 'synced', name: 'Synced User', email: 'synced@outside.example', mfaEnabled: true }], reason },
    success: 200,
    read: false,
  },
];

function expected(cell: Cell, column: Column): number {
  if (cell.open === true) return cell.success;
  if (column === 'operator') return cell.success;
  if (column === 'viewer') return cell.read ? cell.success : 403;
  return 401;
}

/** The endpoints a served OpenAPI document lists, as "METHOD /path". */
async function documented(client: Client): Promise<string[]> {
  const document = (await client.get('/openapi.json')).body as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
}

describe('authorization across the two surfaces', function () {
  this.timeout(180_000);
  let server: TestServer;

  before(async function () {
    server = await TestServer.start();
  });
  after(async function () {
    await server.close();
  });

  it(`every operations endpoint × ${columns.length} credentials matches the expected status; refused cells change nothing`, async function () {
    expect(cells.map((c) => c.endpoint).sort()).to.deep.equal((await documented(server.anonymousOperator())).sort());
    const operationsUrl = `${server.baseUrl}/api/operations`;
    const clientOf = async (column: Column): Promise<Client> => {
      switch (column) {
        case 'none':
          return server.anonymousOperator();
        case 'operator':
          return server.operator('op-matrix', 'support_operator');
        case 'viewer':
          return server.operator('op-matrix-viewer', 'support_viewer');
        default: {
          const [role, how] = column.split(':') as ['partner_admin' | 'partner_user', 'bearer' | 'cookie'];
          const partner = await server.signIn(role === 'partner_admin' ? 'ada' : 'cy');
          expect(partner.csrfToken, 'the partner session is valid on its own surface').to.be.a('string');
          // Its valid partner CSRF token goes along: it must not help either.
          return partner.as(how === 'bearer' ? 'bearer' : 'operator-cookie', operationsUrl);
        }
      }
    };
    const mismatches: string[] = [];
    let checked = 0;
    for (const cell of cells) {
      for (const column of columns) {
        await server.reset();
        const client = await clientOf(column);
        const before = JSON.stringify(server.store.dump());
        const answer = cell.method === 'GET' ? await client.get(cell.path) : await client.post(cell.path, cell.body);
        checked += 1;
        const want = expected(cell, column);
        if (answer.status !== want) mismatches.push(`${cell.endpoint} as ${column}: expected ${want}, got ${answer.status} ${answer.text.slice(0, 160)}`);
        if (answer.status >= 400 && JSON.stringify(server.store.dump()) !== before) mismatches.push(`${cell.endpoint} as ${column}: refused (${answer.status}) but the store changed`);
        if (answer.status === 401 && (answer.body as { code?: string } | undefined)?.code !== 'unauthenticated') mismatches.push(`${cell.endpoint} as ${column}: 401 without the unauthenticated code`);
      }
    }
    console.log(`      operations matrix: ${checked} cells, ${mismatches.length} mismatches`);
    expect(mismatches, mismatches.join('\n')).to.deep.equal([]);
    expect(checked).to.equal(cells.length * columns.length);
  });

  it('every partner endpoint refuses an operator’s token, as a bearer token or in either session cookie', async function () {
    const partnerEndpoints = await documented(server.anonymous());
    const open = new Set(['GET /healthz', 'GET /readyz', 'GET /openapi.json']);
    const fill = (path: string) => path.replace('{userId}', 'cy').replace('{invitationId}', 'seed-inv-1');
    const bodies: Record<string, unknown> = {
      'POST /invitations': { email: 'someone@example.test', role: 'partner_user' },
      'PATCH /members/{userId}': { role: 'partner_admin' },
      'POST /invitations/accept': { token: 'seed-invitation-token-0001' },
    };
    const mismatches: string[] = [];
    let checked = 0;
    for (const role of ['support_operator', 'support_viewer'] as const) {
      const operator = await server.operator(`op-${role}`, role, 'operator-cookie');
      const partnerUrl = `${server.baseUrl}/api/partner-team`;
      const presentations = [operator.as('bearer', partnerUrl), operator.as('partner-cookie', partnerUrl), operator.as('operator-cookie', partnerUrl)];
      for (const endpoint of partnerEndpoints.filter((e) => !open.has(e))) {
        const [method, path] = endpoint.split(' ') as [string, string];
        for (const client of presentations) {
          await server.reset();
          const before = JSON.stringify(server.store.dump());
          // With a well-formed CSRF header, so that only authentication can refuse.
          const answer = await client.request(method, fill(path), { ...(bodies[endpoint] === undefined ? {} : { body: bodies[endpoint] }), headers: { 'x-csrf-token': randomBytes(32).toString('base64url').slice(0, 43) } });
          checked += 1;
          if (answer.status !== 401 || (answer.body as { code?: string } | undefined)?.code !== 'unauthenticated') {
            mismatches.push(`${endpoint} with a ${role} token as ${client.credential}: ${answer.status} ${answer.text.slice(0, 120)}`);
          }
          if (JSON.stringify(server.store.dump()) !== before) mismatches.push(`${endpoint} with a ${role} token as ${client.credential}: the store changed`);
        }
      }
    }
    console.log(`      partner endpoints × operator tokens: ${checked} cells, ${mismatches.length} mismatches`);
    expect(mismatches, mismatches.join('\n')).to.deep.equal([]);
    expect(checked).to.equal((partnerEndpoints.length - open.size) * 3 * 2);
  });
});
