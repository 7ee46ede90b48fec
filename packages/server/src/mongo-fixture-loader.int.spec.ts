import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { MongoPersistence } from '@partner-team/mongodb';
import { expect } from 'chai';
import { demoFixturePath } from './config.js';

const loader = fileURLToPath(new URL('../../../scripts/load-fixture.mjs', import.meta.url));
const silent = { debug() {}, info() {}, warn() {}, error() {} };

function databaseUri(): string {
  const uri = process.env.MONGODB_URI;
  if (uri === undefined || uri === '') throw new Error('MONGODB_URI is not set: run through `npm test`, which starts FerretDB');
  const url = new URL(uri);
  url.pathname = `/pt_loader_${randomBytes(4).toString('hex')}`;
  return url.toString();
}

describe('scripts/load-fixture.mjs', function () {
  this.timeout(120_000);

  it('loads the demo fixture into MongoDB, and a second run changes nothing', async function () {
    const uri = databaseUri();
    const run = () => execFileSync(process.execPath, [loader, demoFixturePath], { env: { ...process.env, MONGODB_URI: uri, LOG_LEVEL: 'error' }, encoding: 'utf8' });
    const first = run();
    expect(first).to.match(/organisations created: northwind, contoso, fabrikam, tailspin, globex/);
    expect(first.match(/invitation for /g)).to.have.length(2);
    const store = await MongoPersistence.open({ uri, logger: silent, repairIntervalMs: 0 });
    try {
      const snapshot = async () =>
        JSON.stringify(
          await Promise.all(
            ['organisation_commits', 'membership_claims', 'roster_members', 'users', 'client_assignments', 'clients'].map((name) =>
              store.db.collection(name).find({}, { projection: { at: 0 } }).sort({ _id: 1 }).toArray(),
            ),
          ),
        );
      const before = await snapshot();
      const second = run();
      expect(second).to.match(/organisations created: none; already present, left unchanged: northwind, contoso, fabrikam, tailspin, globex/);
      expect(second).not.to.match(/invitation for /);
      expect(await snapshot()).to.equal(before);
      const ada = await store.memberships.findByUser('ada');
      expect(ada?.organisation.id).to.equal('northwind');
      expect(ada?.membership.role).to.equal('partner_admin');
    } finally {
      await store.db.dropDatabase();
      await store.close();
    }
  });

  it('refuses an invalid fixture, naming the bad entry, and writes nothing', function () {
    let message = '';
    try {
      execFileSync(process.execPath, [loader, '/nonexistent/fixture.json'], { env: { ...process.env, MONGODB_URI: databaseUri() }, encoding: 'utf8', stdio: 'pipe' });
    } catch (error: unknown) {
      message = String((error as { stderr?: unknown }).stderr);
    }
    expect(message).to.match(/cannot read the file/);
  });
});
