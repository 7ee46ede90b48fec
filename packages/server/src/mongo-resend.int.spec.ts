import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CsrfTokens, JwtSessionAuthenticator } from '@partner-team/express';
import { MongoPersistence } from '@partner-team/mongodb';
import { anOrganisation, aUser } from '@partner-team/testing';
import { expect } from 'chai';
import { databaseUri, serverEnv, sessionHeaders } from './test-support/mongo-server.js';
import { startServerProcess, type ServerProcess } from './test-support/server-process.js';

const secret = 'resend-on-mongodb-secret-of-32-characters';
const sessions = new JwtSessionAuthenticator(secret);
const csrf = new CsrfTokens(secret);
const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('resending an invitation over HTTP, on MongoDB', function () {
  this.timeout(60_000);

  it('delivers a new link through the outbox; the old token is refused, the new one admits', async function () {
    const uri = databaseUri(`pt_resend_${randomBytes(4).toString('hex')}`);
    const outbox = await mkdtemp(join(tmpdir(), 'pt-resend-outbox-'));
    const store = await MongoPersistence.open({ uri, logger: silent });
    let server: ServerProcess | undefined;
    try {
      await store.putUser(aUser('ada').withEmail('ada@acme.example').build());
      await store.putUser(aUser('gus').withEmail('gus@outside.example').build());
      await store.createOrganisation(anOrganisation('acme').withAdmins('ada').build());
      server = await startServerProcess({ ...serverEnv(uri, secret), MAIL_OUTBOX_DIR: outbox });
      const api = `${server.url}/api/partner-team`;
      const as = (userId: string) => ({ ...sessionHeaders(sessions, csrf, userId), 'content-type': 'application/json' });
      const tokens = async (): Promise<string[]> => {
        const files = (await readdir(outbox)).sort();
        const mails = await Promise.all(files.map(async (f) => JSON.parse(await readFile(join(outbox, f), 'utf8')) as { acceptUrl: string }));
        return mails.map((m) => decodeURIComponent(m.acceptUrl.split('#accept=')[1] ?? ''));
      };

      const created = await fetch(`${api}/invitations`, { method: 'POST', headers: as('ada'), body: JSON.stringify({ email: 'gus@outside.example', role: 'partner_user' }) });
      expect(created.status).to.equal(201);
      const { id } = (await created.json()) as { id: string };
      const resent = await fetch(`${api}/invitations/${id}/resend`, { method: 'POST', headers: sessionHeaders(sessions, csrf, 'ada') });
      expect(resent.status, await resent.clone().text()).to.equal(200);
      const [first, second] = await tokens();
      expect(first).to.be.a('string').and.not.equal('');
      expect(second).to.be.a('string').and.not.equal(first);

      const accept = (token: string) => fetch(`${api}/invitations/accept`, { method: 'POST', headers: as('gus'), body: JSON.stringify({ token }) });
      const old = await accept(first ?? '');
      expect(old.status).to.equal(404);
      expect(((await old.json()) as { code: string }).code).to.equal('invitation_not_found');
      expect((await accept(second ?? '')).status).to.equal(200);
      const audit = await fetch(`${api}/audit-events`, { headers: sessionHeaders(sessions, csrf, 'ada') });
      expect(((await audit.json()) as { items: { action: string }[] }).items.map((e) => e.action)).to.deep.equal(['invitation.accepted', 'invitation.resent', 'invitation.created']);
    } finally {
      await server?.kill();
      await store.db.dropDatabase();
      await store.close();
      await rm(outbox, { recursive: true, force: true });
    }
  });
});
