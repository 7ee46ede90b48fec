import { randomBytes } from 'node:crypto';
import { JwtOperatorAuthenticator, JwtSessionAuthenticator } from '@partner-team/express';
import { MongoPersistence } from '@partner-team/mongodb';
import type { Browser } from 'playwright-core';
import { launchChromium } from './test-support/browser.js';
import { databaseUri, serverEnv } from './test-support/mongo-server.js';
import { runOperationsScenario } from './test-support/operations-scenario.js';
import { startServerProcess, type ServerProcess } from './test-support/server-process.js';

const secret = 'operations-scenario-session-secret-32chars';
const operationsSecret = 'operations-scenario-operator-secret-32ch';
const silent = { debug() {}, info() {}, warn() {}, error() {} };

describe('AiDial support operations end to end, on MongoDB: two server processes (partner surface on one, operations on the other) and the page in Chromium', function () {
  this.timeout(300_000);
  let servers: ServerProcess[] = [];
  let store: MongoPersistence | undefined;
  let browser: Browser | undefined;

  before(async function () {
    const uri = databaseUri(`pt_ops_${randomBytes(4).toString('hex')}`);
    const env = { ...serverEnv(uri, secret), OPERATIONS_TOKEN_SECRET: operationsSecret };
    servers = [await startServerProcess(env), await startServerProcess(env)];
    store = await MongoPersistence.open({ uri, logger: silent });
    browser = await launchChromium();
  });
  after(async function () {
    await browser?.close();
    await Promise.all(servers.map((s) => s.kill()));
    await store?.db.dropDatabase();
    await store?.close();
  });

  it('provisions, bootstraps, assigns, suspends, archives, reactivates, restores, recovers the last admin, repairs a cross-organisation assignment and searches audit across organisations', async function () {
    const [partnerServer, operationsServer] = servers as [ServerProcess, ServerProcess];
    await runOperationsScenario({
      partnerUrl: partnerServer.url,
      operationsUrl: operationsServer.url,
      sessions: new JwtSessionAuthenticator(secret),
      operators: new JwtOperatorAuthenticator(operationsSecret, { audience: 'partner-team-operations' }),
      plantAssignment: (organisationId, userId, clientId) => (store as MongoPersistence).assignClient(organisationId, userId, clientId),
      browser: browser as Browser,
    });
  });
});
