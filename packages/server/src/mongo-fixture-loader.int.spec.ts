import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoPersistence } from '@partner-team/mongodb';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { demoFixturePath } from './config.js';
import type { FixtureFile } from './fixture.js';
import { databaseUri } from './test-support/mongo-server.js';
import { testFixture } from './test-support/test-fixture.js';

const loader = fileURLToPath(new URL('../../../scripts/load-fixture.mjs', import.meta.url));
const silent = { debug() {}, info() {}, warn() {}, error() {} };

const freshDatabase = (): string => `pt_loader_${randomBytes(4).toString('hex')}`;

/** Runs the loader on `file` into `database` and returns its exit status and standard error: it must fail. */
function refusal(file: string, database: string): { status: unknown; stderr: string } {
  try {
    execFileSync(process.execPath, [loader, file], { env: { ...process.env, MONGODB_URI: databaseUri(database) }, encoding: 'utf8', stdio: 'pipe' });
  } catch (error: unknown) {
    const { status, stderr } = error as { status?: unknown; stderr?: unknown };
    return { status, stderr: String(stderr) };
  }
  return expect.fail(`the loader accepted ${file}`);
}

describe('scripts/load-fixture.mjs', function () {
  this.timeout(120_000);

  it('loads the demo fixture into MongoDB, and a second run changes nothing', async function () {
    const uri = databaseUri(freshDatabase());
    const run = () => execFileSync(process.execPath, [loader, demoFixturePath], { env: { ...process.env, MONGODB_URI: uri, LOG_LEVEL: 'error' }, encoding: 'utf8' });
    const first = run();
    expect(first).to.match(/organisations created: northwind, contoso, fabrikam, tailspin, globex/);
    expect(first.match(/invitation for /g)).to.have.length(2);
    const store = await MongoPersistence.open({ uri, logger: silent });
    try {
      const snapshot = async () =>
        JSON.stringify(
          await Promise.all(
            // Every collection the loader wrote (the ring slots are spread over bucket collections).
            (await store.db.listCollections({}, { nameOnly: true }).toArray())
              .map((c) => c.name)
              .sort()
              .map(async (name) => [name, await store.db.collection(name).find({}, { projection: { at: 0 } }).sort({ _id: 1 }).toArray()]),
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

  it('refuses an invalid fixture, naming the bad entry, and writes nothing', async function () {
    // The test fixture, valid but for one membership in an organisation that does not exist.
    const fixture: FixtureFile = structuredClone(testFixture);
    fixture.memberships.push({ organisationId: 'nowhere', userId: 'gus', role: 'partner_user' });
    const badEntry = `memberships[${fixture.memberships.length - 1}]: unknown organisation "nowhere"`;
    const dir = await mkdtemp(join(tmpdir(), 'pt-loader-'));
    const database = freshDatabase();
    const client = new MongoClient(databaseUri(database));
    try {
      const file = join(dir, 'invalid-fixture.json');
      await writeFile(file, JSON.stringify(fixture));
      const { status, stderr } = refusal(file, database);
      expect(status, stderr).to.equal(1);
      expect(stderr).to.include(badEntry);
      await client.connect();
      const db = client.db(database);
      const written: string[] = [];
      for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
        if ((await db.collection(name).countDocuments({})) > 0) written.push(name);
      }
      expect(written, 'collections with documents').to.deep.equal([]);
    } finally {
      await client.db(database).dropDatabase();
      await client.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a fixture file it cannot read', function () {
    const { status, stderr } = refusal('/nonexistent/fixture.json', freshDatabase());
    expect(status, stderr).to.equal(1);
    expect(stderr).to.match(/cannot read the file/);
  });
});
