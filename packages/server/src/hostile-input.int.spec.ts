import { expect } from 'chai';
import fc from 'fast-check';
import { TestServer, type Answer, type Client } from './test-support/test-server.js';

/**
 * More than a thousand generated malformed requests from a signed-in admin with a valid CSRF token
 * (so that every layer down to the domain is reached): operator objects, prototype keys, wrong
 * types, huge strings, NUL characters, bad JSON, wrong content types, hostile ids and queries.
 * Each is invalid by construction; every answer must be a 4xx problem+json without internals, and
 * the store must end exactly as it began.
 */

// Every case is sent by the signed-in admin with its CSRF token (no case drops the cookie or the
// token), so none may be refused before validation: by session, CSRF, rate limit or role.
const refusedBeforeValidation = new Set(['csrf_failed', 'unauthenticated', 'rate_limited', 'forbidden', 'not_a_partner_member']);
const leak = /\bat [^\s]+:\d+|stack|Mongo|TypeError|ReferenceError|SyntaxError|Unexpected token|node_modules|\/work\//;
const existingIds = new Set(['ada', 'bob', 'cy', 'dee', 'dan', 'rex', 'eve', 'fay', 'sam', 'sue', 'arn', 'amy', 'pat', 'pam', 'oli', 'gus', 'newbie']);

const operator = fc.constantFrom<Record<string, unknown>>({ $ne: null }, { $gt: '' }, { $regex: '.*' }, { $where: 'sleep(1000)' }, { $in: ['partner_admin'] }, { $exists: true });
const hugeString = fc.constantFrom('x'.repeat(300), 'y'.repeat(5_000), `${'z'.repeat(12_000)}@example.test`);
const controlString = fc.constantFrom('a\u0000b@example.test', 'nul\u0000', '\u0007bell@example.test', 'line\nbreak@example.test', '\u202Eevil@example.test');
const wrongType = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 1 }), operator);
const notAnEmail = fc.oneof(
  fc.string({ maxLength: 40 }).filter((s) => !s.includes('@')),
  hugeString.filter((s) => s.length > 254),
  controlString,
  wrongType,
);
const notARole = fc.oneof(fc.string({ maxLength: 20 }).filter((s) => s !== 'partner_admin' && s !== 'partner_user'), wrongType, fc.constantFrom('PARTNER_ADMIN', 'admin', 'owner', 'partner_admin ', '__proto__'));
const extraKey = fc.constantFrom('__proto__', 'constructor', 'prototype', '$where', 'organisationId', 'clientId', 'isAdmin', 'role ', 'Role');
const rawWithProto = (valid: Record<string, unknown>) =>
  extraKey.map((key) => JSON.stringify(valid).replace(/^\{/, `{${JSON.stringify(key)}:{"role":"partner_admin","polluted":true},`));

interface Body {
  readonly json?: unknown;
  readonly raw?: string;
}

const inviteBody: fc.Arbitrary<Body> = fc.oneof<fc.Arbitrary<Body>[]>(
  fc.record({ email: notAnEmail, role: fc.constantFrom('partner_user', 'partner_admin') }).map((b) => ({ json: b })),
  fc.record({ email: fc.constant('fine@example.test'), role: notARole }).map((b) => ({ json: b })),
  fc.record({ email: fc.constant('fine@example.test') }).map((b) => ({ json: b })),
  rawWithProto({ email: 'fine@example.test', role: 'partner_user' }).map((raw) => ({ raw })),
  fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.string(), fc.integer(), fc.constant(null)).map((b) => ({ json: b })),
);
const roleBody: fc.Arbitrary<Body> = fc.oneof<fc.Arbitrary<Body>[]>(
  fc.record({ role: notARole }).map((b) => ({ json: b })),
  rawWithProto({ role: 'partner_admin' }).map((raw) => ({ raw })),
  fc.record({ role: fc.constant('partner_admin'), organisationId: fc.constant('globex') }).map((b) => ({ json: b })),
  fc.constantFrom<unknown>([], 'partner_admin', 42, null, {}).map((b) => ({ json: b })),
);
const acceptBody: fc.Arbitrary<Body> = fc.oneof<fc.Arbitrary<Body>[]>(
  fc.record({ token: fc.oneof(fc.string({ maxLength: 21 }), fc.string({ minLength: 22, maxLength: 60 }).filter((s) => !/^[A-Za-z0-9_-]+$/.test(s)), hugeString, wrongType) }).map((b) => ({ json: b })),
  rawWithProto({ token: 'seed-invitation-token-0001' }).map((raw) => ({ raw })),
);
const badJson = fc.oneof(
  fc.constantFrom('{', '{"email":', '{"email":"a@b.c",}', "{'email':'x'}", '\uFEFF{"role":"partner_admin"}', 'undefined', 'NaN', '{"role":"partner_admin"}garbage', '[', '"unterminated', '{"a":1}{"b":2}'),
  fc.string({ maxLength: 30 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }),
);
const wrongContentType = fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=latin1', 'application/xml', 'application/jsonp', '');

// Paths: malformed ids (400) or well-formed ids that are not members (404): never an existing member.
const hostileId = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 80 }),
    fc.constantFrom('..', '%2e%2e', 'a%00b', '$ne', '__proto__', 'constructor', 'x'.repeat(65), '%F0%9F%98%80', '{"$ne":null}', 'ada%00', ' ada', 'ADA'),
  )
  .filter((s) => !existingIds.has(s) && s !== '' && !s.startsWith('seed-inv'))
  .map((s) => (/%[0-9A-F]{2}/i.test(s) ? s : encodeURIComponent(s)));

const membersQuery = fc.oneof(
  fc.constantFrom('q[$ne]=x', 'q=a&q=b', 'limit=0', 'limit=101', 'limit=abc', 'limit=1e2', 'limit=-1', 'limit=2.5', 'sort=password', 'sort=__proto__', 'order=sideways', 'cursor=%00', 'cursor=$$$', `q=${'x'.repeat(101)}`, 'q=%00', 'organisationId=globex', 'sort[]=name', 'cursor=e30', 'cursor=eyJ2IjoxfQ', `cursor=${'A'.repeat(3000)}`),
  fc.tuple(fc.constantFrom('limit', 'sort', 'order', 'cursor', 'q', 'unknown', 'clientId'), fc.string({ maxLength: 20 })).map(([k, v]) => `${k}=${encodeURIComponent(v)}&${k}=again`),
  fc.string({ minLength: 1, maxLength: 8 }).filter((k) => !['q', 'sort', 'order', 'limit', 'cursor'].includes(k)).map((k) => `${encodeURIComponent(k)}=1`),
);

type Request = (client: Client) => Promise<Answer>;

const send = (method: string, path: string, body: Body, contentType?: string): Request => (c) =>
  c.request(method, path, {
    raw: body.raw ?? JSON.stringify(body.json),
    headers: { 'content-type': contentType ?? 'application/json' },
  });

const requests: fc.Arbitrary<{ label: string; run: Request }> = fc.oneof(
  inviteBody.map((b) => ({ label: `POST /invitations ${b.raw ?? JSON.stringify(b.json)}`, run: send('POST', '/invitations', b) })),
  roleBody.map((b) => ({ label: `PATCH /members/cy ${b.raw ?? JSON.stringify(b.json)}`, run: send('PATCH', '/members/cy', b) })),
  acceptBody.map((b) => ({ label: `POST /invitations/accept ${b.raw ?? JSON.stringify(b.json)}`, run: send('POST', '/invitations/accept', b) })),
  fc.tuple(fc.constantFrom('/invitations', '/members/cy', '/invitations/accept'), badJson).map(([path, raw]) => ({
    label: `${path} bad JSON ${JSON.stringify(raw)}`,
    run: send(path === '/members/cy' ? 'PATCH' : 'POST', path, { raw }),
  })),
  fc.tuple(fc.constantFrom('/invitations', '/members/cy'), wrongContentType).map(([path, type]) => ({
    label: `${path} as ${type}`,
    run: send(path === '/members/cy' ? 'PATCH' : 'POST', path, { json: path === '/invitations' ? { email: 'ok@example.test', role: 'partner_user' } : { role: 'partner_admin' } }, type),
  })),
  hostileId.map((id) => ({ label: `DELETE /members/${id}`, run: (c: Client) => c.delete(`/members/${id}`) })),
  hostileId.map((id) => ({ label: `PATCH /members/${id}`, run: (c: Client) => c.patch(`/members/${id}`, { role: 'partner_admin' }) })),
  hostileId.map((id) => ({ label: `GET /members/${id}/clients`, run: (c: Client) => c.get(`/members/${id}/clients`) })),
  hostileId.map((id) => ({ label: `DELETE /invitations/${id}`, run: (c: Client) => c.delete(`/invitations/${id}`) })),
  membersQuery.map((q) => ({ label: `GET /members?${q}`, run: (c: Client) => c.get(`/members?${q}`) })),
  fc.constantFrom('limit=0', 'limit=x', 'cursor=!!', 'cursor=eyJ2IjoyfQ', 'x=1').map((q) => ({ label: `GET /audit-events?${q}`, run: (c: Client) => c.get(`/audit-events?${q}`) })),
  fc.constantFrom('/me?x=1', '/invitations?organisationId=globex').map((p) => ({ label: `GET ${p}`, run: (c: Client) => c.get(p) })),
  fc.constantFrom('/members/cy', '/invitations/seed-inv-1').map((p) => ({
    label: `DELETE ${p} with a body`,
    run: (c: Client) => c.request('DELETE', p, { raw: '{"force":true}', headers: { 'content-type': 'application/json' } }),
  })),
);

describe('hostile input: ≥ 1,000 generated malformed requests', function () {
  this.timeout(300_000);
  let server: TestServer;

  before(async function () {
    server = await TestServer.start({ mutationsPerMinute: 1_000_000 });
  });
  after(async function () {
    await server.close();
  });

  it('answers every one with a 4xx problem+json without internals and changes nothing', async function () {
    const ada = await server.signIn('ada');
    expect(ada.csrfToken, 'the admin’s CSRF token').to.be.a('string').and.not.equal('');
    const before = JSON.stringify(server.store.dump());
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(requests, async ({ label, run }) => {
        const answer = await run(ada);
        sent += 1;
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const problem = answer.body as { code?: unknown; status?: unknown } | undefined;
        const ok =
          answer.status >= 400 &&
          answer.status < 500 &&
          /^application\/problem\+json/.test(answer.headers.get('content-type') ?? '') &&
          typeof problem?.code === 'string' &&
          problem.status === answer.status &&
          !refusedBeforeValidation.has(problem.code) &&
          !leak.test(answer.text);
        if (!ok) failures.push(`${label.slice(0, 200)} → ${answer.status} ${answer.text.slice(0, 200)}`);
      }),
      { numRuns: 1200 },
    );
    expect(failures, failures.slice(0, 20).join('\n')).to.deep.equal([]);
    expect(sent).to.be.at.least(1000);
    expect(JSON.stringify(server.store.dump())).to.equal(before);
    // Malformed input (400), unknown ids (404) and wrong content types (415) were all reached.
    expect([...statuses.keys()]).to.include.members([400, 404, 415]);
  });
});
